"""The pledges expected at the drop-off points, grouped the way a volunteer prepares a day:
by day, then drop-off point, then time slot, with what each group should bring in all."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign
from app.inkind.closing import GRACE_DAYS
from app.inkind.models import ALIVE_STATUSES, DropOffPoint, Item, Pledge, PledgeStatus, Slot

DAYS_SHOWN = 14  # today and the next 13 days
EXPECTED = (*ALIVE_STATUSES, PledgeStatus.WAITLISTED)


@dataclass(frozen=True)
class ItemTotal:
    item: Item
    units: int


@dataclass
class Group:
    """Pledges of one slot (or of no slot) at one point on one day."""

    slot: Slot | None
    pledges: list[Pledge] = field(default_factory=list)

    @property
    def totals(self) -> list[ItemTotal]:
        return _totals(self.pledges)


@dataclass
class PointDay:
    point: DropOffPoint | None
    groups: list[Group] = field(default_factory=list)

    @property
    def totals(self) -> list[ItemTotal]:
        return _totals([p for group in self.groups for p in group.pledges])

    @property
    def count(self) -> int:
        return sum(len(group.pledges) for group in self.groups)


@dataclass
class Day:
    day: date
    late: bool  # the day passed: they may still come before the pledge expires
    points: list[PointDay] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(point.count for point in self.points)


def expected_units(pledge: Pledge) -> dict[int, int]:
    """Units still expected per need: what is promised and not yet brought."""
    if pledge.status == PledgeStatus.WAITLISTED:
        return {line.need_id: line.units for line in pledge.lines}
    return {line.need_id: line.open_units for line in pledge.lines if line.open_units}


def _totals(pledges: list[Pledge]) -> list[ItemTotal]:
    units: dict[int, int] = defaultdict(int)
    items: dict[int, Item] = {}
    for pledge in pledges:
        for line in pledge.lines:
            expected = expected_units(pledge).get(line.need_id, 0)
            if expected:
                units[line.need.item.id] += expected
                items[line.need.item.id] = line.need.item
    return [ItemTotal(items[item_id], units[item_id]) for item_id in sorted(units)]


def first_name(name: str) -> str:
    """What a volunteer calls out at the door; the full name stays on the pledge's page."""
    parts = name.split()
    return parts[0] if parts else ""


async def upcoming(session: AsyncSession, campaign: Campaign, today: date) -> list[Day]:
    """Pledges still expected from GRACE_DAYS ago (late ones) to DAYS_SHOWN days ahead."""
    rows = await session.scalars(
        select(Pledge)
        .outerjoin(Slot, Slot.id == Pledge.slot_id)
        .where(
            Pledge.campaign_id == campaign.id,
            Pledge.status.in_(EXPECTED),
            Pledge.due_on >= today - timedelta(days=GRACE_DAYS),
            Pledge.due_on < today + timedelta(days=DAYS_SHOWN),
        )
        .order_by(Pledge.due_on, Pledge.drop_off_point_id, Slot.starts_at, Pledge.id)
    )
    days: dict[date, Day] = {}
    for pledge in rows:
        if not expected_units(pledge):
            continue
        day = days.setdefault(pledge.due_on, Day(pledge.due_on, late=pledge.due_on < today))
        point_id = pledge.drop_off_point_id
        point = next((p for p in day.points if _id(p.point) == point_id), None)
        if point is None:
            point = PointDay(pledge.drop_off_point)
            day.points.append(point)
        slot_id = pledge.slot_id
        group = next((g for g in point.groups if _id(g.slot) == slot_id), None)
        if group is None:
            group = Group(pledge.slot)
            point.groups.append(group)
        group.pledges.append(pledge)
    for day in days.values():
        day.points.sort(key=lambda p: (p.point is None, p.point.name if p.point else ""))
        for point in day.points:
            point.groups.sort(key=lambda g: (g.slot is not None, _start(g.slot)))
    return list(days.values())


def _id(row) -> int | None:
    return row.id if row is not None else None


def _start(slot: Slot | None) -> time:
    return slot.starts_at if slot is not None else time.min
