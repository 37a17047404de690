"""Pledges: look up, create (capacity checked under a row lock), change.

Ending a pledge (cancel, expire) is in closing.py."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.service import hash_token, normalize_email
from app.campaigns.models import Campaign, CampaignStatus
from app.config import get_settings
from app.db import insert_unless_taken, utcnow
from app.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from app.formatting import format_number
from app.i18n import _
from app.inkind import ledger, notify
from app.inkind.models import (
    ALIVE_STATUSES,
    EntryKind,
    Need,
    Pledge,
    PledgeLine,
    PledgePolicy,
    PledgeStatus,
    Slot,
)
from app.inkind.needs import get_drop_off_point, get_slot
from app.inkind.schemas import MAX_UNITS, PledgeCreate
from app.text import clean_line

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


def ensure_open(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.LIVE:
        raise Conflict(_("This campaign is not accepting pledges at the moment."))


def status_after_delivery(pledge: Pledge) -> str:
    brought = sum(line.brought for line in pledge.lines)
    if all(line.brought >= line.units for line in pledge.lines):
        return PledgeStatus.RECEIVED
    return PledgeStatus.PARTIALLY_RECEIVED if brought else PledgeStatus.PLEDGED


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


async def _lock_needs(session: AsyncSession, campaign: Campaign, ids: set[int]) -> dict[int, Need]:
    """The campaign's active needs by id; the capped ones row-locked, always in id order."""
    rows = await session.scalars(
        select(Need)
        .where(Need.id.in_(ids), Need.campaign_id == campaign.id, Need.active.is_(True))
        .order_by(Need.id)
    )
    needs = {need.id: need for need in rows}
    capped = [need_id for need_id, need in needs.items() if need.is_capped]
    if capped:
        # Whoever holds these rows decides alone what is still missing (no-op on SQLite,
        # whose writers are serialized by BEGIN IMMEDIATE: see app.db.WriteSessionDep).
        await session.execute(
            select(Need.id).where(Need.id.in_(capped)).order_by(Need.id).with_for_update()
        )
    return needs


async def available(session: AsyncSession, need: Need, day: date) -> int:
    """Units still missing for `day` (read after the need's row lock is held)."""
    bucket = need.bucket(day)
    sums = (await ledger.totals(session, [need.id], [bucket])).get(
        (need.id, bucket), ledger.Totals()
    )
    return need.needed_on(day) - sums.pledged - sums.received


def _covered_message(need: Need, left: int, day: date) -> str:
    if left <= 0:
        if need.is_daily:
            return _(
                "%(item)s is already covered for %(day)s. Thank you!",
                item=need.item.name,
                day=day.isoformat(),
            )
        return _("%(item)s is already covered. Thank you!", item=need.item.name)
    return _(
        "Only %(n)s %(unit)s are still needed: pledge %(n)s or fewer.",
        n=left,
        unit=need.item.unit,
    )


# --- Create -----------------------------------------------------------------------------


async def _validate(
    session: AsyncSession, campaign: Campaign, data: PledgeCreate, today: date
) -> tuple[dict, list[FieldError]]:
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
    slot = point = None
    if data.slot_id is not None:
        try:
            slot = await get_slot(session, campaign, data.slot_id)
            point = slot.drop_off_point
            if slot.day < today:
                errors.append(FieldError("slot_id", _("This time slot is over. Choose another.")))
        except NotFound as exc:
            errors.append(FieldError("slot_id", exc.message))
    elif data.drop_off_point_id is not None:
        try:
            point = await get_drop_off_point(session, campaign, data.drop_off_point_id)
        except NotFound as exc:
            errors.append(FieldError("drop_off_point_id", exc.message))
    due_on = slot.day if slot else (data.due_on or today)
    if not slot and due_on < today:
        errors.append(FieldError("due_on", _("Choose today or a later day.")))
    elif not slot and due_on > today + MAX_DAYS_AHEAD:
        errors.append(FieldError("due_on", _("Choose a day within the next year.")))
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
        if units[need.id] > MAX_UNITS:  # packs multiply: the limit is on units
            message = _(
                "At most %(n)s %(unit)s in one pledge.",
                n=format_number(MAX_UNITS),
                unit=need.item.unit,
            )
            errors.append(FieldError(field, message))
    return units


async def _check_slot(session: AsyncSession, slot: Slot | None) -> None:
    if slot is None or slot.capacity is None:
        return
    await session.execute(select(Slot.id).where(Slot.id == slot.id).with_for_update())
    booked = await session.scalar(
        select(func.count(Pledge.id)).where(
            Pledge.slot_id == slot.id, Pledge.status.in_(ALIVE_STATUSES)
        )
    )
    if booked >= slot.capacity:
        message = _("This time slot is full. Choose another slot or day.")
        raise Conflict(message, field_errors=[FieldError("slot_id", message)])


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
    session: AsyncSession, campaign: Campaign, data: PledgeCreate, today: date
) -> PledgeResult:
    """Record a pledge whole, or raise with field errors and write nothing."""
    ensure_open(campaign)
    if retry := await _same_submit(session, campaign, data):
        return retry
    clean, errors = await _validate(session, campaign, data, today)
    try:
        await _check_slot(session, clean["slot"])  # slot lock first, then needs: one lock order
    except Conflict:
        if retry := await _same_submit(session, campaign, data):
            return retry  # a twin of this submit took the last place: it is this donor's
        raise
    needs = await _lock_needs(session, campaign, {line.need_id for line in data.lines})
    # A twin of this submit (same key) may have committed while we waited for the locks: the
    # donor retrying gets their pledge back, not "already covered" by their own pledge.
    if retry := await _same_submit(session, campaign, data):
        return retry
    units = _units_by_need(data, needs, clean["due_on"], errors)
    if errors:
        raise ValidationFailed(errors)
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
                message = _covered_message(need, left, clean["due_on"])
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
    await notify.pledge_created(session, campaign, pledge, token, today)
    return PledgeResult(pledge, token, True)


# --- Change ---------------------------------------------------------------


async def change_quantities(
    session: AsyncSession,
    campaign: Campaign,
    pledge: Pledge,
    new_units: dict[int, int],
    *,
    actor: str,
    actor_id: int | None = None,
) -> Pledge:
    """Change what a live pledge promises; never below what already arrived, never past a cap."""
    if pledge.status not in ALIVE_STATUSES:
        raise Conflict(_("This pledge can no longer be changed."))
    ensure_open(campaign)
    needs = await _lock_needs(session, campaign, {line.need_id for line in pledge.lines})
    errors = []
    for line in pledge.lines:
        wanted = new_units.get(line.need_id, line.units)
        field = f"units.{line.need_id}"
        if wanted < line.brought:
            message = _("At least %(n)s: that much already arrived.", n=line.brought)
            errors.append(FieldError(field, message))
        elif wanted > MAX_UNITS:
            errors.append(FieldError(field, _("At most %(n)s.", n=format_number(MAX_UNITS))))
        elif wanted > line.units and line.need_id in needs and needs[line.need_id].is_capped:
            left = await available(session, needs[line.need_id], pledge.due_on)
            if wanted - line.units > left:
                most = line.units + max(left, 0)
                message = _("At most %(n)s: the rest is already covered.", n=most)
                errors.append(FieldError(field, message))
    if all(new_units.get(line.need_id, line.units) == 0 for line in pledge.lines):
        errors.append(FieldError("form", _("To give nothing, cancel the pledge instead.")))
    if errors:
        raise ValidationFailed(errors)
    for line in pledge.lines:
        wanted = new_units.get(line.need_id, line.units)
        if wanted == line.units:
            continue
        delta = wanted - line.units
        line.units = wanted
        need = needs.get(line.need_id) or line.need
        await ledger.record(
            session, need, pledge.due_on, EntryKind.PLEDGE_CHANGED, actor=actor,
            actor_id=actor_id, pledged=delta, pledge_id=pledge.id,
        )  # fmt: skip
    pledge.status = status_after_delivery(pledge)
    pledge.updated_at = utcnow()
    await session.flush()
    return pledge
