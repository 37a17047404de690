"""Pledges: look up, create (capacity checked under a row lock), confirm a pledge far ahead,
release the holds nobody confirmed.

Changing a pledge is in pledge_changes.py; ending one (cancel, expire) in closing.py."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.service import hash_token, normalize_email
from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import insert_unless_taken, utcnow
from app.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from app.i18n import _
from app.inkind import closing, ledger, notify, pledge_limits, pledge_rules
from app.inkind.capacity import (  # noqa: F401  (status_after_delivery: for deliveries.py)
    available,
    check_slot,
    covered_message,
    ensure_open,
    lock_needs,
    status_after_delivery,
)
from app.inkind.models import (
    ALIVE_STATUSES,
    EntryKind,
    Need,
    Pledge,
    PledgeLine,
    PledgePolicy,
    PledgeStatus,
)
from app.inkind.needs import max_per_pledge
from app.inkind.pledge_changes import change_quantities  # noqa: F401  (one entry point)
from app.inkind.schemas import PledgeCreate
from app.text import clean_line
from app.transaction import UnitOfWork

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read aloud
CODE_LENGTH = 6
MAX_DAYS_AHEAD = timedelta(days=366)  # a promise for a day further away is not a plan


@dataclass(frozen=True)
class PledgeResult:
    pledge: Pledge
    token: str
    created: bool


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:CODE_LENGTH]


def manage_token(campaign_id: int, idempotency_key: str | None) -> str:
    """Random, or derived from the idempotency key so a retried submit finds the same link."""
    if not idempotency_key:
        return secrets.token_urlsafe(24)
    key = get_settings().secret_key.encode()
    message = f"pledge-manage:{campaign_id}:{idempotency_key}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def confirm_token(pledge: Pledge) -> str:
    """The secret of the emailed confirmation link: not in the manage link the page shows,
    so confirming a pledge far ahead proves the donor reads that mailbox."""
    key = get_settings().secret_key.encode()
    message = f"pledge-confirm:{pledge.id}:{pledge.manage_token_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


# --- Looking up -------------------------------------------------------------------------


async def by_code(session: AsyncSession, code: str, lock: bool = False) -> Pledge:
    query = select(Pledge).where(Pledge.code == normalize_code(code))
    if lock:
        query = query.with_for_update(of=Pledge).execution_options(populate_existing=True)
    pledge = await session.scalar(query)
    if pledge is None:
        raise NotFound(_("No pledge has this code."))
    return pledge


async def for_donor(session: AsyncSession, code: str, token: str, lock: bool = False) -> Pledge:
    """The pledge, if the private link's token matches (same answer for a wrong code)."""
    try:
        pledge = await by_code(session, code, lock=lock)
    except NotFound:
        pledge = None
    if pledge is None or not hmac.compare_digest(pledge.manage_token_hash, hash_token(token)):
        raise Forbidden(_("This pledge link is not valid. Check that you copied it whole."))
    return pledge


# --- Create -----------------------------------------------------------------------------


async def _validate(
    session: AsyncSession, campaign: Campaign, data: PledgeCreate, today: date
) -> tuple[dict, list[FieldError]]:
    """Who, where and when; the quantities are checked once the needs are locked."""
    errors: list[FieldError] = []
    clean = {
        "name": clean_line(data.donor_name),
        "email": "",
        "phone": clean_line(data.donor_phone),
    }
    if not clean["name"]:
        message = _("Tell us your name, so volunteers can find you.")
        errors.append(FieldError("donor_name", message))
    if data.donor_email:
        try:
            clean["email"] = normalize_email(data.donor_email)
        except ValueError as exc:
            errors.append(FieldError("donor_email", str(exc)))
    if clean["phone"] and not all(ch.isdigit() or ch in "+ ()-." for ch in clean["phone"]):
        errors.append(FieldError("donor_phone", _("Enter a phone number with digits only.")))
    slot, point, place_errors = await pledge_rules.chosen_place(
        session, campaign, data.slot_id, data.drop_off_point_id, today
    )
    errors += place_errors
    due_on = slot.day if slot else (data.due_on or today)
    if not slot and due_on < today:
        errors.append(FieldError("due_on", _("Choose today or a later day.")))
    elif not slot and due_on > today + MAX_DAYS_AHEAD:
        errors.append(FieldError("due_on", _("Choose a day within the next year.")))
    elif not any(error.field in ("slot_id", "drop_off_point_id") for error in errors):
        if closed := await pledge_rules.open_day_error(session, campaign, point, slot, due_on):
            errors.append(closed)
        elif pledge_rules.is_far_ahead(due_on, today):
            field = "slot_id" if slot else "due_on"
            if far := pledge_rules.far_ahead_error(field, clean["email"] or data.donor_email):
                errors.append(far)
    clean.update(slot=slot, point=point, due_on=due_on)
    return clean, errors


def _units_by_need(
    data: PledgeCreate, needs: dict[int, Need], due_on: date, errors: list[FieldError]
) -> dict[int, int]:
    units: dict[int, int] = {}
    for index, line in enumerate(data.lines):
        need = needs.get(line.need_id)
        field = f"lines.{index}.quantity"
        if need is None:
            errors.append(FieldError(f"lines.{index}.need_id", _("This need does not exist.")))
            continue
        if line.per == "pack" and not need.item.pack_size:
            errors.append(FieldError(field, _("This item is counted in units, not packs.")))
            continue
        count = line.quantity * (need.item.pack_size if line.per == "pack" else 1)
        if need.is_daily and need.needed_on(due_on) == 0:
            message = _("%(item)s is not needed on that day.", item=need.item.name)
            errors.append(FieldError(field, message))
        if not need.is_daily and need.deadline and due_on > need.deadline:
            message = _(
                "%(item)s is needed by %(day)s at the latest.",
                item=need.item.name,
                day=need.deadline.isoformat(),
            )
            errors.append(FieldError("due_on", message))
        units[need.id] = units.get(need.id, 0) + count
        if units[need.id] > max_per_pledge(need):  # packs multiply: the limit is on units
            errors.append(FieldError(field, pledge_rules.outsized_message(need)))
    return units


async def _same_submit(
    session: AsyncSession, campaign: Campaign, data: PledgeCreate
) -> PledgeResult | None:
    """The pledge an earlier submit with the same idempotency key made, if any."""
    if not data.idempotency_key:
        return None
    existing = await session.scalar(
        select(Pledge)
        .where(Pledge.campaign_id == campaign.id, Pledge.idempotency_key == data.idempotency_key)
        .execution_options(populate_existing=True)
    )
    if existing is None:
        return None
    return PledgeResult(existing, manage_token(campaign.id, data.idempotency_key), False)


async def create_pledge(
    session: AsyncSession,
    campaign: Campaign,
    data: PledgeCreate,
    today: date,
    *,
    client: str | None = None,
) -> PledgeResult:
    """Record a pledge whole, or raise with field errors and write nothing. `client` (the
    address it comes from) counts against the per-need daily limit of pledge_limits."""
    ensure_open(campaign)
    if retry := await _same_submit(session, campaign, data):
        return retry
    clean, errors = await _validate(session, campaign, data, today)
    try:
        await check_slot(session, clean["slot"])  # slot lock first, then needs: one lock order
    except Conflict:
        if retry := await _same_submit(session, campaign, data):
            return retry  # a twin of this submit took the last place: it is this donor's
        raise
    needs = await lock_needs(session, campaign, {line.need_id for line in data.lines})
    # A twin of this submit (same key) may have committed while we waited for the locks: the
    # donor retrying gets their pledge back, not "already covered" by their own pledge.
    if retry := await _same_submit(session, campaign, data):
        return retry
    units = _units_by_need(data, needs, clean["due_on"], errors)
    if errors:
        raise ValidationFailed(errors)
    if client is not None:
        fields = [(f"lines.{i}.quantity", needs[line.need_id]) for i, line in enumerate(data.lines)]
        await pledge_limits.check(session, client, fields)
    waitlisted, covered = False, []
    for index, line in enumerate(data.lines):
        need = needs[line.need_id]
        if not need.is_capped:
            continue
        left = await available(session, need, clean["due_on"])
        if units[need.id] > left:
            if need.policy == PledgePolicy.WAITLIST:
                waitlisted = True
            else:
                message = covered_message(need, left, clean["due_on"])
                covered.append(FieldError(f"lines.{index}.quantity", message))
    if covered:
        raise Conflict(
            _("Some of this is already covered. Here is what is still needed."),
            field_errors=covered,
        )
    token = manage_token(campaign.id, data.idempotency_key)
    pledge = Pledge(
        campaign_id=campaign.id,
        code=new_code(),
        manage_token_hash=hash_token(token),
        idempotency_key=data.idempotency_key,
        donor_name=clean["name"],
        donor_name_key=clean["name"].casefold(),
        donor_email=clean["email"],
        donor_phone=clean["phone"],
        drop_off_point=clean["point"],
        slot=clean["slot"],
        due_on=clean["due_on"],
        status=PledgeStatus.WAITLISTED if waitlisted else PledgeStatus.PLEDGED,
        hold_expires_at=(
            pledge_rules.hold_expiry(utcnow())
            if pledge_rules.is_far_ahead(clean["due_on"], today)
            else None
        ),
        lines=[PledgeLine(need=needs[need_id], units=units[need_id]) for need_id in sorted(units)],
    )
    if not await insert_unless_taken(session, pledge):
        # The same submit arrived twice at once: the first one won, answer with it.
        if retry := await _same_submit(session, campaign, data):
            return retry
        raise Conflict(_("Please submit the form again."))
    if not waitlisted:
        for line in pledge.lines:
            await ledger.record(
                session, needs[line.need_id], pledge.due_on, EntryKind.PLEDGED,
                actor="donor", pledged=line.units, pledge_id=pledge.id,
            )  # fmt: skip
    if client is not None:
        await pledge_limits.count_made(session, client, sorted(units))
    confirm = confirm_token(pledge) if pledge.hold_expires_at else None
    await notify.pledge_created(session, campaign, pledge, token, today, confirm_token=confirm)
    return PledgeResult(pledge, token, True)


# --- Pledges far ahead: confirm, or release ---------------------------------------------


async def confirm(session: AsyncSession, pledge: Pledge, secret: str) -> bool:
    """Confirm a held pledge from its emailed link (the pledge row locked); False when the
    hold already ended (released, or the pledge closed) and there is nothing to confirm."""
    if not hmac.compare_digest(confirm_token(pledge), secret or ""):
        raise Forbidden(_("This confirmation link is not valid. Check that you copied it whole."))
    if pledge.confirmed_at is not None:
        return True
    if not pledge.is_held:
        return False
    pledge.hold_expires_at = None
    pledge.confirmed_at = pledge.updated_at = utcnow()
    await session.flush()
    return True


async def release_expired_holds(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None, limit: int = 500
) -> int:
    """Periodic job: pledges far ahead that nobody confirmed in time stop counting, one
    transaction each (safe in parallel: a pledge being confirmed is skipped, not waited for)."""
    now = now or utcnow()
    released = 0
    for _round in range(limit):
        async with UnitOfWork(sessionmaker) as session:
            pledge = await session.scalar(
                select(Pledge)
                .where(
                    Pledge.status.in_((*ALIVE_STATUSES, PledgeStatus.WAITLISTED)),
                    Pledge.hold_expires_at.is_not(None),
                    Pledge.hold_expires_at < now,
                )
                .order_by(Pledge.id)
                .limit(1)
                .with_for_update(skip_locked=True, of=Pledge)
            )
            if pledge is None:
                break
            await closing.release(
                session, pledge, EntryKind.PLEDGE_EXPIRED, actor="system",
                note=f"not confirmed within {pledge_rules.HOLD_HOURS} hours",
            )  # fmt: skip
            released += 1
    return released
