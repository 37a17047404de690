"""Organizer pages for the kitty: list and filter gifts, record offline gifts, refund, export."""

from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request

from app.campaigns import service as campaigns
from app.campaigns.access import (
    CampaignAccess,
    DonationsCampaign,
    ExportCampaign,
    OfflineGiftCampaign,
    RefundCampaign,
)
from app.campaigns.models import Campaign
from app.csvexport import csv_response
from app.db import PathId, SessionDep, WriteSessionDep
from app.donations import service
from app.donations.intake import parse_amount
from app.donations.models import Donation, DonationStatus, Provider
from app.errors import AppError, FieldError, ValidationFailed
from app.i18n import _, get_locale
from app.labels import choices
from app.money import Money
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

PAGE_SIZE = 50
CSV_FIELDS = (
    "id", "reference", "created_at", "succeeded_at", "status", "provider", "amount",
    "refunded", "currency", "donor_name", "anonymous", "email", "message",
    "offline_method", "received_on", "recorded_by", "note",
)  # fmt: skip


def _base(campaign: Campaign) -> str:
    return f"/dashboard/c/{quote(campaign.hashtag)}/donations"


def _row(donation: Donation, viewer: CampaignAccess) -> dict:
    locale = get_locale()
    refunded = Money(donation.refunded_minor, donation.currency)
    return {
        "id": donation.id,
        "created_at": donation.created_at,
        "name": donation.donor_name or _("Anonymous"),
        "anonymous": donation.anonymous,
        "email": donation.email or "",
        "amount": donation.amount.format(locale),
        "refunded": refunded.format(locale) if donation.refunded_minor else "",
        "status": donation.status,
        "provider": donation.provider,
        "method": _(service.OFFLINE_METHODS[donation.offline_method])
        if donation.offline_method in service.OFFLINE_METHODS
        else "",
        "recorded_by": donation.recorded_by.display_name if donation.recorded_by else "",
        "message": donation.message,
        "can_refund": viewer.can_refund
        and donation.status in (DonationStatus.SUCCEEDED, DonationStatus.PARTIALLY_REFUNDED),
    }


@pages.get("/dashboard/c/{tag}/donations")
async def list_donations(
    request: Request,
    session: SessionDep,
    viewer: DonationsCampaign,
    status: str = "",
    provider: str = "",
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
):
    campaign = viewer.campaign
    status = status if status in set(DonationStatus) else ""
    provider = provider if provider in set(Provider) else ""
    rows, total = await service.list_donations(
        session, campaign, status or None, provider or None, q, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    filters = {"status": status, "provider": provider, "q": q}
    query = urlencode({k: v for k, v in filters.items() if v})
    context = {
        "campaign": campaign,
        "rows": [_row(d, viewer) for d in rows],
        "total": total,
        "filters": filters,
        "statuses": choices("donation"),
        "providers": [(p.value, p.value.capitalize()) for p in Provider],
        "progress": await campaigns.progress(session, campaign),
        "base": _base(campaign),
        "csv_url": f"{_base(campaign)}.csv" + (f"?{query}" if query else ""),
        "previous_url": f"{_base(campaign)}?{urlencode({**filters, 'page': page - 1})}"
        if page > 1
        else None,
        "next_url": f"{_base(campaign)}?{urlencode({**filters, 'page': page + 1})}"
        if page * PAGE_SIZE < total
        else None,
    }
    return render(request, "donations/dashboard_list.html", context)


@pages.get("/dashboard/c/{tag}/donations.csv")
async def export_csv(
    session: SessionDep, viewer: ExportCampaign, status: str = "", provider: str = ""
):
    campaign = viewer.campaign
    rows, _total = await service.list_donations(
        session,
        campaign,
        status if status in set(DonationStatus) else None,
        provider if provider in set(Provider) else None,
        limit=1_000_000,
    )
    data = (
        (
            d.id,
            d.reference,
            d.created_at.isoformat(),
            d.succeeded_at.isoformat() if d.succeeded_at else "",
            d.status,
            d.provider,
            d.amount.major_text(),
            Money(d.refunded_minor, d.currency).major_text(),
            d.currency,
            d.donor_name,
            "yes" if d.anonymous else "no",
            d.email or "",
            d.message,
            d.offline_method or "",
            d.received_on or "",
            d.recorded_by.display_name if d.recorded_by else "",
            d.note,
        )
        for d in rows
    )
    filename = f"donations-{campaign.hashtag}-{date.today().isoformat()}.csv"
    return csv_response(filename, CSV_FIELDS, data)


def _offline_context(campaign: Campaign, values: dict, errors: dict) -> dict:
    return {
        "campaign": campaign,
        "values": values,
        "errors": errors,
        "methods": [(key, _(label)) for key, label in service.OFFLINE_METHODS.items()],
        "base": _base(campaign),
    }


@pages.get("/dashboard/c/{tag}/donations/offline")
async def offline_form(request: Request, viewer: OfflineGiftCampaign):
    campaign = viewer.campaign
    values = {"method": "cash", "received_on": date.today().isoformat()}
    return render(request, "donations/offline.html", _offline_context(campaign, values, {}))


@pages.post("/dashboard/c/{tag}/donations/offline")
async def record_offline(request: Request, session: WriteSessionDep, viewer: OfflineGiftCampaign):
    campaign = viewer.campaign
    form = await request.form()
    names = ("amount", "donor_name", "message", "email", "method", "received_on", "note")
    values = {name: str(form.get(name, "")) for name in names}
    values["anonymous"] = form.get("anonymous") == "yes"
    try:
        errors = []
        received_on = None
        try:
            received_on = (
                date.fromisoformat(values["received_on"]) if values["received_on"] else None
            )
        except ValueError:
            errors.append(FieldError("received_on", _("Must be a date (YYYY-MM-DD).")))
        try:
            amount = parse_amount(values["amount"], campaign.currency)
        except ValidationFailed as exc:
            errors += exc.field_errors
            amount = 1
        if errors:
            raise ValidationFailed(errors)
        gift = service.GiftInput(
            amount, values["donor_name"], values["anonymous"], values["message"], values["email"]
        )
        await service.record_offline(
            session, campaign, viewer.user, gift, values["method"], received_on, values["note"]
        )
    except ValidationFailed as exc:
        context = _offline_context(campaign, values, exc.by_field())
        return render(request, "donations/offline.html", context, status_code=422)
    return redirect(_base(campaign), _("Offline gift recorded."))


async def _refund_context(session, viewer: CampaignAccess, donation: Donation, values, errors):
    campaign = viewer.campaign
    return {
        "campaign": campaign,
        "donation": _row(donation, viewer),
        "refundable": donation.refundable.format(get_locale()),
        "through_stripe": donation.provider == Provider.STRIPE,
        "values": values,
        "errors": errors,
        "base": _base(campaign),
    }


@pages.get("/dashboard/c/{tag}/donations/{donation_id}/refund")
async def refund_form(
    donation_id: PathId, request: Request, session: SessionDep, viewer: RefundCampaign
):
    campaign = viewer.campaign
    donation = await service.for_campaign(session, campaign, donation_id)
    values = {"amount": donation.refundable.major_text()}
    context = await _refund_context(session, viewer, donation, values, {})
    return render(request, "donations/refund.html", context)


@pages.post("/dashboard/c/{tag}/donations/{donation_id}/refund")
async def refund(
    donation_id: PathId, request: Request, session: WriteSessionDep, viewer: RefundCampaign
):
    campaign = viewer.campaign
    donation = await service.for_campaign(session, campaign, donation_id)
    form = await request.form()
    values = {"amount": str(form.get("amount", "")), "reason": str(form.get("reason", ""))}
    try:
        amount = parse_amount(values["amount"], campaign.currency)
        await service.refund(session, donation.id, amount, values["reason"], viewer.user)
    except AppError as exc:
        await session.refresh(donation)
        errors = exc.by_field() if isinstance(exc, ValidationFailed) else {"form": exc.message}
        context = await _refund_context(session, viewer, donation, values, errors)
        return render(request, "donations/refund.html", context, status_code=exc.status_code)
    return redirect(_base(campaign), _("Refund recorded."))
