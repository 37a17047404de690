"""Kitty pages (give, thank you, donor wall, demo checkout), the webhook and the donations API."""

import secrets
from typing import Annotated
from urllib.parse import quote

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import JSONResponse

from app import payments, ratelimit
from app.accounts.deps import ApiUser, OptionalUser, client_ip
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.db import Offset, PathId, SessionDep, WriteSessionDep
from app.donations import service
from app.donations.models import Donation, DonationStatus, Provider
from app.donations.schemas import (
    DonationCreate,
    DonationList,
    DonationOut,
    DonationStarted,
    DonationStatusOut,
    OfflineDonationCreate,
    RefundCreate,
    RefundOut,
)
from app.errors import (
    AppError,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
    problem_response,
)
from app.i18n import _, get_locale
from app.money import InvalidAmount, Money, exponent
from app.payments import stripe as stripe_provider
from app.payments.base import BadSignature
from app.web import absolute_url, public_cache, redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
webhooks = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["donations"])

# Card testing sends hundreds of attempts in minutes: these walls stop it before Stripe.
LIMIT_PER_IP = (10, 600)
LIMIT_PER_EMAIL = (5, 3600)
LIMIT_PER_CAMPAIGN = (600, 60)
WALL_PAGE_SIZE = 20
HONEYPOT = "website"


# --- Helpers --------------------------------------------------------------------------------


async def gift_allowed(session, request: Request, campaign: Campaign, email: str | None) -> bool:
    checks = [
        (f"donate:ip:{client_ip(request)}", LIMIT_PER_IP),
        (f"donate:campaign:{campaign.id}", LIMIT_PER_CAMPAIGN),
    ]
    if email and email.strip():
        checks.append((f"donate:email:{email.strip().lower()[:200]}", LIMIT_PER_EMAIL))
    allowed = True
    for key, (limit, window) in checks:
        allowed = await ratelimit.hit(session, key, limit, window) and allowed
    return allowed


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


def donation_out(donation: Donation) -> DonationOut:
    return DonationOut(
        id=donation.id,
        reference=donation.reference,
        status=donation.status,
        provider=donation.provider,
        amount_minor=donation.amount_minor,
        refunded_minor=donation.refunded_minor,
        currency=donation.currency,
        donor_name=donation.donor_name,
        anonymous=donation.anonymous,
        message=donation.message,
        email=donation.email,
        offline_method=donation.offline_method,
        received_on=donation.received_on,
        recorded_by=donation.recorded_by.display_name if donation.recorded_by else None,
        created_at=donation.created_at,
        succeeded_at=donation.succeeded_at,
        refunds=[
            RefundOut(
                id=r.id,
                amount_minor=r.amount_minor,
                reason=r.reason,
                provider_refund_id=r.provider_refund_id,
                created_by=r.created_by.display_name if r.created_by else None,
                created_at=r.created_at,
            )
            for r in donation.refunds
        ],
    )


def amount_example(currency: str) -> str:
    """ "20.00" in English, "20,00" in French, "20" for zero-decimal currencies."""
    digits = exponent(currency)
    sample = Money(20 * 10**digits, currency)
    pattern = "0" + ("." + "0" * digits if digits else "")
    return format_decimal(sample.major, format=pattern, locale=get_locale())


def parse_amount(text: str, currency: str) -> int:
    try:
        return Money.parse(text, currency).amount_minor
    except InvalidAmount:
        message = _("Enter an amount like %(example)s.", example=amount_example(currency))
        raise ValidationFailed([FieldError("amount", message)]) from None


async def _public_campaign(session, tag: str, user) -> Campaign:
    campaign, _hashtag, _role = await campaigns.visible_campaign(session, tag, user)
    return campaign


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
    tag: str, request: Request, session: SessionDep, user: OptionalUser, cancelled: str = ""
):
    campaign = await _public_campaign(session, tag, user)
    closed = None
    try:
        service.check_open(campaign)
    except Conflict as exc:
        closed = exc.message
    values = {"amount": service.suggested_amounts(campaign.currency)[1].major_text()}
    values["idempotency_key"] = secrets.token_urlsafe(16)
    context = _form_context(campaign, values, {}, closed)
    context["cancelled"] = bool(cancelled)
    return render(request, "donations/donate.html", context)


@pages.post("/h/{tag}/donate")
async def donate(tag: str, request: Request, session: WriteSessionDep, user: OptionalUser):
    campaign = await _public_campaign(session, tag, user)
    form = await request.form()
    names = ("amount", "other_amount", "donor_name", "message", "email", "idempotency_key")
    values = {name: str(form.get(name, "")) for name in names}
    values["anonymous"] = form.get("anonymous") == "yes"

    def again(errors: dict, status: int, closed: str | None = None):
        context = _form_context(campaign, values, errors, closed)
        return render(request, "donations/donate.html", context, status_code=status)

    try:
        service.check_open(campaign)
    except Conflict as exc:
        return again({}, 409, exc.message)
    if form.get(HONEYPOT):
        return again({"form": _("Your gift could not be started. Please try again.")}, 400)
    if not await gift_allowed(session, request, campaign, values["email"]):
        return again(
            {"form": _("Too many attempts. Please wait a few minutes and try again.")}, 429
        )
    try:
        chosen = values["other_amount"].strip() or values["amount"]
        gift = service.GiftInput(
            amount_minor=parse_amount(chosen, campaign.currency),
            donor_name=values["donor_name"],
            anonymous=values["anonymous"],
            message=values["message"],
            email=values["email"],
        )
        donation = await service.start_gift(session, campaign, gift, values["idempotency_key"])
    except ValidationFailed as exc:
        return again(exc.by_field(), 422)
    except AppError as exc:
        return again({"form": exc.message}, exc.status_code)
    return redirect(donation.checkout_url)


# --- Thank-you page and its status ------------------------------------------------------------


async def _gift(session, tag: str, reference: str, user) -> tuple[Campaign, Donation]:
    campaign = await _public_campaign(session, tag, user)
    donation = await service.by_reference(session, reference)
    if donation is None or donation.campaign_id != campaign.id:
        raise NotFound(_("This gift does not exist."))
    return campaign, donation


@pages.get("/h/{tag}/donate/thanks/{reference}")
async def thanks(
    tag: str, reference: str, request: Request, session: SessionDep, user: OptionalUser
):
    campaign, donation = await _gift(session, tag, reference, user)
    context = {
        "campaign": campaign,
        "donation": donation,
        "message": status_message(donation),
        "status_url": f"/h/{quote(campaign.hashtag)}/donate/status/{donation.reference}",
        "retry": donation.status in (DonationStatus.FAILED, DonationStatus.EXPIRED),
    }
    return public_cache(render(request, "donations/thanks.html", context), 3)


@pages.get("/h/{tag}/donate/status/{reference}", response_model=DonationStatusOut)
async def gift_status(tag: str, reference: str, session: SessionDep, user: OptionalUser):
    _campaign, donation = await _gift(session, tag, reference, user)
    body = DonationStatusOut(
        reference=donation.reference,
        status=donation.status,
        status_label=status_message(donation),
        amount_display=donation.amount.format(get_locale()),
    )
    return public_cache(JSONResponse(body.model_dump()), 2)


@pages.get("/h/{tag}/donors")
async def donor_wall(
    tag: str,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
):
    campaign = await _public_campaign(session, tag, user)
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


# --- Stripe webhook -----------------------------------------------------------------------------


@webhooks.post("/webhooks/stripe")
async def stripe_webhook(request: Request, session: WriteSessionDep):
    payload = await request.body()
    try:
        event = stripe_provider.verify_event(payload, request.headers.get("stripe-signature"))
    except BadSignature:
        return problem_response(
            request, 400, _("Bad request"), _("The webhook signature is missing or invalid.")
        )
    outcome = await service.handle_stripe_event(session, event)
    return JSONResponse({"received": True, "outcome": outcome})


# --- JSON API -------------------------------------------------------------------------------


async def _team_campaign(session, tag: str, user) -> Campaign:
    return await campaigns.editable_campaign(session, tag, user)


@api.post("/campaigns/{tag}/donations", status_code=201, response_model=DonationStarted)
async def api_start_donation(
    tag: str,
    body: DonationCreate,
    request: Request,
    session: WriteSessionDep,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
):
    """Start a gift: returns the donation and the checkout URL to send the donor to."""
    campaign, _hashtag, _role = await campaigns.visible_campaign(session, tag, None)
    service.check_open(campaign)
    if not await gift_allowed(session, request, campaign, body.email):
        return problem_response(
            request,
            429,
            _("Too many requests"),
            _("Too many attempts. Please wait a few minutes and try again."),
            headers={"Retry-After": "600"},
        )
    gift = service.GiftInput(
        body.amount_minor, body.donor_name, body.anonymous, body.message, body.email
    )
    key = body.idempotency_key or idempotency_key
    donation = await service.start_gift(session, campaign, gift, key)
    return DonationStarted(
        id=donation.id,
        reference=donation.reference,
        status=donation.status,
        amount_minor=donation.amount_minor,
        currency=donation.currency,
        checkout_url=donation.checkout_url or "",
        status_url=absolute_url(service.thanks_path(campaign, donation)),
    )


@api.get("/campaigns/{tag}/donations", response_model=DonationList)
async def api_list_donations(
    tag: str,
    user: ApiUser,
    session: SessionDep,
    status: DonationStatus | None = None,
    provider: Provider | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
):
    """Every donation of the campaign, newest first (team only: includes donor emails)."""
    campaign = await _team_campaign(session, tag, user)
    rows, total = await service.list_donations(
        session, campaign, status, provider, q, limit, offset
    )
    return DonationList(
        items=[donation_out(d) for d in rows], total=total, limit=limit, offset=offset
    )


@api.post("/campaigns/{tag}/donations/offline", status_code=201, response_model=DonationOut)
async def api_record_offline(
    tag: str, body: OfflineDonationCreate, user: ApiUser, session: WriteSessionDep
):
    """Record money received outside the site (cash, bank transfer…): counted at once."""
    campaign = await _team_campaign(session, tag, user)
    gift = service.GiftInput(
        body.amount_minor, body.donor_name, body.anonymous, body.message, body.email
    )
    donation = await service.record_offline(
        session, campaign, user, gift, body.method, body.received_on, body.note
    )
    return donation_out(donation)


@api.post("/donations/{donation_id}/refunds", status_code=201, response_model=DonationOut)
async def api_refund(
    donation_id: PathId, body: RefundCreate, user: ApiUser, session: WriteSessionDep
):
    """Refund part or all of a gift (never more than what was paid)."""
    donation = await session.get(Donation, donation_id)
    campaign = await session.get(Campaign, donation.campaign_id) if donation else None
    role = await campaigns.role_of(session, campaign, user) if campaign else None
    if role is None:
        raise NotFound(_("This gift does not exist."))
    if role not in campaigns.EDITOR_ROLES:
        raise Forbidden(_("Only the campaign's organizers can refund a gift."))
    await service.refund(session, donation_id, body.amount_minor, body.reason, user)
    return donation_out(await service.lock(session, donation_id))
