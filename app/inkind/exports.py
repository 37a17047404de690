"""The goods movements behind the deliveries CSV: every ledger entry that moved goods in or
out (deliveries, walk-ins, purchases, corrections, goods used), so that its columns add up to
the figures the public progress page shows."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.inkind.models import ALL_DAYS, Delivery, InkindEntry, Need, StockUse


@dataclass(frozen=True)
class Movement:
    entry: InkindEntry
    need: Need
    delivery: Delivery | None
    use: StockUse | None
    recorded_by: str

    @property
    def day(self) -> date:
        """The day the goods came or went: a one-off need's entries are all in one bucket,
        so its receipts keep their own date."""
        if self.delivery is not None:
            return self.delivery.received_on
        if self.use is not None:
            return self.use.used_on
        if self.entry.day != ALL_DAYS:
            return self.entry.day
        return self.entry.created_at.date()

    @property
    def recorded_at(self) -> datetime:
        return self.entry.created_at


async def movements(session: AsyncSession, campaign: Campaign) -> list[Movement]:
    rows = await session.execute(
        select(InkindEntry, Need, Delivery, StockUse, User.display_name)
        .join(Need, Need.id == InkindEntry.need_id)
        .outerjoin(Delivery, Delivery.id == InkindEntry.delivery_id)
        .outerjoin(StockUse, StockUse.id == InkindEntry.use_id)
        .outerjoin(User, User.id == InkindEntry.actor_id)
        .where(
            InkindEntry.campaign_id == campaign.id,
            or_(
                InkindEntry.received_delta != 0,
                InkindEntry.refused_delta != 0,
                InkindEntry.used_delta != 0,
            ),
        )
        .order_by(InkindEntry.id)
    )
    return [
        Movement(entry, need, delivery, use, name or "")
        for entry, need, delivery, use, name in rows
    ]
