"""Team pages about goods on the move: what is expected at the drop-off points (the upcoming
pledges) and what went out (goods handed out or used)."""

import secrets

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError

from app.campaigns.access import DeskCampaign
from app.db import SessionDep, WriteSessionDep
from app.errors import AppError, FieldError, ValidationFailed
from app.i18n import _
from app.inkind import forms, ledger, needs, service, stock, upcoming
from app.inkind.views import errors_of, place_errors, team_base, today
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@pages.get("/dashboard/c/{tag}/goods/upcoming")
async def upcoming_pledges(request: Request, session: SessionDep, viewer: DeskCampaign):
    campaign = viewer.campaign
    context = {
        "campaign": campaign,
        "viewer": viewer,
        "base": team_base(campaign),
        "days": await upcoming.upcoming(session, campaign, today()),
        "days_shown": upcoming.DAYS_SHOWN,
        "slot_label": service.slot_label,
        "first_name": upcoming.first_name,
        "expected_units": upcoming.expected_units,
    }
    return render(request, "inkind/upcoming.html", context)


async def _use_context(session, viewer, values=None, errors=None) -> dict:
    campaign = viewer.campaign
    active = await needs.list_needs(session, campaign)
    on_hand = await ledger.stock(session, [need.id for need in active])
    values = values or {}
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    values.setdefault("used_on", today().isoformat())
    return {
        "campaign": campaign,
        "viewer": viewer,
        "base": team_base(campaign),
        "rows": [(need, on_hand.get(need.id, ledger.Stock())) for need in active],
        "values": values,
        "errors": errors or {},
        "today": today().isoformat(),
    }


@pages.get("/dashboard/c/{tag}/desk/used")
async def use_form(request: Request, session: SessionDep, viewer: DeskCampaign):
    return render(request, "inkind/use.html", await _use_context(session, viewer))


def use_input(form, need_ids: list[int]) -> tuple[stock.UseCreate, list[int]]:
    """The use form as a UseCreate, and the need behind each line (to place its errors)."""
    errors: list[FieldError] = []
    lines, line_needs = [], []
    for need_id in need_ids:
        units = forms._int(str(form.get(f"used_{need_id}", "")), f"used_{need_id}", errors)
        if units:
            lines.append({"need_id": need_id, "units": units})
            line_needs.append(need_id)
    used_on = forms._date(str(form.get("used_on", "")), "used_on", errors)
    if not lines and not errors:
        errors.append(FieldError("form", _("Enter at least one quantity.")))
    if errors:
        raise ValidationFailed(errors)
    try:
        data = stock.UseCreate.model_validate(
            {
                "lines": lines,
                "used_on": used_on,
                "note": str(form.get("note", "")),
                "idempotency_key": str(form.get("idempotency_key", "")) or None,
            }
        )
    except ValidationError as exc:
        forms._raise(exc, [], rename=lambda field: _line_field(field, line_needs))
    return data, line_needs


def _line_field(field: str, line_needs: list[int]) -> str:
    """lines.2.units is the form's used_<need id> field."""
    parts = field.split(".")
    if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        return f"used_{line_needs[index]}" if index < len(line_needs) else "form"
    return field


@pages.post("/dashboard/c/{tag}/desk/used")
async def record_use(request: Request, session: WriteSessionDep, viewer: DeskCampaign):
    campaign = viewer.campaign
    form = await request.form()
    active = await needs.list_needs(session, campaign)
    fields = {f"used_{need.id}" for need in active} | {"used_on", "note"}
    line_needs: list[int] = []
    try:
        data, line_needs = use_input(form, [need.id for need in active])
        await stock.record_use(session, campaign, viewer.user, data, today())
    except AppError as exc:
        errors = {_line_field(k, line_needs): v for k, v in errors_of(exc).items()}
        context = await _use_context(
            session, viewer, forms.form_values(form), place_errors(errors, fields)
        )
        return render(request, "inkind/use.html", context, status_code=exc.status_code)
    return redirect(f"{team_base(campaign)}/desk", _("Goods used recorded. Thank you!"))
