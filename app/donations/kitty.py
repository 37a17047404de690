"""The counted total of a kitty: a cache of the donations ledger, changed in the same
transaction as each gift, and the same figures computed from the ledger for checks."""

import logging

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app import pagecache
from app.donations.models import (
    COUNTED,
    Donation,
    KittyTotal,
    Refund,
)

log = logging.getLogger("aidons.donations")

# --- The counted total (a cache of the ledger, changed in the same transaction) ------------


def contribution(donation: Donation) -> tuple[int, int]:
    if donation.status in COUNTED:
        return donation.amount_minor - donation.refunded_minor, 1
    return 0, 0


async def recount(session: AsyncSession, donation: Donation, before: tuple[int, int]) -> None:
    after = contribution(donation)
    delta_raised, delta_donors = after[0] - before[0], after[1] - before[1]
    if not delta_raised and not delta_donors:
        return
    pagecache.campaign_changed(session, donation.campaign_id)  # the donor sees their gift at once
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(KittyTotal)
        .values(campaign_id=donation.campaign_id, raised_minor=delta_raised, donors=delta_donors)
        .on_conflict_do_update(
            index_elements=["campaign_id"],
            set_={
                "raised_minor": KittyTotal.raised_minor + delta_raised,
                "donors": KittyTotal.donors + delta_donors,
            },
        )
    )
    await session.execute(statement)


async def totals(session: AsyncSession, campaign_id: int) -> tuple[int, int]:
    """(raised in minor units, donors) for the progress bar: one primary-key read."""
    row = (
        await session.execute(
            select(KittyTotal.raised_minor, KittyTotal.donors).where(
                KittyTotal.campaign_id == campaign_id
            )
        )
    ).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def ledger_totals(session: AsyncSession, campaign_id: int) -> tuple[int, int]:
    """The same figures computed from the ledger itself (checks, tests, reconciliation)."""
    refunded = (
        select(Refund.donation_id, func.sum(Refund.amount_minor).label("amount"))
        .group_by(Refund.donation_id)
        .subquery()
    )
    row = (
        await session.execute(
            select(
                func.coalesce(
                    func.sum(Donation.amount_minor - func.coalesce(refunded.c.amount, 0)), 0
                ),
                func.count(Donation.id),
            )
            .outerjoin(refunded, refunded.c.donation_id == Donation.id)
            .where(Donation.campaign_id == campaign_id, Donation.status.in_(COUNTED))
        )
    ).one()
    return int(row[0]), int(row[1])
