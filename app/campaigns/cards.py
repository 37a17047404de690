"""The figures on the team's campaign cards, for all of a person's campaigns at once.

Two queries whatever the number of campaigns: money and upcoming pledges in one, goods in
the other. They read the same running totals as the landing page (kitty_totals and the
in-kind totals), so a card never disagrees with the public page.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign
from app.campaigns.service import Progress
from app.db import utcnow
from app.donations.models import KittyTotal
from app.inkind.models import ALIVE_STATUSES, ALL_DAYS, InkindTotal, Need, NeedKind, Pledge
from app.money import Money


@dataclass(frozen=True)
class CardFigures:
    progress: Progress
    goods_needed: int = 0  # today's units for daily needs, the whole target for one-off needs
    goods_received: int = 0
    needs: int = 0  # active needs; 0 hides the goods line
    pledges_upcoming: int = 0  # pledges still to be brought, today or later


async def _money_and_pledges(
    session: AsyncSession, ids: list[int], today: date
) -> dict[int, tuple[int, int, int]]:
    upcoming = (
        select(Pledge.campaign_id, func.count(Pledge.id).label("pledges"))
        .where(
            Pledge.campaign_id.in_(ids),
            Pledge.status.in_(ALIVE_STATUSES),
            Pledge.due_on >= today,
        )
        .group_by(Pledge.campaign_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Campaign.id,
            func.coalesce(KittyTotal.raised_minor, 0),
            func.coalesce(KittyTotal.donors, 0),
            func.coalesce(upcoming.c.pledges, 0),
        )
        .outerjoin(KittyTotal, KittyTotal.campaign_id == Campaign.id)
        .outerjoin(upcoming, upcoming.c.campaign_id == Campaign.id)
        .where(Campaign.id.in_(ids))
    )
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in rows}


async def _goods(
    session: AsyncSession, ids: list[int], today: date
) -> dict[int, tuple[int, int, int]]:
    """(needed, received, needs) per campaign, from the totals bucket each need counts in."""
    bucket = or_(
        and_(Need.kind == NeedKind.DAILY, InkindTotal.day == today),
        and_(Need.kind != NeedKind.DAILY, InkindTotal.day == ALL_DAYS),
    )
    rows = await session.execute(
        select(Need, func.coalesce(InkindTotal.received, 0))
        .outerjoin(InkindTotal, and_(InkindTotal.need_id == Need.id, bucket))
        .where(Need.campaign_id.in_(ids), Need.active.is_(True))
    )
    goods: dict[int, tuple[int, int, int]] = {}
    for need, received in rows:
        needed_sum, received_sum, count = goods.get(need.campaign_id, (0, 0, 0))
        goods[need.campaign_id] = (
            needed_sum + need.needed_on(today),
            received_sum + int(received),
            count + 1,
        )
    return goods


async def figures(session: AsyncSession, campaigns: list[Campaign]) -> dict[int, CardFigures]:
    if not campaigns:
        return {}
    ids = [campaign.id for campaign in campaigns]
    today = utcnow().date()  # the day the landing page's needs are counted for
    money = await _money_and_pledges(session, ids, today)
    goods = await _goods(session, ids, today)
    result = {}
    for campaign in campaigns:
        raised, donors, pledges = money.get(campaign.id, (0, 0, 0))
        needed, received, needs = goods.get(campaign.id, (0, 0, 0))
        progress = Progress(Money(raised, campaign.currency), campaign.goal, donors)
        result[campaign.id] = CardFigures(progress, needed, received, needs, pledges)
    return result
