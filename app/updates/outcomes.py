"""Real-life results, the way the progress page leads with them: what reached people."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.inkind import service as inkind
from app.inkind.models import Delivery
from app.money import Money
from app.updates.expenses import Spending, spending


@dataclass(frozen=True)
class GoodsOutcome:
    item: str
    unit: str
    received: int
    reason: str
    per_day: int | None  # daily needs: units a day, to count the days covered
    target: int | None  # one-off needs

    @property
    def days_covered(self) -> int | None:
        return self.received // self.per_day if self.per_day else None


@dataclass(frozen=True)
class Outcomes:
    progress: campaigns.Progress
    spending: Spending
    goods: list[GoodsOutcome]
    goods_givers: int

    @property
    def balance(self) -> Money:
        return self.progress.raised - self.spending.spent


async def goods_givers(session: AsyncSession, campaign: Campaign) -> int:
    """People who brought goods: each pledge that was delivered, and each walk-in."""
    pledged, walk_ins = (
        await session.execute(
            select(
                func.count(distinct(Delivery.pledge_id)),
                func.count(Delivery.id).filter(Delivery.pledge_id.is_(None)),
            ).where(Delivery.campaign_id == campaign.id)
        )
    ).one()
    return int(pledged) + int(walk_ins)


async def outcomes(session: AsyncSession, campaign: Campaign, today: date) -> Outcomes:
    figures = await inkind.campaign_figures(session, campaign, today)
    goods = [
        GoodsOutcome(
            item=f.need.item.name,
            unit=f.need.item.unit,
            received=f.received_all_time,
            reason=f.need.reason,
            per_day=f.need.per_day_units if f.need.is_daily else None,
            target=None if f.need.is_daily else f.need.target_units,
        )
        for f in figures
    ]
    return Outcomes(
        progress=await campaigns.progress(session, campaign),
        spending=await spending(session, campaign),
        goods=goods,
        goods_givers=await goods_givers(session, campaign),
    )
