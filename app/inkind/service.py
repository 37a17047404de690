"""The in-kind domain's entry points for routers and other domains.

The logic lives in needs.py, pledges.py, closing.py, deliveries.py, volunteers.py and
ledger.py; this module adds the shapes pages and the API show.
"""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign
from app.formatting import format_day, format_number
from app.i18n import _
from app.inkind import needs as needs_service
from app.inkind.models import ALIVE_STATUSES, Item, Pledge, Slot
from app.inkind.needs import NeedFigures
from app.inkind.schemas import DayOut, NeedOut, PledgeLineOut, PledgeOut


def format_units(units: int, item: Item) -> str:
    """'300 diapers', and the packs when it is a whole number of them: '300 diapers (10 × pack
    of 30)'. Units stay the truth; packs only help people count."""
    text = f"{format_number(units)} {item.unit}"
    if item.pack_size and units >= item.pack_size and units % item.pack_size == 0:
        text += " " + _(
            "(%(packs)s × %(label)s of %(size)s)",
            packs=format_number(units // item.pack_size),
            label=item.pack_label or _("pack"),
            size=item.pack_size,
        )
    return text


async def campaign_figures(
    session: AsyncSession, campaign: Campaign, today: date
) -> list[NeedFigures]:
    needs = await needs_service.list_needs(session, campaign)
    return await needs_service.figures(session, needs, today)


def need_out(figures: NeedFigures) -> NeedOut:
    need, current = figures.need, figures.current
    return NeedOut(
        id=need.id,
        item=need.item.name,
        unit=need.item.unit,
        pack_label=need.item.pack_label,
        pack_size=need.item.pack_size,
        kind=need.kind,
        reason=need.reason,
        priority=need.priority,
        policy=need.policy,
        max_per_pledge=needs_service.max_per_pledge(need),
        target_units=need.target_units,
        deadline=need.deadline,
        per_day_units=need.per_day_units,
        starts_on=need.starts_on,
        ends_on=need.ends_on,
        day=current.day if need.is_daily else None,
        needed=current.needed,
        pledged=current.pledged,
        received=current.received,
        refused=current.refused,
        missing=current.missing,
        received_all_time=figures.received_all_time,
        days=[
            DayOut(
                day=d.day,
                needed=d.needed,
                pledged=d.pledged,
                received=d.received,
                missing=d.missing,
            )
            for d in figures.days
        ],
    )


async def need_outs(session: AsyncSession, campaign: Campaign, today: date) -> list[NeedOut]:
    return [need_out(f) for f in await campaign_figures(session, campaign, today)]


def slot_label(slot: Slot) -> str:
    return _(
        "%(day)s, %(start)s–%(end)s",
        day=format_day(slot.day),
        start=slot.starts_at.strftime("%H:%M"),
        end=slot.ends_at.strftime("%H:%M"),
    )


async def slot_bookings(session: AsyncSession, slot_ids: list[int]) -> dict[int, int]:
    if not slot_ids:
        return {}
    rows = await session.execute(
        select(Pledge.slot_id, func.count(Pledge.id))
        .where(Pledge.slot_id.in_(slot_ids), Pledge.status.in_(ALIVE_STATUSES))
        .group_by(Pledge.slot_id)
    )
    return dict(rows.all())


def pledge_out(pledge: Pledge, *, private: bool, manage_url: str | None = None) -> PledgeOut:
    return PledgeOut(
        code=pledge.code,
        status=pledge.status,
        due_on=pledge.due_on,
        drop_off_point=pledge.drop_off_point.name if pledge.drop_off_point else None,
        slot=slot_label(pledge.slot) if pledge.slot else None,
        lines=[
            PledgeLineOut(
                need_id=line.need_id,
                item=line.need.item.name,
                unit=line.need.item.unit,
                units=line.units,
                received_units=line.received_units,
                refused_units=line.refused_units,
            )
            for line in pledge.lines
        ],
        hold_expires_at=pledge.hold_expires_at if pledge.is_held else None,
        manage_url=manage_url,
        donor_name=pledge.donor_name if private else None,
        donor_email=pledge.donor_email if private else None,
        donor_phone=pledge.donor_phone if private else None,
    )
