"""Goods pages for donors (pledge, manage) and the in-kind JSON API."""

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, Response

from app import ratelimit
from app.accounts.deps import ApiUserOptional, client_ip
from app.campaigns import access
from app.campaigns.access import (
    ApiDeskCampaign,
    ApiGoodsCampaign,
    ApiViewerCampaign,
    PublicCampaign,
)
from app.campaigns.models import Campaign
from app.db import SessionDep, WriteSessionDep
from app.errors import AppError, TooManyRequests, ValidationFailed
from app.i18n import _
from app.inkind import closing, deliveries, forms, needs, pledges, service
from app.inkind.models import PledgeStatus
from app.inkind.notify import manage_url
from app.inkind.schemas import (
    DeliveryCreate,
    DeliveryOut,
    NeedCreate,
    NeedOut,
    PledgeCreate,
    PledgeOut,
)
from app.inkind.views import today
from app.web import redirect, render, templates, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["goods"])

PLEDGE_LIMIT_PER_IP = (30, 600)

templates.env.filters["units"] = service.format_units


async def _pledge_context(session, campaign, values: dict, errors: dict) -> dict:
    figures = await service.campaign_figures(session, campaign, today())
    points = await needs.list_drop_off_points(session, campaign)
    slots = await needs.upcoming_slots(session, campaign, today())
    booked = await service.slot_bookings(session, [slot.id for slot in slots])
    slot_rows = [
        (
            slot,
            service.slot_label(slot),
            slot.capacity is not None and booked.get(slot.id, 0) >= slot.capacity,
        )
        for slot in slots
    ]
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    values.setdefault("due_on", today().isoformat())
    return {
        "campaign": campaign,
        "figures": figures,
        "points": points,
        "slots": slot_rows,
        "values": values,
        "errors": errors,
        "is_open": campaign.status == "live",
        "today": today().isoformat(),
    }


# --- Donor pages --------------------------------------------------------------------------


@pages.get("/h/{tag}/pledge")
async def pledge_form(request: Request, session: SessionDep, viewer: PublicCampaign):
    context = await _pledge_context(session, viewer.campaign, {}, {})
    return render(request, "inkind/pledge_form.html", context)


@pages.post("/h/{tag}/pledge")
async def submit_pledge(request: Request, session: WriteSessionDep, viewer: PublicCampaign):
    campaign = viewer.campaign
    form = await request.form()
    values = forms.form_values(form)
    if not await ratelimit.hit(session, f"pledge:ip:{client_ip(request)}", *PLEDGE_LIMIT_PER_IP):
        errors = {"form": _("Too many attempts. Please wait a few minutes and try again.")}
        context = await _pledge_context(session, campaign, values, errors)
        return render(request, "inkind/pledge_form.html", context, status_code=429)
    line_needs: list[int] = []
    try:
        active = await needs.list_needs(session, campaign)
        data, line_needs = forms.pledge_input(form, active)
        result = await pledges.create_pledge(session, campaign, data, today())
    except AppError as exc:
        errors = (
            forms.rename_line_errors(exc, line_needs) if exc.field_errors else {"form": exc.message}
        )
        context = await _pledge_context(session, campaign, values, errors)
        return render(request, "inkind/pledge_form.html", context, status_code=exc.status_code)
    pledge = result.pledge
    return redirect(
        f"/pledges/{pledge.code}?t={quote(result.token)}",
        _("Thank you! Your pledge code is %(code)s.", code=pledge.code),
    )


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def _manage_context(session, pledge, token: str, errors: dict | None = None) -> dict:
    campaign = await session.get(Campaign, pledge.campaign_id)
    return {
        "pledge": pledge,
        "campaign": campaign,
        "token": token,
        "slot_label": service.slot_label(pledge.slot) if pledge.slot else None,
        "can_change": pledge.is_alive and campaign.status == "live",
        "can_cancel": pledge.status in ("pledged", "partially_received", "waitlisted"),
        "errors": errors or {},
    }


@pages.get("/pledges/{code}")
async def manage_pledge(code: str, request: Request, session: SessionDep, t: str = ""):
    pledge = await pledges.for_donor(session, code, t)
    context = await _manage_context(session, pledge, t)
    return _private(render(request, "inkind/pledge_manage.html", context))


@pages.post("/pledges/{code}/change")
async def change_pledge(code: str, request: Request, session: WriteSessionDep):
    form = await request.form()
    token = str(form.get("t", ""))
    pledge = await pledges.for_donor(session, code, token, lock=True)
    campaign = await session.get(Campaign, pledge.campaign_id)
    try:
        units, errors = {}, []
        for line in pledge.lines:
            value = forms._int(
                str(form.get(f"units_{line.need_id}", "")), f"units.{line.need_id}", errors
            )
            if value is not None:
                units[line.need_id] = value
        if errors:
            raise ValidationFailed(errors)
        await pledges.change_quantities(session, campaign, pledge, units, actor="donor")
    except AppError as exc:
        await session.refresh(pledge)
        errors = {e.field: e.message for e in exc.field_errors} or {"form": exc.message}
        context = await _manage_context(session, pledge, token, errors)
        return _private(render(request, "inkind/pledge_manage.html", context, exc.status_code))
    return redirect(f"/pledges/{pledge.code}?t={quote(token)}", _("Your pledge is updated."))


@pages.post("/pledges/{code}/cancel")
async def cancel_pledge(code: str, session: WriteSessionDep, t: Annotated[str, Form()] = ""):
    pledge = await pledges.for_donor(session, code, t, lock=True)
    page = f"/pledges/{pledge.code}?t={quote(t)}"
    if pledge.status == PledgeStatus.CANCELLED:  # a double tap: the first one did it
        return redirect(page, _("This pledge is already cancelled."))
    await closing.cancel(session, pledge, actor="donor", note="cancelled with the donor's link")
    return redirect(page, _("Your pledge is cancelled. Thank you anyway!"))


# --- JSON API -----------------------------------------------------------------------------


@api.get("/campaigns/{tag}/needs", response_model=list[NeedOut])
async def api_needs(session: SessionDep, viewer: ApiViewerCampaign):
    """What is needed, pledged (not yet received), received and still missing, most urgent
    first; for a daily need, today and the days ahead."""
    return await service.need_outs(session, viewer.campaign, today())


@api.post("/campaigns/{tag}/needs", status_code=201, response_model=NeedOut)
async def api_create_need(body: NeedCreate, session: WriteSessionDep, viewer: ApiGoodsCampaign):
    """Add a need (organizers): one-off (target_units, deadline) or daily (per_day_units)."""
    need = await needs.create_need(session, viewer.campaign, body)
    figures = await needs.figures(session, [need], today())
    return service.need_out(figures[0])


@api.post(
    "/campaigns/{tag}/pledges",
    status_code=201,
    response_model=PledgeOut,
    responses={200: {"model": PledgeOut, "description": "A retry: the pledge already made"}},
)
async def api_create_pledge(
    session: WriteSessionDep, viewer: PublicCampaign, body: PledgeCreate, request: Request
):
    """Pledge goods, no account needed. Send a random idempotency_key: a retry returns the
    same pledge (200) instead of a second one. Keep manage_url private: it can cancel."""
    campaign = viewer.campaign
    if not await ratelimit.hit(session, f"pledge:ip:{client_ip(request)}", *PLEDGE_LIMIT_PER_IP):
        raise TooManyRequests(retry_after=600)
    result = await pledges.create_pledge(session, campaign, body, today())
    out = service.pledge_out(
        result.pledge, private=True, manage_url=manage_url(result.pledge, result.token)
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if result.created else 200)


@api.get("/pledges/{code}", response_model=PledgeOut)
async def api_get_pledge(
    code: str, session: SessionDep, user: ApiUserOptional, t: Annotated[str, Query()] = ""
):
    """A pledge for its campaign's team (bearer token) or its donor (?t= from the link)."""
    if user is not None and not t:
        pledge = await pledges.by_code(session, code)
        campaign = await session.get(Campaign, pledge.campaign_id)
        (await access.for_campaign(session, campaign, user)).require("can_log_deliveries")
    else:
        pledge = await pledges.for_donor(session, code, t)
    return service.pledge_out(pledge, private=True)


@api.post("/campaigns/{tag}/deliveries", status_code=201, response_model=DeliveryOut)
async def api_create_delivery(
    session: WriteSessionDep, viewer: ApiDeskCampaign, body: DeliveryCreate
):
    """Log what arrived (team): against a pledge (pledge_code; full=true settles all of it)
    or as a walk-in (no pledge_code), with units accepted and refused (with a reason)."""
    campaign = viewer.campaign
    delivery = await deliveries.record_delivery(session, campaign, viewer.user, body, today())
    return DeliveryOut(
        id=delivery.id,
        pledge_code=delivery.pledge.code if delivery.pledge else None,
        pledge_status=delivery.pledge.status if delivery.pledge else None,
        received_on=delivery.received_on,
        lines=[
            {
                "need_id": line.need_id,
                "accepted_units": line.accepted_units,
                "refused_units": line.refused_units,
                "refusal_reason": line.refusal_reason or None,
            }
            for line in delivery.lines
        ],
    )
