"""The kitty's listings and labels; the rest lives in rules, kitty, checkout, gifts, receipts,
events and reconcile, and what routers use is re-exported here."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import labels
from app.campaigns.models import Campaign
from app.donations.checkout import CHECKOUT_LIFETIME, cancel_path, start_gift, thanks_path
from app.donations.events import handle_stripe_event, record_event
from app.donations.gifts import (
    OFFLINE_METHODS,
    ProviderUnavailable,
    apply_session_state,
    by_reference,
    for_campaign,
    lock,
    mark_closed,
    mark_disputed,
    mark_succeeded,
    record_offline,
    refund,
)
from app.donations.kitty import ledger_totals, totals
from app.donations.models import COUNTED, Donation
from app.donations.rules import (
    GiftInput,
    amount_problem,
    check_open,
    clean_gift,
    maximum,
    minimum,
    suggested_amounts,
)
from app.money import Money

log = logging.getLogger("aidons.donations")

# What the routers use, from the module that owns it.
__all__ = [
    "CHECKOUT_LIFETIME", "OFFLINE_METHODS", "GiftInput", "ProviderUnavailable",
    "amount_problem", "apply_session_state", "by_reference", "cancel_path", "check_open",
    "clean_gift",
    "donor_wall", "for_campaign", "handle_stripe_event", "ledger_totals", "list_donations",
    "lock", "mark_closed", "mark_disputed", "mark_succeeded", "maximum", "minimum",
    "record_event", "record_offline", "refund", "start_gift", "status_label",
    "suggested_amounts", "thanks_path", "totals",
]  # fmt: skip

# --- Listings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WallGift:
    """A gift as the public wall shows it: what stayed in the kitty, never an email."""

    name: str | None  # None: anonymous or no name given
    amount: Money  # after refunds
    message: str
    created_at: datetime


async def donor_wall(
    session: AsyncSession, campaign: Campaign, limit: int = 20, offset: int = 0
) -> tuple[list[WallGift], bool]:
    """Counted gifts, newest first, at what they are worth after refunds (as the total is):
    a fully refunded gift is no longer counted, so it leaves the wall."""
    rows = list(
        await session.scalars(
            select(Donation)
            .where(Donation.campaign_id == campaign.id, Donation.status.in_(COUNTED))
            .order_by(Donation.created_at.desc(), Donation.id.desc())
            .limit(limit + 1)
            .offset(offset)
        )
    )
    gifts = [WallGift(d.public_name, d.refundable, d.message, d.created_at) for d in rows[:limit]]
    return gifts, len(rows) > limit


async def list_donations(
    session: AsyncSession,
    campaign: Campaign,
    status: str | None = None,
    provider: str | None = None,
    search: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Donation], int]:
    query = select(Donation).where(Donation.campaign_id == campaign.id)
    if status:
        query = query.where(Donation.status == status)
    if provider:
        query = query.where(Donation.provider == provider)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Donation.donor_name).like(pattern),
                func.lower(Donation.email).like(pattern),
                Donation.reference == search.strip(),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Donation.created_at.desc(), Donation.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


def status_label(status: str) -> str:
    return labels.status_label("donation", status)
