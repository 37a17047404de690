"""Kitty test data: gifts started through the public API, as a donor's browser would."""

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.donations import service
from app.donations.models import Donation


async def start_gift(client: AsyncClient, tag: str, amount_minor: int, **fields) -> dict:
    body = {"amount_minor": amount_minor, **fields}
    response = await client.post(f"/api/v1/campaigns/{tag}/donations", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def get_donation(session: AsyncSession, donation_id: int) -> Donation:
    donation = await session.scalar(
        select(Donation).where(Donation.id == donation_id).execution_options(populate_existing=True)
    )
    await session.refresh(donation, ["refunds"])
    return donation


async def assert_totals_match_ledger(session: AsyncSession, campaign_id: int) -> tuple[int, int]:
    """The running total the landing page reads equals what the ledger says."""
    cached = await service.totals(session, campaign_id)
    assert cached == await service.ledger_totals(session, campaign_id)
    return cached
