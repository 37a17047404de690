"""Team pages: needs, drop-off points and slots, volunteers, CSV exports, the drop-off desk."""

import csv
import io
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.accounts.deps import CurrentUser
from app.db import PathId, SessionDep, WriteSessionDep
from app.errors import AppError, ValidationFailed
from app.i18n import _
from app.inkind import deliveries, forms, needs, pledges, service, volunteers
from app.inkind.models import Delivery, Pledge, RefusalReason
from app.inkind.router import today
from app.web import absolute_url, content_disposition, redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def base(campaign) -> str:
    return f"/dashboard/c/{quote(campaign.hashtag)}"


def refusal_reasons() -> list[tuple[str, str]]:
    return [
        (RefusalReason.OPENED, _("opened")),
        (RefusalReason.EXPIRED, _("past its date")),
        (RefusalReason.WRONG_SIZE, _("wrong size")),
        (RefusalReason.OTHER, _("other")),
    ]


def _errors(exc: AppError) -> dict[str, str]:
    return {e.field: e.message for e in exc.field_errors} or {"form": exc.message}


# --- Needs -------------------------------------------------------------------------------


async def _goods_context(session, campaign, values=None, errors=None) -> dict:
    all_needs = await needs.list_needs(session, campaign, active_only=False)
    return {
        "campaign": campaign,
        "base": base(campaign),
        "figures": await needs.figures(session, all_needs, today()),
        "values": values or {"kind": "daily", "priority": "2", "policy": "accept_surplus"},
        "errors": errors or {},
    }


@pages.get("/dashboard/c/{tag}/goods")
async def goods(tag: str, request: Request, session: SessionDep, user: CurrentUser):
    campaign = await service.organizer_campaign(session, tag, user)
    return render(request, "inkind/goods.html", await _goods_context(session, campaign))


@pages.post("/dashboard/c/{tag}/goods/needs")
async def create_need(tag: str, request: Request, session: WriteSessionDep, user: CurrentUser):
    campaign = await service.organizer_campaign(session, tag, user)
    form = await request.form()
    try:
        await needs.create_need(session, campaign, forms.need_input(form))
    except AppError as exc:
        context = await _goods_context(session, campaign, forms.form_values(form), _errors(exc))
        return render(request, "inkind/goods.html", context, status_code=exc.status_code)
    return redirect(f"{base(campaign)}/goods", _("Need added."))


@pages.post("/dashboard/c/{tag}/goods/needs/{need_id}/active")
async def toggle_need(
    tag: str, need_id: PathId, session: WriteSessionDep, user: CurrentUser,
    active: Annotated[str, Form()] = "",
):  # fmt: skip
    campaign = await service.organizer_campaign(session, tag, user)
    need = await needs.get_need(session, campaign, need_id)
    await needs.set_need_active(session, need, active == "yes")
    message = _("Need shown again.") if active == "yes" else _("Need hidden from donors.")
    return redirect(f"{base(campaign)}/goods", message)


# --- Drop-off points and slots --------------------------------------------------------------


async def _points_context(session, campaign, values=None, errors=None) -> dict:
    points = await needs.list_drop_off_points(session, campaign)
    slots = await needs.upcoming_slots(session, campaign, today())
    booked = await service.slot_bookings(session, [slot.id for slot in slots])
    return {
        "campaign": campaign,
        "base": base(campaign),
        "points": points,
        "slots": [(slot, service.slot_label(slot), booked.get(slot.id, 0)) for slot in slots],
        "values": values or {},
        "errors": errors or {},
    }


@pages.get("/dashboard/c/{tag}/goods/points")
async def points(tag: str, request: Request, session: SessionDep, user: CurrentUser):
    campaign = await service.organizer_campaign(session, tag, user)
    return render(request, "inkind/points.html", await _points_context(session, campaign))


@pages.post("/dashboard/c/{tag}/goods/points")
async def create_point(tag: str, request: Request, session: WriteSessionDep, user: CurrentUser):
    campaign = await service.organizer_campaign(session, tag, user)
    form = await request.form()
    values = forms.form_values(form)
    try:
        await needs.create_drop_off_point(
            session, campaign, values.get("name", ""), values.get("address", ""),
            values.get("opening_hours", ""),
        )  # fmt: skip
    except AppError as exc:
        context = await _points_context(session, campaign, values, _errors(exc))
        return render(request, "inkind/points.html", context, status_code=exc.status_code)
    return redirect(f"{base(campaign)}/goods/points", _("Drop-off point added."))


@pages.post("/dashboard/c/{tag}/goods/points/{point_id}/slots")
async def create_slot(
    tag: str, point_id: PathId, request: Request, session: WriteSessionDep, user: CurrentUser
):
    campaign = await service.organizer_campaign(session, tag, user)
    point = await needs.get_drop_off_point(session, campaign, point_id)
    form = await request.form()
    try:
        data = forms.slot_input(form)
        await needs.create_slot(session, point, today=today(), **data)
    except AppError as exc:
        errors = {f"slot_{point.id}_{k}": v for k, v in _errors(exc).items()}
        context = await _points_context(session, campaign, forms.form_values(form), errors)
        return render(request, "inkind/points.html", context, status_code=exc.status_code)
    return redirect(f"{base(campaign)}/goods/points", _("Time slot added."))


# --- Volunteers ----------------------------------------------------------------------------


async def _volunteers_context(session, campaign, new_link: str | None = None) -> dict:
    members = await volunteers.team(session, campaign)
    return {
        "campaign": campaign,
        "base": base(campaign),
        "members": members,
        "invites": await volunteers.active_invites(session, campaign),
        "new_link": new_link,
    }


@pages.get("/dashboard/c/{tag}/goods/volunteers")
async def volunteers_page(tag: str, request: Request, session: SessionDep, user: CurrentUser):
    campaign = await service.organizer_campaign(session, tag, user)
    context = await _volunteers_context(session, campaign)
    return render(request, "inkind/volunteers.html", context)


@pages.post("/dashboard/c/{tag}/goods/volunteers/invite")
async def invite(tag: str, request: Request, session: WriteSessionDep, user: CurrentUser):
    campaign = await service.organizer_campaign(session, tag, user)
    raw = await volunteers.create_invite(session, campaign, user)
    context = await _volunteers_context(session, campaign, absolute_url(f"/invite/{raw}"))
    response = render(request, "inkind/volunteers.html", context, status_code=201)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@pages.post("/dashboard/c/{tag}/goods/volunteers/invites/{invite_id}/revoke")
async def revoke(tag: str, invite_id: PathId, session: WriteSessionDep, user: CurrentUser):
    campaign = await service.organizer_campaign(session, tag, user)
    await volunteers.revoke_invite(session, campaign, invite_id)
    return redirect(f"{base(campaign)}/goods/volunteers", _("Invitation link revoked."))


@pages.get("/invite/{token}")
async def invite_page(token: str, request: Request, session: SessionDep, user: CurrentUser):
    invitation = await volunteers.find_invite(session, token)
    campaign = await session.get(service.Campaign, invitation.campaign_id)
    return render(request, "inkind/invite.html", {"campaign": campaign, "token": token})


@pages.post("/invite/{token}")
async def accept_invite(token: str, session: WriteSessionDep, user: CurrentUser):
    campaign = await volunteers.accept_invite(session, token, user)
    return redirect(
        f"{base(campaign)}/desk", _("Welcome to the team of #%(tag)s!", tag=campaign.hashtag)
    )


# --- CSV exports -------------------------------------------------------------------------


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv(filename: str, header: list[str], rows: list[list]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        # Spreadsheets run cells starting with = + - @ as formulas: neutralize them. (A tuple,
        # not a string: '' is "in" every string, and empty cells must stay empty.)
        writer.writerow(
            [f"'{v}" if isinstance(v, str) and v[:1] in FORMULA_STARTS else v for v in row]
        )
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition(filename),
            "Cache-Control": "private, no-store",
        },
    )


@pages.get("/dashboard/c/{tag}/goods/pledges.csv")
async def export_pledges(tag: str, session: SessionDep, user: CurrentUser):
    campaign = await service.organizer_campaign(session, tag, user)
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
    return _csv(f"{campaign.hashtag}-pledges.csv", header, data)


@pages.get("/dashboard/c/{tag}/goods/deliveries.csv")
async def export_deliveries(tag: str, session: SessionDep, user: CurrentUser):
    campaign = await service.organizer_campaign(session, tag, user)
    rows = await session.scalars(
        select(Delivery).where(Delivery.campaign_id == campaign.id).order_by(Delivery.id)
    )
    data = [
        [
            d.id, d.received_on.isoformat(), d.created_at.isoformat(),
            d.pledge.code if d.pledge else "", d.donor_name, line.need.item.name,
            line.accepted_units, line.refused_units, line.refusal_reason, d.note,
        ]
        for d in rows
        for line in d.lines
    ]  # fmt: skip
    header = [
        "delivery", "received_on", "recorded_at", "pledge_code", "donor_name", "item",
        "accepted", "refused", "refusal_reason", "note",
    ]  # fmt: skip
    return _csv(f"{campaign.hashtag}-deliveries.csv", header, data)


# --- The drop-off desk (volunteers' phone screen) ------------------------------------------


@pages.get("/dashboard/c/{tag}/desk")
async def desk(tag: str, request: Request, session: SessionDep, user: CurrentUser, q: str = ""):
    campaign, role = await service.team_campaign(session, tag, user)
    found = await deliveries.search(session, campaign, q)
    context = {
        "campaign": campaign,
        "base": base(campaign),
        "q": q,
        "results": [(p, service.status_label(p.status), secrets.token_urlsafe(12)) for p in found],
        "figures": await service.campaign_figures(session, campaign, today()),
        "is_organizer": role in service.campaigns.EDITOR_ROLES,
    }
    return render(request, "inkind/desk.html", context)


async def _pledge_desk_context(session, campaign, pledge, values=None, errors=None) -> dict:
    values = values or {}
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    return {
        "campaign": campaign,
        "base": base(campaign),
        "pledge": pledge,
        "status_label": service.status_label(pledge.status),
        "slot_label": service.slot_label(pledge.slot) if pledge.slot else None,
        "reasons": refusal_reasons(),
        "values": values,
        "errors": errors or {},
    }


async def _team_pledge(session, tag, user, code, lock=False):
    campaign, _role = await service.team_campaign(session, tag, user)
    pledge = await pledges.by_code(session, code, lock=lock)
    if pledge.campaign_id != campaign.id:
        raise pledges.NotFound(_("No pledge has this code."))
    return campaign, pledge


@pages.get("/dashboard/c/{tag}/desk/p/{code}")
async def desk_pledge(
    tag: str, code: str, request: Request, session: SessionDep, user: CurrentUser
):
    campaign, pledge = await _team_pledge(session, tag, user, code)
    context = await _pledge_desk_context(session, campaign, pledge)
    return render(request, "inkind/desk_pledge.html", context)


@pages.post("/dashboard/c/{tag}/desk/p/{code}/confirm")
async def confirm_full(
    session: WriteSessionDep, tag: str, code: str, user: CurrentUser,
    idempotency_key: Annotated[str, Form()] = "",
):  # fmt: skip
    campaign, pledge = await _team_pledge(session, tag, user, code)
    data = forms.DeliveryCreate(
        pledge_code=pledge.code, full=True, idempotency_key=idempotency_key or None
    )
    try:
        await deliveries.record_delivery(session, campaign, user, data, today())
    except AppError as exc:
        return redirect(f"{base(campaign)}/desk/p/{pledge.code}", exc.message, "error")
    return redirect(
        f"{base(campaign)}/desk",
        _("Pledge %(code)s received in full. Thank you!", code=pledge.code),
    )


@pages.post("/dashboard/c/{tag}/desk/p/{code}/deliver")
async def deliver_part(
    session: WriteSessionDep, tag: str, code: str, request: Request, user: CurrentUser
):
    campaign, pledge = await _team_pledge(session, tag, user, code)
    form = await request.form()
    try:
        data = forms.delivery_input(form, [line.need_id for line in pledge.lines])
        data.pledge_code = pledge.code
        await deliveries.record_delivery(session, campaign, user, data, today())
    except AppError as exc:
        await session.refresh(pledge)
        context = await _pledge_desk_context(
            session, campaign, pledge, forms.form_values(form), _errors(exc)
        )
        return render(request, "inkind/desk_pledge.html", context, status_code=exc.status_code)
    return redirect(f"{base(campaign)}/desk/p/{pledge.code}", _("Delivery recorded."))


@pages.post("/dashboard/c/{tag}/desk/p/{code}/cancel")
async def team_cancel(
    session: WriteSessionDep, tag: str, code: str, user: CurrentUser,
    why: Annotated[str, Form()] = "",
):  # fmt: skip
    campaign, pledge = await _team_pledge(session, tag, user, code, lock=True)
    try:
        note = why.strip() or "cancelled by the team"
        await pledges.cancel(session, pledge, actor="team", actor_id=user.id, note=note)
    except AppError as exc:
        return redirect(f"{base(campaign)}/desk/p/{pledge.code}", exc.message, "error")
    return redirect(f"{base(campaign)}/desk/p/{pledge.code}", _("Pledge cancelled."))


async def _walk_in_context(session, campaign, values=None, errors=None) -> dict:
    values = values or {}
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    values.setdefault("day", today().isoformat())
    return {
        "campaign": campaign,
        "base": base(campaign),
        "needs": await needs.list_needs(session, campaign),
        "reasons": refusal_reasons(),
        "values": values,
        "errors": errors or {},
    }


@pages.get("/dashboard/c/{tag}/desk/walk-in")
async def walk_in_form(tag: str, request: Request, session: SessionDep, user: CurrentUser):
    campaign, _role = await service.team_campaign(session, tag, user)
    return render(request, "inkind/walk_in.html", await _walk_in_context(session, campaign))


@pages.post("/dashboard/c/{tag}/desk/walk-in")
async def walk_in(session: WriteSessionDep, tag: str, request: Request, user: CurrentUser):
    campaign, _role = await service.team_campaign(session, tag, user)
    form = await request.form()
    try:
        active = await needs.list_needs(session, campaign)
        data = forms.delivery_input(form, [need.id for need in active])
        await deliveries.record_delivery(session, campaign, user, data, today())
    except AppError as exc:
        context = await _walk_in_context(session, campaign, forms.form_values(form), _errors(exc))
        return render(request, "inkind/walk_in.html", context, status_code=exc.status_code)
    return redirect(f"{base(campaign)}/desk", _("Walk-in gift recorded. Thank you!"))


@pages.post("/dashboard/c/{tag}/desk/correction")
async def correction(session: WriteSessionDep, tag: str, request: Request, user: CurrentUser):
    campaign, _role = await service.team_campaign(session, tag, user)
    form = await request.form()
    errors: list = []
    need_id = forms._int(str(form.get("need_id", "")), "need_id", errors) or 0
    day = forms._date(str(form.get("day", "")), "day", errors) or today()
    received = _signed(str(form.get("received", "")), "received", errors)
    refused = _signed(str(form.get("refused", "")), "refused", errors)
    try:
        if errors:
            raise ValidationFailed(errors)
        await deliveries.correct(
            session, campaign, user, need_id, day, received, refused, str(form.get("why", ""))
        )
    except AppError as exc:
        context = await _walk_in_context(session, campaign, forms.form_values(form), _errors(exc))
        return render(request, "inkind/walk_in.html", context, status_code=exc.status_code)
    return redirect(f"{base(campaign)}/desk", _("Correction recorded."))


def _signed(text: str, field: str, errors: list) -> int:
    text = text.strip().replace("−", "-")
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        errors.append(forms.FieldError(field, _("Must be a whole number, e.g. -20 or 15.")))
        return 0
