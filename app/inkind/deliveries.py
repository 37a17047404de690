"""What arrives at a drop-off point: deliveries against pledges, walk-ins, corrections."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.db import insert_unless_taken
from app.errors import Conflict, FieldError, NotFound, ValidationFailed
from app.formatting import format_number
from app.i18n import _
from app.inkind import ledger
from app.inkind.models import (
    ALIVE_STATUSES,
    Delivery,
    DeliveryLine,
    EntryKind,
    Need,
    Pledge,
    PledgeLine,
    PledgeStatus,
)
from app.inkind.needs import get_drop_off_point, get_need
from app.inkind.pledges import by_code, normalize_code, status_after_delivery
from app.inkind.schemas import MAX_UNITS, DeliveryCreate, DeliveryLineIn
from app.outbox import OutboxEmail
from app.text import clean_line


@dataclass(frozen=True)
class Wanted:
    need: Need
    accepted: int
    refused: int
    reason: str
    pledge_line: PledgeLine | None


async def search(session: AsyncSession, campaign: Campaign, query: str) -> list[Pledge]:
    """Pledges by code or donor name, open ones first."""
    text = (query or "").strip()
    if not text:
        return []
    conditions = [Pledge.donor_name_key.contains(text.casefold()[:120], autoescape=True)]
    code = normalize_code(text)
    if len(code) >= 3:
        conditions.append(Pledge.code.startswith(code, autoescape=True))
    rows = await session.scalars(
        select(Pledge)
        .where(Pledge.campaign_id == campaign.id, or_(*conditions))
        .order_by(Pledge.status.in_(ALIVE_STATUSES).desc(), Pledge.due_on, Pledge.id)
        .limit(20)
    )
    return list(rows)


async def _wanted_lines(
    session: AsyncSession, campaign: Campaign, data: DeliveryCreate, pledge: Pledge | None
) -> list[Wanted]:
    by_need = {line.need_id: line for line in pledge.lines} if pledge else {}
    counts_for_pledge = pledge is not None and pledge.status in ALIVE_STATUSES
    lines: list[DeliveryLineIn] = list(data.lines)
    if data.full:
        if not counts_for_pledge:
            raise Conflict(_("Nothing is still expected on this pledge."))
        lines = [
            DeliveryLineIn(need_id=line.need_id, accepted_units=line.open_units)
            for line in pledge.lines
            if line.open_units > 0
        ]
    errors, wanted = [], []
    for index, line in enumerate(lines):
        if line.accepted_units + line.refused_units == 0:
            continue
        try:
            need = await get_need(session, campaign, line.need_id)
        except NotFound as exc:
            errors.append(FieldError(f"lines.{index}.need_id", exc.message))
            continue
        if line.refused_units and line.refusal_reason is None:
            message = _("Say why units were refused.")
            errors.append(FieldError(f"lines.{index}.refusal_reason", message))
            continue
        pledge_line = by_need.get(need.id) if counts_for_pledge else None
        reason = line.refusal_reason.value if line.refused_units and line.refusal_reason else ""
        wanted.append(Wanted(need, line.accepted_units, line.refused_units, reason, pledge_line))
    if errors:
        raise ValidationFailed(errors)
    if not wanted:
        raise ValidationFailed([FieldError("lines", _("Enter at least one quantity."))])
    return sorted(wanted, key=lambda w: w.need.id)  # one lock order for the totals rows


async def record_delivery(
    session: AsyncSession, campaign: Campaign, user: User, data: DeliveryCreate, today: date
) -> Delivery:
    """Log what arrived, whole or not at all. A cancelled or expired pledge's goods count as a
    walk-in: they are welcome, but they no longer settle a promise."""
    if data.idempotency_key:
        existing = await _by_key(session, campaign, data.idempotency_key)
        if existing is not None:
            return existing
    pledge = None
    if data.pledge_code:
        pledge = await by_code(session, data.pledge_code, lock=True)
        if pledge.campaign_id != campaign.id:
            raise NotFound(_("No pledge has this code."))
    point = None
    if data.drop_off_point_id is not None:
        point = await get_drop_off_point(session, campaign, data.drop_off_point_id)
    wanted = await _wanted_lines(session, campaign, data, pledge)
    received_on = data.received_on or today
    delivery = Delivery(
        campaign_id=campaign.id,
        pledge=pledge,
        drop_off_point_id=point.id if point else (pledge.drop_off_point_id if pledge else None),
        received_on=received_on,
        donor_name=clean_line(data.donor_name) or (pledge.donor_name if pledge else ""),
        note=clean_line(data.note),
        idempotency_key=data.idempotency_key,
        recorded_by_id=user.id,
    )
    if not await insert_unless_taken(session, delivery):
        existing = await _by_key(session, campaign, data.idempotency_key)
        if existing is None:
            raise Conflict(_("Please submit the form again."))
        return existing
    for item in wanted:
        await _apply(session, delivery, pledge, item, user)
    if pledge is not None and pledge.status in ALIVE_STATUSES:
        pledge.status = status_after_delivery(pledge)
        if pledge.status == PledgeStatus.RECEIVED:
            await _drop_reminder(session, pledge)
    await session.flush()
    await session.refresh(delivery, ["lines"])
    return delivery


async def _apply(
    session: AsyncSession, delivery: Delivery, pledge: Pledge | None, item: Wanted, user: User
) -> None:
    line = item.pledge_line
    session.add(
        DeliveryLine(
            delivery_id=delivery.id,
            need_id=item.need.id,
            pledge_line_id=line.id if line else None,
            accepted_units=item.accepted,
            refused_units=item.refused,
            refusal_reason=item.reason,
        )
    )
    settled = min(line.open_units, item.accepted + item.refused) if line else 0
    writes = [
        (item.need.bucket(delivery.received_on), "received"),
        *([(item.need.bucket(pledge.due_on), "settled")] if settled else []),
    ]
    for _bucket, what in sorted(writes):  # totals rows in (need, day) order: no deadlock
        if what == "received":
            await ledger.record(
                session, item.need, delivery.received_on, EntryKind.RECEIVED, actor="team",
                actor_id=user.id, received=item.accepted, refused=item.refused,
                refusal_reason=item.reason, delivery_id=delivery.id,
                pledge_id=pledge.id if pledge else None, note=delivery.note,
            )  # fmt: skip
        else:
            await ledger.record(
                session, item.need, pledge.due_on, EntryKind.PLEDGE_FULFILLED, actor="team",
                actor_id=user.id, pledged=-settled, delivery_id=delivery.id, pledge_id=pledge.id,
            )  # fmt: skip
    if line is not None:
        line.received_units += item.accepted
        line.refused_units += item.refused


async def _by_key(session: AsyncSession, campaign: Campaign, key: str | None) -> Delivery | None:
    return await session.scalar(
        select(Delivery).where(Delivery.campaign_id == campaign.id, Delivery.idempotency_key == key)
    )


async def _drop_reminder(session: AsyncSession, pledge: Pledge) -> None:
    await session.execute(
        delete(OutboxEmail).where(
            OutboxEmail.dedupe_key == f"pledge:{pledge.id}:reminder", OutboxEmail.sent_at.is_(None)
        )
    )


async def correct(
    session: AsyncSession,
    campaign: Campaign,
    user: User,
    need_id: int,
    day: date,
    received: int,
    refused: int,
    why: str,
    *,
    used: int = 0,
) -> None:
    """A correction is a new entry with who and why; the history stays as it was. It may
    change what was received, refused or used (handed out), never below zero, and never
    leaving less on hand than nothing."""
    try:
        need = await get_need(session, campaign, need_id)
    except NotFound:
        raise ValidationFailed([FieldError("need_id", _("Choose the need to correct."))]) from None
    why = clean_line(why)
    errors = []
    if received == 0 and refused == 0 and used == 0:
        errors.append(FieldError("received", _("Enter a change, e.g. -20 or 15.")))
    if len(why) < 3:
        errors.append(FieldError("why", _("Say why, for the record.")))
    for field, value in (("received", received), ("refused", refused), ("used", used)):
        if abs(value) > MAX_UNITS:
            message = _("Enter a number between -%(n)s and %(n)s.", n=format_number(MAX_UNITS))
            errors.append(FieldError(field, message))
    if errors:
        raise ValidationFailed(errors)
    bucket = need.bucket(day)
    current = (await ledger.totals(session, [need.id], [bucket])).get(
        (need.id, bucket), ledger.Totals()
    )
    message = _("That would make the count negative.")
    if current.received + received < 0 or current.refused + refused < 0:
        errors.append(FieldError("received", message))
    if current.used + used < 0:
        errors.append(FieldError("used", message))
    if not errors and received - used < 0:
        on_hand = (await ledger.stock(session, [need.id])).get(need.id, ledger.Stock()).on_hand
        if on_hand + received - used < 0:
            message = _(
                "Only %(n)s %(unit)s are on hand: that would leave less than nothing.",
                n=format_number(max(on_hand, 0)),
                unit=need.item.unit,
            )
            errors.append(FieldError("used" if used else "received", message))
    if errors:
        raise ValidationFailed(errors)
    await ledger.record(
        session, need, day, EntryKind.CORRECTION, actor="team", actor_id=user.id,
        received=received, refused=refused, used=used, note=why,
    )  # fmt: skip
