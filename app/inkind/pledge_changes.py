"""Changing a live pledge from its private link: quantities, day, time slot, drop-off point.

The same rules as a new pledge hold (caps under row locks, the per-pledge maximum, open days,
a short hold far ahead); a line set to 0 disappears, and the ledger records every move."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign
from app.db import utcnow
from app.errors import Conflict, FieldError, ValidationFailed
from app.formatting import format_number
from app.i18n import _
from app.inkind import ledger, pledge_rules
from app.inkind.capacity import (
    available,
    check_slot,
    ensure_open,
    lock_needs,
    status_after_delivery,
)
from app.inkind.models import ALIVE_STATUSES, EntryKind, Pledge, PledgeLine
from app.inkind.needs import max_per_pledge
from app.inkind.schemas import MAX_UNITS
from app.outbox import OutboxEmail

MAX_DAYS_AHEAD_DAYS = 366


class NothingLeft(ValidationFailed):
    """Every line set to 0: the donor is asked whether to cancel instead."""

    def __init__(self) -> None:
        message = _("To give nothing, cancel the pledge instead.")
        super().__init__([FieldError("form", message)], message)


@dataclass
class Changes:
    units: dict[int, int]  # need id → units wanted (0 removes the line)
    move: bool = False  # False: keep the day, slot and point
    due_on: date | None = None
    slot_id: int | None = None
    drop_off_point_id: int | None = None


@dataclass
class Outcome:
    pledge: Pledge
    moved: bool = False
    newly_held: bool = False
    removed: list[str] = field(default_factory=list)  # names of the lines that disappeared


async def _place(
    session: AsyncSession, campaign: Campaign, pledge: Pledge, changes: Changes, today: date
) -> tuple:
    """The day, slot and point after the change, or field errors."""
    if not changes.move:
        return pledge.due_on, pledge.slot, pledge.drop_off_point, []
    slot, point, errors = await pledge_rules.chosen_place(
        session, campaign, changes.slot_id, changes.drop_off_point_id, today
    )
    due_on = slot.day if slot else (changes.due_on or pledge.due_on)
    if errors:
        return due_on, slot, point, errors
    if not slot and due_on < today:
        errors.append(FieldError("due_on", _("Choose today or a later day.")))
    elif not slot and (due_on - today).days > MAX_DAYS_AHEAD_DAYS:
        errors.append(FieldError("due_on", _("Choose a day within the next year.")))
    elif closed := await pledge_rules.open_day_error(session, campaign, point, slot, due_on):
        errors.append(closed)
    elif (
        due_on != pledge.due_on
        and pledge.confirmed_at is None
        and pledge_rules.is_far_ahead(due_on, today)
    ):
        far = pledge_rules.far_ahead_error("slot_id" if slot else "due_on", pledge.donor_email)
        if far:
            errors.append(far)
    if due_on != pledge.due_on and any(line.brought for line in pledge.lines):
        message = _("Part of this pledge already arrived: its day cannot change.")
        errors.append(FieldError("due_on", message))
    return due_on, slot, point, errors


async def change_pledge(
    session: AsyncSession,
    campaign: Campaign,
    pledge: Pledge,
    changes: Changes,
    *,
    today: date,
    actor: str,
    actor_id: int | None = None,
) -> Outcome:
    """Apply the change whole (the pledge row locked by the caller), or raise with field
    errors and write nothing. The per-pledge maximum binds donors, not the team."""
    if pledge.status not in ALIVE_STATUSES:
        raise Conflict(_("This pledge can no longer be changed."))
    ensure_open(campaign)
    due_on, slot, point, errors = await _place(session, campaign, pledge, changes, today)
    if errors:
        raise ValidationFailed(errors)
    if slot is not None and slot.id != pledge.slot_id:
        await check_slot(session, slot, moving_pledge_id=pledge.id)
    needs = await lock_needs(session, campaign, {line.need_id for line in pledge.lines})
    wanted = {line.need_id: changes.units.get(line.need_id, line.units) for line in pledge.lines}
    if all(units == 0 for units in wanted.values()):
        raise NothingLeft()
    for line in pledge.lines:
        error = await _line_error(session, line, wanted[line.need_id], due_on, pledge, needs, actor)
        if error:
            errors.append(FieldError(f"units.{line.need_id}", error))
    if errors:
        raise ValidationFailed(errors)
    outcome = Outcome(pledge, moved=due_on != pledge.due_on or slot != pledge.slot)
    for line in list(pledge.lines):
        await _apply_line(session, pledge, line, wanted[line.need_id], due_on, actor, actor_id)
        if wanted[line.need_id] == 0:
            outcome.removed.append(line.need.item.name)
            pledge.lines.remove(line)
            await session.delete(line)
    if outcome.moved:
        outcome.newly_held = _hold_if_far(pledge, due_on, today)
        pledge.due_on, pledge.slot, pledge.drop_off_point = due_on, slot, point
        # The reminder was for the old day; the router queues the new one after this.
        await session.execute(
            delete(OutboxEmail).where(
                OutboxEmail.dedupe_key == f"pledge:{pledge.id}:reminder",
                OutboxEmail.sent_at.is_(None),
            )
        )
    pledge.status = status_after_delivery(pledge)
    pledge.updated_at = utcnow()
    await session.flush()
    return outcome


def _hold_if_far(pledge: Pledge, due_on: date, today: date) -> bool:
    """Moving an unconfirmed pledge far ahead starts a hold; moving it near ends one."""
    if pledge.confirmed_at is not None:
        return False
    if not pledge_rules.is_far_ahead(due_on, today):
        pledge.hold_expires_at = None
        return False
    if pledge.hold_expires_at is not None:
        return False  # already held: moving does not buy more time
    pledge.hold_expires_at = pledge_rules.hold_expiry(utcnow())
    return True


async def _line_error(session, line, wanted, due_on, pledge, needs, actor) -> str | None:
    need = needs.get(line.need_id)
    if wanted < line.brought:
        return _("At least %(n)s: that much already arrived.", n=line.brought)
    if wanted > MAX_UNITS:
        return _("At most %(n)s.", n=format_number(MAX_UNITS))
    if need is None:  # hidden since: the line may shrink or go, not grow or move
        if wanted > line.units or due_on != pledge.due_on:
            return _("This need is no longer open: you can only lower it or remove it.")
        return None
    if actor == "donor" and wanted > line.units and wanted > max_per_pledge(need):
        return pledge_rules.outsized_message(need)
    if wanted and need.is_daily and need.needed_on(due_on) == 0:
        return _("%(item)s is not needed on that day.", item=need.item.name)
    if wanted and not need.is_daily and need.deadline and due_on > need.deadline:
        return _(
            "%(item)s is needed by %(day)s at the latest.",
            item=need.item.name,
            day=need.deadline.isoformat(),
        )
    if not need.is_capped or not wanted:
        return None
    moving = need.bucket(due_on) != need.bucket(pledge.due_on)
    if not moving and wanted <= line.units:
        return None  # less than before always fits
    already_counted = 0 if moving else line.open_units
    left = await available(session, need, due_on)
    if wanted - line.brought - already_counted > left:
        most = max(left, 0) + already_counted + line.brought
        if moving:
            return _("At most %(n)s on that day: the rest is already covered.", n=most)
        return _("At most %(n)s: the rest is already covered.", n=most)
    return None


async def _apply_line(
    session: AsyncSession,
    pledge: Pledge,
    line: PledgeLine,
    wanted: int,
    due_on: date,
    actor: str,
    actor_id: int | None,
) -> None:
    """Ledger entries for one line: a changed quantity, or its open units moved to a new day."""
    need = line.need
    old_open = line.open_units
    new_open = max(wanted - line.brought, 0)
    line.units = wanted
    entry = {"actor": actor, "actor_id": actor_id, "pledge_id": pledge.id}
    if need.bucket(due_on) == need.bucket(pledge.due_on):
        if new_open != old_open:
            await ledger.record(
                session, need, due_on, EntryKind.PLEDGE_CHANGED, pledged=new_open - old_open,
                **entry,
            )  # fmt: skip
        return
    note = f"moved from {pledge.due_on.isoformat()} to {due_on.isoformat()}"
    if old_open:
        await ledger.record(
            session, need, pledge.due_on, EntryKind.PLEDGE_CHANGED, pledged=-old_open,
            note=note, **entry,
        )  # fmt: skip
    if new_open:
        await ledger.record(
            session, need, due_on, EntryKind.PLEDGE_CHANGED, pledged=new_open, note=note, **entry
        )


async def change_quantities(
    session: AsyncSession,
    campaign: Campaign,
    pledge: Pledge,
    new_units: dict[int, int],
    *,
    actor: str,
    actor_id: int | None = None,
) -> Pledge:
    """Change only what a live pledge promises; never below what already arrived, never past
    a cap."""
    outcome = await change_pledge(
        session, campaign, pledge, Changes(units=new_units),
        today=utcnow().date(), actor=actor, actor_id=actor_id,
    )  # fmt: skip
    return outcome.pledge
