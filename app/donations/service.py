"""The kitty's entry points: reconciliation, listings and labels; the rest lives in
amounts, kitty, checkout, gifts, receipts and events, re-exported here for the routers."""

import logging
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import utcnow
from app.donations.checkout import (  # noqa: F401
    CHECKOUT_LIFETIME,
    GiftInput,
    check_open,
    clean_gift,
    start_gift,
    thanks_path,
)
from app.donations.events import handle_stripe_event, record_event  # noqa: F401
from app.donations.gifts import (  # noqa: F401
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
from app.donations.kitty import ledger_totals, totals  # noqa: F401
from app.donations.models import (
    COUNTED,
    Donation,
    DonationStatus,
    Provider,
)
from app.donations.rules import amount_problem, maximum, minimum, suggested_amounts  # noqa: F401
from app.i18n import _
from app.payments import stripe as stripe_provider
from app.payments.base import ProviderError

log = logging.getLogger("aidons.donations")

RECONCILE_AFTER = timedelta(minutes=5)


# --- Reconciliation -------------------------------------------------------------------------


async def reconcile_pending(sessionmaker, older_than: timedelta = RECONCILE_AFTER) -> int:
    """Ask the provider about gifts pending for a while and apply their real state."""
    now = utcnow()
    async with sessionmaker() as session:
        ids = list(
            await session.scalars(
                select(Donation.id)
                .where(
                    Donation.status == DonationStatus.PENDING,
                    Donation.provider.in_([Provider.STRIPE, Provider.DEMO]),
                    Donation.created_at < now - older_than,
                    or_(Donation.checked_at.is_(None), Donation.checked_at < now - older_than),
                )
                .order_by(Donation.created_at)
                .limit(200)
            )
        )
    changed = 0
    for donation_id in ids:
        try:
            async with sessionmaker() as session, session.begin():
                changed += await _reconcile_one(session, donation_id)
        except (ProviderError, ProviderUnavailable) as exc:
            log.warning("reconcile: donation %s not checked: %s", donation_id, exc)
    return changed


async def _reconcile_one(session: AsyncSession, donation_id: int) -> int:
    donation = await lock(session, donation_id)
    if donation.status != DonationStatus.PENDING:
        return 0
    donation.checked_at = utcnow()
    if donation.provider == Provider.DEMO:
        if donation.created_at < utcnow() - CHECKOUT_LIFETIME:
            return int(await mark_closed(session, donation, DonationStatus.EXPIRED))
        return 0
    if not get_settings().stripe_secret_key or not donation.checkout_session_id:
        return 0
    state = await stripe_provider.fetch_session(donation.checkout_session_id)
    before = donation.status
    await apply_session_state(session, donation, state)
    return int(donation.status != before)


# --- Listings -------------------------------------------------------------------------------


async def donor_wall(
    session: AsyncSession, campaign: Campaign, limit: int = 20, offset: int = 0
) -> tuple[list[Donation], bool]:
    rows = list(
        await session.scalars(
            select(Donation)
            .where(Donation.campaign_id == campaign.id, Donation.status.in_(COUNTED))
            .order_by(Donation.created_at.desc(), Donation.id.desc())
            .limit(limit + 1)
            .offset(offset)
        )
    )
    return rows[:limit], len(rows) > limit


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
    return {
        DonationStatus.PENDING: _("pending"),
        DonationStatus.SUCCEEDED: _("succeeded"),
        DonationStatus.FAILED: _("failed"),
        DonationStatus.EXPIRED: _("expired"),
        DonationStatus.PARTIALLY_REFUNDED: _("partially refunded"),
        DonationStatus.REFUNDED: _("refunded"),
        DonationStatus.DISPUTED: _("disputed"),
    }[DonationStatus(status)]
