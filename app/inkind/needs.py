"""Needs, drop-off points and slots, and the per-need figures everyone sees."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from math import ceil

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign
from app.errors import FieldError, NotFound, ValidationFailed
from app.i18n import _
from app.inkind import ledger
from app.inkind.models import ALL_DAYS, DropOffPoint, Item, Need, Slot
from app.inkind.schemas import NeedCreate
from app.text import clean_line

DAYS_AHEAD = 7  # today and the six days after it, for daily needs
ALL_WEEKDAYS = "1234567"  # ISO weekdays, Monday 1 … Sunday 7


@dataclass(frozen=True)
class DayFigures:
    day: date
    needed: int
    pledged: int
    received: int
    refused: int = 0

    @property
    def missing(self) -> int:
        return max(self.needed - self.pledged - self.received, 0)

    @property
    def covered_percent(self) -> int:
        if self.needed <= 0:
            return 100
        return min((self.pledged + self.received) * 100 // self.needed, 100)

    @property
    def bar_step(self) -> int:
        return self.covered_percent // 5 * 5


@dataclass(frozen=True)
class NeedFigures:
    need: Need
    current: DayFigures  # today for a daily need, the whole need for a one-off
    days: list[DayFigures] = field(default_factory=list)
    received_all_time: int = 0

    @property
    def urgency(self) -> tuple:
        missing_share = self.current.missing / self.current.needed if self.current.needed else 0
        deadline = self.need.deadline or date.max
        return (self.need.priority, -missing_share, deadline, self.need.id)


def pledge_day(need: Need, due_on: date) -> date:
    return need.bucket(due_on)


def default_max_per_pledge(need: Need) -> int:
    """A quarter of the need (of a day's need for a daily one), rounded up to whole packs and
    never under two packs, never over the need itself: 300 diapers a day in packs of 30 gives
    90 (three packs); 200 blankets gives 50. One pledge can then never cover a need alone."""
    target = (need.per_day_units if need.is_daily else need.target_units) or 1
    pack = need.item.pack_size or 1
    quarter = ceil(target / 4 / pack) * pack
    return min(target, max(2 * pack, quarter))


def max_per_pledge(need: Need) -> int:
    """The most units one pledge may promise for this need: the organizer's, or the default."""
    return need.max_per_pledge or default_max_per_pledge(need)


# --- Needs -----------------------------------------------------------------------------


async def create_need(session: AsyncSession, campaign: Campaign, data: NeedCreate) -> Need:
    pack_size = data.pack_size
    item = Item(
        campaign_id=campaign.id,
        name=clean_line(data.item),
        unit=clean_line(data.unit),
        pack_label=clean_line(data.pack_label) if pack_size else "",
        pack_size=pack_size,
    )
    session.add(item)
    await session.flush()
    daily = data.kind == "daily"
    need = Need(
        campaign_id=campaign.id,
        item_id=item.id,
        kind=data.kind,
        target_units=None if daily else data.target_units,
        deadline=None if daily else data.deadline,
        per_day_units=data.per_day_units if daily else None,
        starts_on=data.starts_on if daily else None,
        ends_on=data.ends_on if daily else None,
        reason=clean_line(data.reason),
        priority=data.priority,
        policy=data.policy,
        max_per_pledge=data.max_per_pledge,
    )
    need.item = item
    session.add(need)
    await session.flush()
    return need


async def list_needs(session: AsyncSession, campaign: Campaign, active_only=True) -> list[Need]:
    query = select(Need).where(Need.campaign_id == campaign.id)
    if active_only:
        query = query.where(Need.active.is_(True))
    return list(await session.scalars(query.order_by(Need.priority, Need.id)))


async def get_need(session: AsyncSession, campaign: Campaign, need_id: int) -> Need:
    need = await session.get(Need, need_id)
    if need is None or need.campaign_id != campaign.id:
        raise NotFound(_("This need does not exist."))
    return need


async def set_need_active(session: AsyncSession, need: Need, active: bool) -> None:
    need.active = active
    await session.flush()


def horizon(need: Need, today: date) -> list[date]:
    if not need.is_daily:
        return [ALL_DAYS]
    return [today + timedelta(days=n) for n in range(DAYS_AHEAD)]


async def figures(session: AsyncSession, needs: list[Need], today: date) -> list[NeedFigures]:
    """Needed, pledged-not-received, received and missing per need, most urgent first."""
    days = sorted({day for need in needs for day in horizon(need, today)})
    ids = [need.id for need in needs]
    cached = await ledger.totals(session, ids, days)
    all_time = await ledger.received_all_time(session, ids)
    result = []
    for need in needs:
        per_day = []
        for day in horizon(need, today):
            sums = cached.get((need.id, day), ledger.Totals())
            per_day.append(
                DayFigures(day, need.needed_on(day), sums.pledged, sums.received, sums.refused)
            )
        result.append(
            NeedFigures(
                need=need,
                current=per_day[0],
                days=per_day if need.is_daily else [],
                received_all_time=all_time.get(need.id, 0),
            )
        )
    return sorted(result, key=lambda figures: figures.urgency)


# --- Drop-off points and slots -----------------------------------------------------------


def weekdays_text(values) -> str:
    """Chosen ISO weekdays ("1".."7") as stored: "123456"; none chosen means every day."""
    chosen = "".join(day for day in ALL_WEEKDAYS if day in {str(v) for v in values})
    return chosen or ALL_WEEKDAYS


async def create_drop_off_point(
    session: AsyncSession,
    campaign: Campaign,
    name: str,
    address: str,
    opening_hours: str,
    open_weekdays: str = ALL_WEEKDAYS,
) -> DropOffPoint:
    errors = []
    if not clean_line(name):
        errors.append(FieldError("name", _("Give the drop-off point a name.")))
    elif len(clean_line(name)) > 120:
        errors.append(FieldError("name", _("Must be at most %(n)s characters.", n=120)))
    if len(address) > 300 or len(opening_hours) > 300:
        errors.append(FieldError("address", _("Must be at most %(n)s characters.", n=300)))
    if errors:
        raise ValidationFailed(errors)
    point = DropOffPoint(
        campaign_id=campaign.id,
        name=clean_line(name),
        address=clean_line(address),
        opening_hours=clean_line(opening_hours),
        open_weekdays=weekdays_text(open_weekdays),
    )
    session.add(point)
    await session.flush()
    return point


async def list_drop_off_points(session: AsyncSession, campaign: Campaign) -> list[DropOffPoint]:
    query = select(DropOffPoint).where(
        DropOffPoint.campaign_id == campaign.id, DropOffPoint.active.is_(True)
    )
    return list(await session.scalars(query.order_by(DropOffPoint.id)))


async def get_drop_off_point(
    session: AsyncSession, campaign: Campaign, point_id: int
) -> DropOffPoint:
    point = await session.get(DropOffPoint, point_id)
    if point is None or point.campaign_id != campaign.id or not point.active:
        raise NotFound(_("This drop-off point does not exist."))
    return point


async def create_slot(
    session: AsyncSession,
    point: DropOffPoint,
    day: date,
    starts_at: time,
    ends_at: time,
    capacity: int | None,
    today: date,
) -> Slot:
    errors = []
    if day < today:
        errors.append(FieldError("day", _("Choose today or a later day.")))
    if ends_at <= starts_at:
        errors.append(FieldError("ends_at", _("The slot must end after it starts.")))
    if capacity is not None and capacity < 1:
        errors.append(FieldError("capacity", _("Must be at least %(n)s.", n=1)))
    if errors:
        raise ValidationFailed(errors)
    slot = Slot(
        drop_off_point_id=point.id, day=day, starts_at=starts_at, ends_at=ends_at, capacity=capacity
    )
    slot.drop_off_point = point
    session.add(slot)
    await session.flush()
    return slot


async def upcoming_slots(session: AsyncSession, campaign: Campaign, today: date) -> list[Slot]:
    query = (
        select(Slot)
        .join(DropOffPoint, DropOffPoint.id == Slot.drop_off_point_id)
        .where(DropOffPoint.campaign_id == campaign.id, Slot.day >= today)
        .order_by(Slot.day, Slot.starts_at, Slot.id)
    )
    return list(await session.scalars(query))


async def get_slot(session: AsyncSession, campaign: Campaign, slot_id: int) -> Slot:
    slot = await session.get(Slot, slot_id)
    if slot is None or slot.drop_off_point.campaign_id != campaign.id:
        raise NotFound(_("This time slot does not exist."))
    return slot


# --- Open days ------------------------------------------------------------------------------


async def slot_days(
    session: AsyncSession, point_ids: list[int], first: date, last: date
) -> dict[int, set[date]]:
    """The days each point has a time slot between first and last: a slot opens its day."""
    if not point_ids:
        return {}
    rows = await session.execute(
        select(Slot.drop_off_point_id, Slot.day).where(
            Slot.drop_off_point_id.in_(point_ids), Slot.day >= first, Slot.day <= last
        )
    )
    days: dict[int, set[date]] = {point_id: set() for point_id in point_ids}
    for point_id, day in rows:
        days[point_id].add(day)
    return days


def opens_on(point: DropOffPoint, day: date, slot_days_of_point: set[date]) -> bool:
    return str(day.isoweekday()) in (point.open_weekdays or ALL_WEEKDAYS) or (
        day in slot_days_of_point
    )


async def point_opens_on(session: AsyncSession, point: DropOffPoint, day: date) -> bool:
    if str(day.isoweekday()) in (point.open_weekdays or ALL_WEEKDAYS):
        return True
    return day in (await slot_days(session, [point.id], day, day))[point.id]
