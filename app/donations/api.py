"""The donations API: start a gift, list gifts (team), record offline gifts, refund."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request

from app.accounts.deps import ApiUser
from app.campaigns import access
from app.campaigns.access import ApiDonationsCampaign, ApiOfflineGiftCampaign, PublicCampaign
from app.campaigns.models import Campaign
from app.db import Offset, PathId, SessionDep, WriteSessionDep
from app.donations import service
from app.donations.intake import gift_allowed
from app.donations.models import Donation, DonationStatus, Provider
from app.donations.schemas import (
    DonationCreate,
    DonationList,
    DonationOut,
    DonationStarted,
    OfflineDonationCreate,
    RefundCreate,
)
from app.errors import NotFound, TooManyRequests
from app.formatting import absolute_url
from app.i18n import _

api = APIRouter(prefix="/api/v1", tags=["donations"])


@api.post("/campaigns/{tag}/donations", status_code=201, response_model=DonationStarted)
async def api_start_donation(
    body: DonationCreate,
    request: Request,
    session: WriteSessionDep,
    viewer: PublicCampaign,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
):
    """Start a gift: returns the donation and the checkout URL to send the donor to."""
    campaign = viewer.campaign
    service.check_open(campaign)
    if not await gift_allowed(session, request, campaign, body.email):
        raise TooManyRequests(retry_after=600)
    gift = service.GiftInput.of(body)
    key = body.idempotency_key or idempotency_key
    donation = await service.start_gift(session, campaign, gift, key)
    return DonationStarted(
        id=donation.id,
        reference=donation.reference,
        status=donation.status,
        amount_minor=donation.amount_minor,
        currency=donation.currency,
        # The demo checkout's address is relative to this server; an API client needs it whole.
        checkout_url=absolute_url(donation.checkout_url)
        if (donation.checkout_url or "").startswith("/")
        else donation.checkout_url or "",
        status_url=absolute_url(service.thanks_path(campaign, donation)),
    )


@api.get("/campaigns/{tag}/donations", response_model=DonationList)
async def api_list_donations(
    session: SessionDep,
    viewer: ApiDonationsCampaign,
    status: DonationStatus | None = None,
    provider: Provider | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
):
    """Every donation of the campaign, newest first (organizers only: includes donor emails)."""
    rows, total = await service.list_donations(
        session, viewer.campaign, status, provider, q, limit, offset
    )
    return DonationList(
        items=[DonationOut.model_validate(d) for d in rows], total=total, limit=limit, offset=offset
    )


@api.post("/campaigns/{tag}/donations/offline", status_code=201, response_model=DonationOut)
async def api_record_offline(
    body: OfflineDonationCreate, session: WriteSessionDep, viewer: ApiOfflineGiftCampaign
):
    """Record money received outside the site (cash, bank transfer…): counted at once."""
    campaign = viewer.campaign
    gift = service.GiftInput.of(body)
    donation = await service.record_offline(
        session, campaign, viewer.user, gift, body.method, body.received_on, body.note
    )
    return DonationOut.model_validate(donation)


@api.post("/donations/{donation_id}/refunds", status_code=201, response_model=DonationOut)
async def api_refund(
    donation_id: PathId, body: RefundCreate, user: ApiUser, session: WriteSessionDep
):
    """Refund part or all of a gift (never more than what was paid)."""
    donation = await session.get(Donation, donation_id)
    campaign = await session.get(Campaign, donation.campaign_id) if donation else None
    viewer = await access.for_campaign(session, campaign, user) if campaign else None
    if viewer is None or not viewer.can_see_team_pages:
        raise NotFound(_("This gift does not exist."))
    viewer.require("can_refund")
    await service.refund(session, donation_id, body.amount_minor, body.reason, user)
    return DonationOut.model_validate(await service.lock(session, donation_id))
