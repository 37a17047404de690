"""What is still missing, decided under row locks, for new and changed pledges alike.

Lock order, everywhere: the time slot first, then the needs in id order."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign, CampaignStatus
from app.errors import Conflict, FieldError
from app.i18n import _
from app.inkind import ledger
from app.inkind.models import ALIVE_STATUSES, Need, Pledge, PledgeStatus, Slot


def ensure_open(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.LIVE:
        raise Conflict(_("This campaign is not accepting pledges at the moment."))


def status_after_delivery(pledge: Pledge) -> str:
    brought = sum(line.brought for line in pledge.lines)
    if all(line.brought >= line.units for line in pledge.lines):
        return PledgeStatus.RECEIVED
    return PledgeStatus.PARTIALLY_RECEIVED if brought else PledgeStatus.PLEDGED


async def lock_needs(session: AsyncSession, campaign: Campaign, ids: set[int]) -> dict[int, Need]:
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


def covered_message(need: Need, left: int, day: date) -> str:
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


async def check_slot(
    session: AsyncSession, slot: Slot | None, moving_pledge_id: int | None = None
) -> None:
    """Refuse a full slot (row-locked); a pledge already in it does not count against itself."""
    if slot is None or slot.capacity is None:
        return
    await session.execute(select(Slot.id).where(Slot.id == slot.id).with_for_update())
    query = select(func.count(Pledge.id)).where(
        Pledge.slot_id == slot.id, Pledge.status.in_(ALIVE_STATUSES)
    )
    if moving_pledge_id is not None:
        query = query.where(Pledge.id != moving_pledge_id)
    if await session.scalar(query) >= slot.capacity:
        message = _("This time slot is full. Choose another slot or day.")
        raise Conflict(message, field_errors=[FieldError("slot_id", message)])
