"""The drop-off desk (volunteers' phone screen): find a pledge, log what arrived, walk-ins,
corrections; and the goods CSV exports."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select

from app.campaigns.access import DeskCampaign, ExportCampaign
from app.csvexport import csv_response
from app.db import SessionDep, WriteSessionDep
from app.errors import AppError, ValidationFailed
from app.i18n import _
from app.inkind import closing, deliveries, exports, forms, needs, pledges, service
from app.inkind.models import Pledge
from app.inkind.views import errors_of, place_errors, team_base, today
from app.labels import choices
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# The quick-entry fields of a delivery form, one of each per need: accepted_<need id>, …
DELIVERY_LINE_FIELDS = ("accepted", "refused", "reason")

# --- CSV exports -------------------------------------------------------------------------


@pages.get("/dashboard/c/{tag}/goods/pledges.csv")
async def export_pledges(session: SessionDep, viewer: ExportCampaign):
    campaign = viewer.campaign
    rows = await session.scalars(
        select(Pledge).where(Pledge.campaign_id == campaign.id).order_by(Pledge.id)
    )
    data = [
        [
            p.code, p.status, p.created_at.isoformat(), p.due_on.isoformat(), p.donor_name,
            p.donor_email, p.donor_phone, p.drop_off_point.name if p.drop_off_point else "",
            service.slot_label(p.slot) if p.slot else "", line.need.item.name, line.units,
            line.received_units, line.refused_units, line.open_units,
        ]
        for p in rows
        for line in p.lines
    ]  # fmt: skip
    header = [
        "code", "status", "created_at", "due_on", "donor_name", "donor_email", "donor_phone",
        "drop_off_point", "slot", "item", "units", "received", "refused", "still_expected",
    ]  # fmt: skip
    return csv_response(f"{campaign.hashtag}-pledges.csv", header, data)


@pages.get("/dashboard/c/{tag}/goods/deliveries.csv")
async def export_deliveries(session: SessionDep, viewer: ExportCampaign):
    """Every movement of goods, one row per need: receipts, walk-ins, purchases, corrections
    and goods used. Per item, the received column sums to the progress page's "received" and
    received minus used to what is on hand."""
    campaign = viewer.campaign
    data = [
        [
            m.entry.id, m.entry.kind, m.day.isoformat(), m.recorded_at.isoformat(),
            m.delivery.id if m.delivery else "", m.delivery.pledge.code if m.delivery and
            m.delivery.pledge else "", m.delivery.donor_name if m.delivery else "",
            m.need.item.name, m.need.item.unit, m.entry.received_delta, m.entry.refused_delta,
            m.entry.used_delta, m.entry.refusal_reason, m.entry.note, m.recorded_by,
        ]
        for m in await exports.movements(session, campaign)
    ]  # fmt: skip
    header = [
        "entry", "kind", "day", "recorded_at", "delivery", "pledge_code", "donor_name", "item",
        "unit", "received", "refused", "used", "refusal_reason", "note", "recorded_by",
    ]  # fmt: skip
    return csv_response(f"{campaign.hashtag}-deliveries.csv", header, data)


# --- The drop-off desk (volunteers' phone screen) ------------------------------------------


@pages.get("/dashboard/c/{tag}/desk")
async def desk(request: Request, session: SessionDep, viewer: DeskCampaign, q: str = ""):
    campaign = viewer.campaign
    found = await deliveries.search(session, campaign, q)
    context = {
        "campaign": campaign,
        "viewer": viewer,
        "base": team_base(campaign),
        "q": q,
        "results": [(p, secrets.token_urlsafe(12)) for p in found],
        "figures": await service.campaign_figures(session, campaign, today()),
    }
    return render(request, "inkind/desk.html", context)


async def _pledge_desk_context(session, viewer, pledge, values=None, errors=None) -> dict:
    campaign = viewer.campaign
    values = values or {}
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    return {
        "campaign": campaign,
        "viewer": viewer,
        "base": team_base(campaign),
        "pledge": pledge,
        "slot_label": service.slot_label(pledge.slot) if pledge.slot else None,
        "reasons": choices("refusal_reason"),
        "values": values,
        "errors": errors or {},
    }


async def _campaign_pledge(session, viewer, code, lock=False):
    """A pledge of this campaign by its code: another campaign's code is not found here."""
    campaign = viewer.campaign
    pledge = await pledges.by_code(session, code, lock=lock)
    if pledge.campaign_id != campaign.id:
        raise pledges.NotFound(_("No pledge has this code."))
    return campaign, pledge


async def _pledge_desk_refusal(request, session, viewer, pledge, form_name: str, exc: AppError):
    """The pledge's page again, the refusal next to the button that was pressed."""
    await session.refresh(pledge)
    errors = {form_name: " ".join(e.message for e in exc.field_errors) or exc.message}
    context = await _pledge_desk_context(session, viewer, pledge, errors=errors)
    return render(request, "inkind/desk_pledge.html", context, status_code=exc.status_code)


@pages.get("/dashboard/c/{tag}/desk/p/{code}")
async def desk_pledge(code: str, request: Request, session: SessionDep, viewer: DeskCampaign):
    _campaign, pledge = await _campaign_pledge(session, viewer, code)
    context = await _pledge_desk_context(session, viewer, pledge)
    return render(request, "inkind/desk_pledge.html", context)


@pages.post("/dashboard/c/{tag}/desk/p/{code}/confirm")
async def confirm_full(
    session: WriteSessionDep, code: str, request: Request, viewer: DeskCampaign,
    idempotency_key: Annotated[str, Form()] = "",
):  # fmt: skip
    campaign, pledge = await _campaign_pledge(session, viewer, code)
    data = forms.DeliveryCreate(
        pledge_code=pledge.code, full=True, idempotency_key=idempotency_key or None
    )
    try:
        await deliveries.record_delivery(session, campaign, viewer.user, data, today())
    except AppError as exc:
        return await _pledge_desk_refusal(request, session, viewer, pledge, "confirm", exc)
    return redirect(
        f"{team_base(campaign)}/desk",
        _("Pledge %(code)s received in full. Thank you!", code=pledge.code),
    )


@pages.post("/dashboard/c/{tag}/desk/p/{code}/deliver")
async def deliver_part(session: WriteSessionDep, code: str, request: Request, viewer: DeskCampaign):
    campaign, pledge = await _campaign_pledge(session, viewer, code)
    form = await request.form()
    try:
        data = forms.delivery_input(form, [line.need_id for line in pledge.lines])
        data.pledge_code = pledge.code
        await deliveries.record_delivery(session, campaign, viewer.user, data, today())
    except AppError as exc:
        await session.refresh(pledge)
        fields = {
            f"{name}_{line.need_id}" for line in pledge.lines for name in DELIVERY_LINE_FIELDS
        } | {"note"}
        errors = place_errors(errors_of(exc), fields)
        context = await _pledge_desk_context(
            session, viewer, pledge, forms.form_values(form), errors
        )
        return render(request, "inkind/desk_pledge.html", context, status_code=exc.status_code)
    return redirect(f"{team_base(campaign)}/desk/p/{pledge.code}", _("Delivery recorded."))


@pages.post("/dashboard/c/{tag}/desk/p/{code}/cancel")
async def team_cancel(
    session: WriteSessionDep, code: str, request: Request, viewer: DeskCampaign,
    why: Annotated[str, Form()] = "",
):  # fmt: skip
    campaign, pledge = await _campaign_pledge(session, viewer, code, lock=True)
    try:
        note = why.strip() or "cancelled by the team"
        await closing.cancel(session, pledge, actor="team", actor_id=viewer.user.id, note=note)
    except AppError as exc:
        return await _pledge_desk_refusal(request, session, viewer, pledge, "cancel", exc)
    return redirect(f"{team_base(campaign)}/desk/p/{pledge.code}", _("Pledge cancelled."))


async def _walk_in_context(
    session, viewer, values=None, errors=None, correction_values=None, correction_errors=None
) -> dict:
    """The walk-in page has two forms, each with its own values and errors."""
    campaign = viewer.campaign
    values = values or {}
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    correction_values = correction_values or {}
    correction_values.setdefault("day", today().isoformat())
    return {
        "campaign": campaign,
        "viewer": viewer,
        "base": team_base(campaign),
        "needs": await needs.list_needs(session, campaign),
        "reasons": choices("refusal_reason"),
        "values": values,
        "errors": errors or {},
        "correction_values": correction_values,
        "correction_errors": correction_errors or {},
    }


@pages.get("/dashboard/c/{tag}/desk/walk-in")
async def walk_in_form(request: Request, session: SessionDep, viewer: DeskCampaign):
    return render(request, "inkind/walk_in.html", await _walk_in_context(session, viewer))


@pages.post("/dashboard/c/{tag}/desk/walk-in")
async def walk_in(session: WriteSessionDep, request: Request, viewer: DeskCampaign):
    campaign = viewer.campaign
    form = await request.form()
    try:
        active = await needs.list_needs(session, campaign)
        data = forms.delivery_input(form, [need.id for need in active])
        await deliveries.record_delivery(session, campaign, viewer.user, data, today())
    except AppError as exc:
        fields = {f"{name}_{need.id}" for need in active for name in DELIVERY_LINE_FIELDS}
        errors = place_errors(errors_of(exc), fields | {"donor_name", "note"})
        context = await _walk_in_context(session, viewer, forms.form_values(form), errors)
        return render(request, "inkind/walk_in.html", context, status_code=exc.status_code)
    return redirect(f"{team_base(campaign)}/desk", _("Walk-in gift recorded. Thank you!"))


@pages.post("/dashboard/c/{tag}/desk/correction")
async def correction(session: WriteSessionDep, request: Request, viewer: DeskCampaign):
    campaign = viewer.campaign
    form = await request.form()
    errors: list = []
    need_id = forms._int(str(form.get("need_id", "")), "need_id", errors) or 0
    day = forms._date(str(form.get("day", "")), "day", errors) or today()
    received = _signed(str(form.get("received", "")), "received", errors)
    refused = _signed(str(form.get("refused", "")), "refused", errors)
    used = _signed(str(form.get("used", "")), "used", errors)
    try:
        if errors:
            raise ValidationFailed(errors)
        await deliveries.correct(
            session, campaign, viewer.user, need_id, day, received, refused,
            str(form.get("why", "")), used=used,
        )  # fmt: skip
    except AppError as exc:
        fields = {"need_id", "day", "received", "refused", "used", "why"}
        context = await _walk_in_context(
            session, viewer,
            correction_values=forms.form_values(form),
            correction_errors=place_errors(errors_of(exc), fields),
        )  # fmt: skip
        return render(request, "inkind/walk_in.html", context, status_code=exc.status_code)
    return redirect(f"{team_base(campaign)}/desk", _("Correction recorded."))


def _signed(text: str, field: str, errors: list) -> int:
    text = text.strip().replace("−", "-")
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        errors.append(forms.FieldError(field, _("Must be a whole number, e.g. -20 or 15.")))
        return 0
