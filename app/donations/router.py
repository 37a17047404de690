"""Kitty pages: give, thank you and its live status, the donor wall, the demo checkout."""

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse

from app import payments
from app.campaigns import service as campaigns
from app.campaigns.access import ViewerCampaign
from app.campaigns.models import Campaign
from app.db import SessionDep, WriteSessionDep
from app.donations import challenge, limits, service
from app.donations.intake import parse_amount
from app.donations.models import Donation, DonationStatus, Provider
from app.donations.schemas import DonationStatusOut
from app.errors import AppError, Conflict, NotFound, ValidationFailed
from app.i18n import _, get_locale
from app.web import public_cache, redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

WALL_PAGE_SIZE = 20
HONEYPOT = "website"

# --- Helpers --------------------------------------------------------------------------------


def status_message(donation: Donation) -> str:
    amount = donation.amount.format(get_locale())
    if donation.status in (DonationStatus.SUCCEEDED, DonationStatus.PARTIALLY_REFUNDED):
        return _("Your gift of %(amount)s is confirmed. Thank you!", amount=amount)
    if donation.status == DonationStatus.PENDING:
        return _(
            "Your gift of %(amount)s is pending: we are waiting for the payment.", amount=amount
        )
    if donation.status == DonationStatus.REFUNDED:
        return _("Your gift of %(amount)s was refunded.", amount=amount)
    if donation.status == DonationStatus.DISPUTED:
        return _("Your gift of %(amount)s is disputed with your bank.", amount=amount)
    return _("The payment did not go through: no money was taken.")


# --- Donation form ----------------------------------------------------------------------------


def _form_context(campaign: Campaign, values: dict, errors: dict, closed: str | None = None):
    return {
        "campaign": campaign,
        "values": values,
        "errors": errors,
        "closed": closed,
        "suggested": [
            (m.major_text(), m.format(get_locale()))
            for m in service.suggested_amounts(campaign.currency)
        ],
        "minimum": service.minimum(campaign.currency).format(get_locale()),
        "demo": payments.active_provider() == Provider.DEMO,
    }


@pages.get("/h/{tag}/donate")
async def donate_form(
    request: Request, session: SessionDep, viewer: ViewerCampaign, cancelled: str = ""
):
    campaign = viewer.campaign
    closed = None
    try:
        service.check_open(campaign)
    except Conflict as exc:
        closed = exc.message
    values = {"amount": service.suggested_amounts(campaign.currency)[1].major_text()}
    values["idempotency_key"] = secrets.token_urlsafe(16)
    context = _form_context(campaign, values, {}, closed)
    if closed is None:
        # Solved in the browser while the donor types, when the start will need it.
        context["challenge"] = await limits.form_challenge(session, request, campaign.id)
    context["cancelled"] = bool(cancelled)
    return render(request, "donations/donate.html", context)


@pages.post("/h/{tag}/donate")
async def donate(request: Request, session: WriteSessionDep, viewer: ViewerCampaign):
    campaign = viewer.campaign
    form = await request.form()
    names = ("amount", "other_amount", "donor_name", "message", "email", "idempotency_key")
    values = {name: str(form.get(name, "")) for name in names}
    values["anonymous"] = form.get("anonymous") == "yes"
    gate = None

    def again(errors: dict, status: int, closed: str | None = None, solve_and_send=False):
        context = _form_context(campaign, values, errors, closed)
        if gate is not None and gate.suspicious:
            context["challenge"] = gate.challenge or challenge.new_challenge(campaign.id)
            context["solve_and_send"] = solve_and_send
        return render(request, "donations/donate.html", context, status_code=status)

    try:
        service.check_open(campaign)
    except Conflict as exc:
        return again({}, 409, exc.message)
    if form.get(HONEYPOT):
        return again({"form": _("Your gift could not be started. Please try again.")}, 400)
    solution = str(form.get(challenge.FIELD, "")) or None
    gate = await limits.check_start(session, request, campaign.id, values["email"], solution)
    if gate.retry_after:
        wait = _("Too many attempts. Please wait a few minutes and try again.")
        refused = again({"form": wait}, 429)
        refused.headers["Retry-After"] = str(gate.retry_after)
        return refused
    if gate.wrong_proof:
        return again({"form": _("The robot check did not go through. Please try again.")}, 428)
    if gate.challenge:
        # The browser solves the check, then sends the form again by itself.
        return again({}, 428, solve_and_send=True)
    try:
        typed = values["other_amount"].strip()
        minimum = service.minimum(campaign.currency)
        if typed:
            amount_minor = parse_amount(typed, campaign.currency, minimum)
        else:
            amount_minor = parse_amount(values["amount"], campaign.currency, minimum, "en")
        gift = service.GiftInput(
            amount_minor=amount_minor,
            donor_name=values["donor_name"],
            anonymous=values["anonymous"],
            message=values["message"],
            email=values["email"],
        )
        donation = await service.start_gift(
            session, campaign, gift, values["idempotency_key"], gate.client
        )
    except ValidationFailed as exc:
        return again(exc.by_field(), 422)
    except AppError as exc:
        return again({"form": exc.message}, exc.status_code)
    return redirect(donation.checkout_url)


# --- Thank-you page and its status ------------------------------------------------------------


async def _gift(session, campaign: Campaign, reference: str) -> Donation:
    donation = await service.by_reference(session, reference)
    if donation is None or donation.campaign_id != campaign.id:
        raise NotFound(_("This gift does not exist."))
    return donation


@pages.get("/h/{tag}/donate/thanks/{reference}")
async def thanks(reference: str, request: Request, session: SessionDep, viewer: ViewerCampaign):
    campaign = viewer.campaign
    donation = await _gift(session, campaign, reference)
    context = {
        "campaign": campaign,
        "donation": donation,
        "message": status_message(donation),
        "status_url": f"/h/{quote(campaign.hashtag)}/donate/status/{donation.reference}",
        "retry": donation.status in (DonationStatus.FAILED, DonationStatus.EXPIRED),
    }
    return public_cache(render(request, "donations/thanks.html", context), 3)


@pages.get("/h/{tag}/donate/status/{reference}", response_model=DonationStatusOut)
async def gift_status(reference: str, session: SessionDep, viewer: ViewerCampaign):
    donation = await _gift(session, viewer.campaign, reference)
    body = DonationStatusOut(
        reference=donation.reference,
        status=donation.status,
        status_label=status_message(donation),
        amount_display=donation.amount.format(get_locale()),
    )
    return public_cache(JSONResponse(body.model_dump()), 2)


@pages.get("/h/{tag}/donors")
async def donor_wall(
    request: Request,
    session: SessionDep,
    viewer: ViewerCampaign,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
):
    campaign = viewer.campaign
    offset = (page - 1) * WALL_PAGE_SIZE
    rows, has_next = await service.donor_wall(session, campaign, WALL_PAGE_SIZE, offset)
    context = {
        "campaign": campaign,
        "progress": await campaigns.progress(session, campaign),
        "gifts": [(d.public_name, d.amount, d.message, d.created_at) for d in rows],
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if has_next else None,
    }
    response = render(request, "donations/wall.html", context)
    return public_cache(response) if campaign.is_public else response


# --- Demo checkout (no Stripe keys: no money moves) ------------------------------------------


async def _demo_gift(session, reference: str) -> Donation:
    donation = await service.by_reference(session, reference)
    if (
        donation is None
        or donation.provider != Provider.DEMO
        or payments.active_provider() != Provider.DEMO
    ):
        raise NotFound(_("This test checkout does not exist."))
    return donation


@pages.get("/demo-checkout/{reference}")
async def demo_checkout(reference: str, request: Request, session: SessionDep):
    donation = await _demo_gift(session, reference)
    campaign = await session.get(Campaign, donation.campaign_id)
    if donation.status != DonationStatus.PENDING:
        return redirect(service.thanks_path(campaign, donation))
    context = {"campaign": campaign, "donation": donation}
    return render(request, "donations/demo_checkout.html", context)


@pages.post("/demo-checkout/{reference}")
async def demo_decide(
    reference: str, session: WriteSessionDep, action: Annotated[str, Form()] = ""
):
    donation = await _demo_gift(session, reference)
    campaign = await session.get(Campaign, donation.campaign_id)
    donation = await service.lock(session, donation.id)
    if donation.status == DonationStatus.PENDING and action == "pay":
        await service.mark_succeeded(session, donation, f"demo_pi_{donation.reference}")
    elif donation.status == DonationStatus.PENDING and action == "cancel":
        await service.mark_closed(session, donation, DonationStatus.EXPIRED)
        # The form says so itself (?cancelled=1, as after Stripe's cancel_url): no flash too.
        return redirect(f"/h/{quote(campaign.hashtag)}/donate?cancelled=1")
    return redirect(service.thanks_path(campaign, donation))
