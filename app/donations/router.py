"""Kitty pages: give, thank you and its live status, receipts, the donor wall, the demo
checkout."""

import asyncio
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import JSONResponse

from app import payments
from app.campaigns import service as campaigns
from app.campaigns.access import ViewerCampaign
from app.campaigns.models import Campaign
from app.db import SessionDep, WriteSessionDep, release, utcnow
from app.donations import challenge, limits, service
from app.donations.intake import parse_amount
from app.donations.models import Donation, DonationStatus, Provider
from app.donations.receipt_pdf import receipt_pdf
from app.donations.receipts import build_receipt, has_receipt, receipt_path
from app.donations.schemas import DonationStatusOut
from app.errors import AppError, Conflict, NotFound, ValidationFailed
from app.i18n import _, get_locale
from app.money import Money, exponent
from app.web import content_disposition, public_cache, redirect, render, verify_csrf

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
    request: Request,
    session: SessionDep,
    viewer: ViewerCampaign,
    cancelled: Annotated[str, Query(max_length=64)] = "",
):
    """The form; back from a cancelled checkout (?cancelled=<reference>), with what was typed."""
    campaign = viewer.campaign
    closed = None
    try:
        service.check_open(campaign)
    except Conflict as exc:
        closed = exc.message
    values = {"amount": service.suggested_amounts(campaign.currency)[1].major_text()}
    given_up = await _cancelled_gift(session, campaign, cancelled) if cancelled else None
    if given_up is not None:
        values = _typed_values(campaign, given_up)
    # A fresh key: the donor may change the amount, and the old checkout must not come back.
    values["idempotency_key"] = secrets.token_urlsafe(16)
    context = _form_context(campaign, values, {}, closed)
    if closed is None:
        # Solved in the browser while the donor types, when the start will need it.
        context["challenge"] = await limits.form_challenge(session, request, campaign.id)
    context["cancelled"] = bool(cancelled)
    response = render(request, "donations/donate.html", context)
    if given_up is not None:
        _keep_private(response)
    return response


# What a cancelled checkout gives back to the form: a gift never paid, and recent (the form
# shows its email and name to whoever holds the reference, so not forever).
REFILL_WINDOW = timedelta(days=1)
NEVER_PAID = (DonationStatus.PENDING, DonationStatus.EXPIRED, DonationStatus.FAILED)


async def _cancelled_gift(session, campaign: Campaign, reference: str) -> Donation | None:
    donation = await service.by_reference(session, reference)
    if (
        donation is None
        or donation.campaign_id != campaign.id
        or donation.status not in NEVER_PAID
        or donation.provider == Provider.OFFLINE
        or donation.created_at < utcnow() - REFILL_WINDOW
    ):
        return None
    return donation


def _typed_values(campaign: Campaign, donation: Donation) -> dict:
    values = {
        "amount": "",
        "other_amount": "",
        "donor_name": donation.donor_name,
        "anonymous": donation.anonymous,
        "message": donation.message,
        "email": donation.email or "",
    }
    presets = [m.major_text() for m in service.suggested_amounts(campaign.currency)]
    if donation.amount.major_text() in presets:
        values["amount"] = donation.amount.major_text()
    else:
        values["other_amount"] = _typed_amount(donation.amount)
    return values


def _typed_amount(amount: Money) -> str:
    """The amount as the donor would type it: "7,50" in French, "35" for a round sum."""
    digits = exponent(amount.currency) if amount.major % 1 else 0
    pattern = "0" + ("." + "0" * digits if digits else "")
    return format_decimal(amount.major, format=pattern, locale=get_locale())


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
        "receipt": await build_receipt(session, donation) if has_receipt(donation) else None,
        "receipt_path": receipt_path(donation),
        "pdf_path": receipt_path(donation) + ".pdf",
    }
    # The receipt names the donor: for this browser only, never a shared cache.
    return _keep_private(render(request, "donations/thanks.html", context))


def _keep_private(response: Response) -> Response:
    """A page behind a private link: no shared cache, no search engine, no Referer leak."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- Receipts (a private link: the gift's unguessable reference) -------------------------------


async def _receipt_gift(session, reference: str) -> tuple[Donation, Campaign]:
    donation = await service.by_reference(session, reference)
    if donation is None:
        raise NotFound(_("This receipt does not exist. Check the link you were given."))
    return donation, await session.get(Campaign, donation.campaign_id)


def _receipt_title(campaign: Campaign) -> str:
    return _("Receipt for your gift to #%(tag)s", tag=campaign.hashtag)


@pages.get("/receipts/{reference}.pdf")
async def receipt_download(reference: str, session: SessionDep):
    donation, campaign = await _receipt_gift(session, reference)
    if not has_receipt(donation):
        raise Conflict(_no_receipt_yet(donation))
    receipt = await build_receipt(session, donation)
    title, name = _receipt_title(campaign), f"receipt-{campaign.hashtag}-{donation.reference}.pdf"
    # Drawing takes a tenth of a second of CPU: off the event loop, holding no connection.
    await release(session)
    body = await asyncio.to_thread(receipt_pdf, receipt, title)
    headers = {"Content-Disposition": content_disposition(name)}
    return _keep_private(Response(body, media_type="application/pdf", headers=headers))


@pages.get("/receipts/{reference}")
async def receipt_page(reference: str, request: Request, session: SessionDep):
    donation, campaign = await _receipt_gift(session, reference)
    context = {
        "campaign": campaign,
        "donation": donation,
        "title": _receipt_title(campaign),
        "receipt": await build_receipt(session, donation) if has_receipt(donation) else None,
        "waiting": _no_receipt_yet(donation),
        "pdf_path": receipt_path(donation) + ".pdf",
    }
    return _keep_private(render(request, "donations/receipt.html", context))


def _no_receipt_yet(donation: Donation) -> str:
    if donation.status == DonationStatus.PENDING:
        return _(
            "Payment not confirmed yet: the receipt appears here once the payment service "
            "confirms your gift, usually within a minute."
        )
    return _("This payment did not go through: no money was taken, so there is no receipt.")


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
        "gifts": rows,
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
        # The form says so itself, with what was typed (as after Stripe's cancel_url).
        return redirect(service.cancel_path(campaign, donation))
    return redirect(service.thanks_path(campaign, donation))
