"""Goods pages for donors (pledge, manage) and the in-kind JSON API."""

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
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
from app.errors import AppError, TooManyRequests
from app.i18n import _
from app.inkind import deliveries, forms, needs, pledge_page, pledge_rules, pledges, service
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
templates.env.filters["open_days"] = pledge_rules.open_days_label
templates.env.globals["weekday_names"] = pledge_rules.weekday_names


async def _pledge_context(session, campaign, values: dict, errors: dict) -> dict:
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    context = await pledge_page.form_view(session, campaign, today(), values)
    values["due_on"] = context["chosen_day"]
    return {**context, "values": values, "errors": errors}


def _pledge_form(request: Request, context: dict, status_code: int = 200) -> Response:
    response = render(request, "inkind/pledge_form.html", context, status_code=status_code)
    # Kept in the browser's own cache (never a shared one): Back brings the same form, with
    # its one-time key, so a second submit shows the pledge already made.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- Donor pages --------------------------------------------------------------------------


@pages.get("/h/{tag}/pledge")
async def pledge_form(
    request: Request, session: SessionDep, viewer: PublicCampaign,
    due_on: Annotated[str, Query(max_length=20)] = "",
    point: Annotated[str, Query(max_length=12)] = "",
):  # fmt: skip
    """The form, for today or the day asked (?due_on=YYYY-MM-DD) at a drop-off point."""
    values = {"due_on": due_on, "drop_off_point_id": point}
    context = await _pledge_context(session, viewer.campaign, values, {})
    return _pledge_form(request, context)


@pages.post("/h/{tag}/pledge")
async def submit_pledge(request: Request, session: WriteSessionDep, viewer: PublicCampaign):
    campaign = viewer.campaign
    form = await request.form()
    values = forms.form_values(form)
    if values.pop("step", "") == "show_day":  # without JavaScript: the figures of that day
        return _pledge_form(request, await _pledge_context(session, campaign, values, {}))
    if not await ratelimit.hit(session, f"pledge:ip:{client_ip(request)}", *PLEDGE_LIMIT_PER_IP):
        errors = {"form": _("Too many attempts. Please wait a few minutes and try again.")}
        context = await _pledge_context(session, campaign, values, errors)
        return _pledge_form(request, context, status_code=429)
    line_needs: list[int] = []
    try:
        active = await needs.list_needs(session, campaign)
        data, line_needs = forms.pledge_input(form, active)
        result = await pledges.create_pledge(
            session, campaign, data, today(), client=client_ip(request)
        )
    except AppError as exc:
        errors = (
            forms.rename_line_errors(exc, line_needs) if exc.field_errors else {"form": exc.message}
        )
        context = await _pledge_context(session, campaign, values, errors)
        return _pledge_form(request, context, status_code=exc.status_code)
    pledge = result.pledge
    page = f"/pledges/{pledge.code}?t={quote(result.token)}"
    if not result.created:  # Back, then the same form again: one pledge, said plainly
        return redirect(page, _("You already pledged this — here it is."), kind="notice")
    return redirect(page, _("Thank you! Your pledge code is %(code)s.", code=pledge.code))


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
    result = await pledges.create_pledge(
        session, campaign, body, today(), client=client_ip(request)
    )
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
