"""Real-life results, the way the progress page leads with them: what reached people."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.inkind import ledger
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
    used: int = 0  # handed out or used, as volunteers recorded it
    needed_today: int = 0  # a daily need outside its dates needs nothing today

    @property
    def on_hand(self) -> int:
        return max(self.received - self.used, 0)

    @property
    def days_covered(self) -> int | None:
        """Whole days the goods on hand last at the daily rate (what was used already
        reached people: it covers no day ahead)."""
        return self.on_hand // self.per_day if self.per_day else None

    @property
    def why_no_day(self) -> str | None:
        """Why a daily need shows 0 days covered: "no_daily_need" (outside its dates),
        "nothing_received", "all_used" or "less_than_a_day" (on_hand says how much)."""
        if self.days_covered != 0:
            return None
        if self.needed_today <= 0:
            return "no_daily_need"
        if self.received <= 0:
            return "nothing_received"
        if self.on_hand <= 0:
            return "all_used"
        return "less_than_a_day"


@dataclass(frozen=True)
class Outcomes:
    progress: campaigns.Progress
    spending: Spending
    goods: list[GoodsOutcome]
    goods_givers: int

    @property
    def balance(self) -> Money:
        return self.progress.raised - self.spending.spent

    @property
    def spent_beyond_kitty(self) -> bool:
        """More spent than the kitty raised: the rest came from elsewhere (cash handed over,
        mobile money, the organizers' own money), which the kitty does not count."""
        return self.balance.amount_minor < 0


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
    stock = await ledger.stock(session, [f.need.id for f in figures])
    goods = [
        GoodsOutcome(
            item=f.need.item.name,
            unit=f.need.item.unit,
            received=f.received_all_time,
            reason=f.need.reason,
            per_day=f.need.per_day_units if f.need.is_daily else None,
            target=None if f.need.is_daily else f.need.target_units,
            used=stock.get(f.need.id, ledger.Stock()).used,
            needed_today=f.current.needed,
        )
        for f in figures
    ]
    return Outcomes(
        progress=await campaigns.progress(session, campaign),
        spending=await spending(session, campaign),
        goods=goods,
        goods_givers=await goods_givers(session, campaign),
    )
