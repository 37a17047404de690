"""Organizer pages for goods: needs, drop-off points and their time slots, volunteers and
invitation links (the link's own page is app/inkind/invite_pages.py)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError

from app.campaigns.access import GoodsCampaign, VolunteersCampaign
from app.db import PathId, SessionDep, WriteSessionDep
from app.errors import AppError, FieldError, ValidationFailed
from app.formatting import absolute_url, format_number
from app.i18n import _
from app.inkind import forms, need_edits, needs, service, volunteers
from app.inkind.views import errors_of, team_base, today
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# --- Needs -------------------------------------------------------------------------------


async def _goods_context(
    session, viewer, values=None, errors=None, edit_values=None, edit_errors=None
) -> dict:
    campaign = viewer.campaign
    all_needs = await needs.list_needs(session, campaign, active_only=False)
    return {
        "campaign": campaign,
        "viewer": viewer,
        "base": team_base(campaign),
        "figures": await needs.figures(session, all_needs, today()),
        "history": await need_edits.history(session, [need.id for need in all_needs]),
        "values": values or {"kind": "daily", "priority": "2", "policy": "accept_surplus"},
        "errors": errors or {},
        # The forms that change a need's quantity, one per need: fields end with _<need id>.
        "edit_values": edit_values or {},
        "edit_errors": edit_errors or {},
    }


@pages.get("/dashboard/c/{tag}/goods")
async def goods(request: Request, session: SessionDep, viewer: GoodsCampaign):
    return render(request, "inkind/goods.html", await _goods_context(session, viewer))


@pages.post("/dashboard/c/{tag}/goods/needs")
async def create_need(request: Request, session: WriteSessionDep, viewer: GoodsCampaign):
    campaign = viewer.campaign
    form = await request.form()
    try:
        await needs.create_need(session, campaign, forms.need_input(form))
    except AppError as exc:
        context = await _goods_context(session, viewer, forms.form_values(form), errors_of(exc))
        return render(request, "inkind/goods.html", context, status_code=exc.status_code)
    return redirect(f"{team_base(campaign)}/goods", _("Need added."))


def _quantity_input(form, need) -> need_edits.NeedQuantityChange:
    errors: list[FieldError] = []
    suffix = f"_{need.id}"
    quantity = forms._int(str(form.get("quantity" + suffix, "")), "quantity" + suffix, errors, 1)
    if quantity is None and not errors:
        errors.append(FieldError("quantity" + suffix, _("Enter the new quantity, in units.")))
    if errors:
        raise ValidationFailed(errors)
    data = {need_edits.quantity_field(need): quantity, "note": str(form.get("note" + suffix, ""))}
    try:
        return need_edits.NeedQuantityChange.model_validate(data)
    except ValidationError as exc:
        rename = {"note": "note" + suffix}
        forms._raise(exc, [], rename=lambda field: rename.get(field, "quantity" + suffix))


@pages.post("/dashboard/c/{tag}/goods/needs/{need_id}/quantity")
async def change_need_quantity(
    need_id: PathId, request: Request, session: WriteSessionDep, viewer: GoodsCampaign
):
    campaign = viewer.campaign
    need = await needs.get_need(session, campaign, need_id)
    form = await request.form()
    try:
        change = await need_edits.change_quantity(
            session, need, viewer.user, _quantity_input(form, need)
        )
    except AppError as exc:
        errors = errors_of(exc)
        if "form" in errors:
            errors = {f"quantity_{need.id}": errors["form"]}
        context = await _goods_context(
            session, viewer, edit_values=forms.form_values(form), edit_errors=errors
        )
        return render(request, "inkind/goods.html", context, status_code=exc.status_code)
    if change is None:
        return redirect(f"{team_base(campaign)}/goods", _("Nothing changed: it is the same."))
    if need.is_daily:
        message = _(
            "%(item)s: changed from %(old)s to %(new)s a day.",
            item=need.item.name, old=format_number(change.old_value or 0),
            new=format_number(change.new_value),
        )  # fmt: skip
    else:
        message = _(
            "%(item)s: changed from %(old)s to %(new)s in total.",
            item=need.item.name, old=format_number(change.old_value or 0),
            new=format_number(change.new_value),
        )  # fmt: skip
    return redirect(f"{team_base(campaign)}/goods", message)


@pages.post("/dashboard/c/{tag}/goods/needs/{need_id}/active")
async def toggle_need(
    need_id: PathId, session: WriteSessionDep, viewer: GoodsCampaign,
    active: Annotated[str, Form()] = "",
):  # fmt: skip
    campaign = viewer.campaign
    need = await needs.get_need(session, campaign, need_id)
    await needs.set_need_active(session, need, active == "yes")
    message = _("Need shown again.") if active == "yes" else _("Need hidden from donors.")
    return redirect(f"{team_base(campaign)}/goods", message)


# --- Drop-off points and slots --------------------------------------------------------------


async def _points_context(session, viewer, values=None, errors=None) -> dict:
    campaign = viewer.campaign
    points = await needs.list_drop_off_points(session, campaign)
    slots = await needs.upcoming_slots(session, campaign, today())
    booked = await service.slot_bookings(session, [slot.id for slot in slots])
    return {
        "campaign": campaign,
        "viewer": viewer,
        "base": team_base(campaign),
        "points": points,
        "slots": [(slot, service.slot_label(slot), booked.get(slot.id, 0)) for slot in slots],
        "values": values or {},
        "errors": errors or {},
    }


@pages.get("/dashboard/c/{tag}/goods/points")
async def points(request: Request, session: SessionDep, viewer: GoodsCampaign):
    return render(request, "inkind/points.html", await _points_context(session, viewer))


@pages.post("/dashboard/c/{tag}/goods/points")
async def create_point(request: Request, session: WriteSessionDep, viewer: GoodsCampaign):
    campaign = viewer.campaign
    form = await request.form()
    values = forms.form_values(form)
    try:
        await needs.create_drop_off_point(
            session, campaign, values.get("name", ""), values.get("address", ""),
            values.get("opening_hours", ""), form.getlist("open_weekdays"),
        )  # fmt: skip
    except AppError as exc:
        values["open_weekdays"] = needs.weekdays_text(form.getlist("open_weekdays"))
        context = await _points_context(session, viewer, values, errors_of(exc))
        return render(request, "inkind/points.html", context, status_code=exc.status_code)
    return redirect(f"{team_base(campaign)}/goods/points", _("Drop-off point added."))


@pages.post("/dashboard/c/{tag}/goods/points/{point_id}/slots")
async def create_slot(
    point_id: PathId, request: Request, session: WriteSessionDep, viewer: GoodsCampaign
):
    campaign = viewer.campaign
    point = await needs.get_drop_off_point(session, campaign, point_id)
    form = await request.form()
    try:
        data = forms.slot_input(form)
        await needs.create_slot(session, point, today=today(), **data)
    except AppError as exc:
        errors = {f"slot_{point.id}_{k}": v for k, v in errors_of(exc).items()}
        context = await _points_context(session, viewer, forms.form_values(form), errors)
        return render(request, "inkind/points.html", context, status_code=exc.status_code)
    return redirect(f"{team_base(campaign)}/goods/points", _("Time slot added."))


# --- Volunteers ----------------------------------------------------------------------------


async def _volunteers_context(session, viewer, new_link: str | None = None) -> dict:
    campaign = viewer.campaign
    members = await volunteers.team(session, campaign)
    return {
        "campaign": campaign,
        "viewer": viewer,
        "base": team_base(campaign),
        "members": members,
        "invites": await volunteers.active_invites(session, campaign),
        "new_link": new_link,
    }


@pages.get("/dashboard/c/{tag}/goods/volunteers")
async def volunteers_page(request: Request, session: SessionDep, viewer: VolunteersCampaign):
    context = await _volunteers_context(session, viewer)
    return render(request, "inkind/volunteers.html", context)


@pages.post("/dashboard/c/{tag}/goods/volunteers/invite")
async def invite(request: Request, session: WriteSessionDep, viewer: VolunteersCampaign):
    campaign = viewer.campaign
    raw = await volunteers.create_invite(session, campaign, viewer.user)
    context = await _volunteers_context(session, viewer, absolute_url(f"/invite/{raw}"))
    response = render(request, "inkind/volunteers.html", context, status_code=201)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@pages.post("/dashboard/c/{tag}/goods/volunteers/invites/{invite_id}/revoke")
async def revoke(invite_id: PathId, session: WriteSessionDep, viewer: VolunteersCampaign):
    campaign = viewer.campaign
    await volunteers.revoke_invite(session, campaign, invite_id)
    return redirect(f"{team_base(campaign)}/goods/volunteers", _("Invitation link revoked."))
