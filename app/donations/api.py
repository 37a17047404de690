"""The donations API: start a gift, list gifts (team), record offline gifts, refund."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from app.accounts.deps import ApiUser
from app.campaigns import access
from app.campaigns.access import ApiDonationsCampaign, ApiOfflineGiftCampaign, PublicCampaign
from app.campaigns.models import Campaign
from app.db import Offset, PathId, SessionDep, WriteSessionDep
from app.donations import challenge, limits, service
from app.donations.models import Donation, DonationStatus, Provider
from app.donations.schemas import (
    DonationCreate,
    DonationList,
    DonationOut,
    DonationStarted,
    OfflineDonationCreate,
    RefundCreate,
)
from app.errors import PROBLEM_JSON, NotFound, TooManyRequests
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
    altcha: Annotated[
        str | None,
        Header(
            max_length=challenge.MAX_PAYLOAD,
            description="The solved proof of work, when a 428 asked for one: base64 of the "
            "JSON {algorithm, challenge, number, salt, signature}",
        ),
    ] = None,
):
    """Start a gift: returns the donation and the checkout URL to send the donor to.

    When the address or the campaign has recently had many declined or abandoned gifts, the
    answer is a 428 problem carrying an ALTCHA `challenge`: find the number n (0 ≤ n ≤
    maxnumber) for which SHA-256(salt + n), in hex, equals `challenge`, and send the request
    again with the header `Altcha: base64(JSON {algorithm, challenge, number, salt,
    signature})`. A solution is good once, for this campaign, until it expires."""
    campaign = viewer.campaign
    service.check_open(campaign)
    gate = await limits.check_start(session, request, campaign.id, body.email, altcha)
    if gate.retry_after:
        raise TooManyRequests(retry_after=gate.retry_after)
    if gate.challenge:
        return _challenge_required(request, gate)
    gift = service.GiftInput.of(body)
    key = body.idempotency_key or idempotency_key
    donation = await service.start_gift(session, campaign, gift, key, gate.client)
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


def _challenge_required(request: Request, gate: limits.Gate) -> JSONResponse:
    if gate.wrong_proof:
        detail = _("The proof of work was wrong, expired or already used: solve this one.")
    else:
        detail = _("Solve this proof of work and send the solution in the Altcha header.")
    body = {
        "type": challenge.PROBLEM_TYPE,
        "title": _("Proof of work required"),
        "status": 428,
        "detail": detail,
        "instance": request.url.path,
        "challenge": gate.challenge.as_dict(),
    }
    return JSONResponse(body, status_code=428, media_type=PROBLEM_JSON)


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
