"""The donor's private pledge page: see it, change it (quantities in units or packs, day, time
slot, drop-off point), confirm a pledge far ahead, cancel after a confirmation step."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from app.campaigns.models import Campaign
from app.db import SessionDep, WriteSessionDep
from app.errors import AppError
from app.i18n import _
from app.inkind import closing, forms, ledger, notify, pledge_page, pledges, service
from app.inkind import needs as needs_service
from app.inkind.models import PledgeStatus
from app.inkind.pledge_changes import NothingLeft, change_pledge
from app.inkind.views import errors_of, today
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

Token = Annotated[str, Query(max_length=200)]


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(pledge, token: str) -> str:
    return f"/pledges/{pledge.code}?t={quote(token)}"


async def _missing_that_day(session, pledge) -> dict[int, str]:
    """What is still missing, per line, on the pledge's day (this pledge counted)."""
    lines = [line for line in pledge.lines if line.need]
    buckets = [line.need.bucket(pledge.due_on) for line in lines]
    totals = await ledger.totals(session, [line.need_id for line in lines], buckets)
    result = {}
    for line, bucket in zip(lines, buckets, strict=True):
        sums = totals.get((line.need_id, bucket), ledger.Totals())
        result[line.need_id] = pledge_page.missing_text(
            line.need, pledge.due_on, sums.pledged, sums.received
        )
    return result


def _line_values(pledge) -> dict[str, str]:
    """The quantities as the form shows them: in packs when they are whole packs."""
    values = {}
    for line in pledge.lines:
        size = line.need.item.pack_size
        if size and line.units >= size and line.units % size == 0:
            values[f"units_{line.need_id}"] = str(line.units // size)
            values[f"per_{line.need_id}"] = "pack"
        else:
            values[f"units_{line.need_id}"] = str(line.units)
            values[f"per_{line.need_id}"] = "unit"
    return values


async def _context(session, pledge, token: str, values=None, errors=None) -> dict:
    campaign = await session.get(Campaign, pledge.campaign_id)
    can_change = pledge.is_alive and campaign.status == "live"
    values = values or {
        **_line_values(pledge),
        "due_on": pledge.due_on.isoformat(),
        "slot_id": str(pledge.slot_id or ""),
        "drop_off_point_id": str(pledge.drop_off_point_id or ""),
    }
    context = {
        "pledge": pledge,
        "campaign": campaign,
        "token": token,
        "slot_label": service.slot_label(pledge.slot) if pledge.slot else None,
        "missing": await _missing_that_day(session, pledge),
        "can_change": can_change,
        "can_move": can_change and not any(line.brought for line in pledge.lines),
        "can_cancel": pledge.status in ("pledged", "partially_received", "waitlisted"),
        "values": values,
        "errors": errors or {},
        "day_label": pledge_page.day_label(pledge.due_on, today()),
    }
    if context["can_move"]:
        points = await needs_service.list_drop_off_points(session, campaign)
        point = pledge.drop_off_point or (points[0] if points else None)
        slots = await needs_service.upcoming_slots(session, campaign, today())
        chosen = pledge_page.parse_day(values.get("due_on")) or pledge.due_on
        context.update(
            points=points,
            slots=[(slot, service.slot_label(slot)) for slot in slots],
            day_choices=await pledge_page.day_choices(
                session, points, point, today(), max(chosen, today())
            ),
        )
    return context


def _render(request, context, status_code=200) -> Response:
    return _private(render(request, "inkind/pledge_manage.html", context, status_code))


@pages.get("/pledges/{code}")
async def manage_pledge(code: str, request: Request, session: SessionDep, t: Token = ""):
    pledge = await pledges.for_donor(session, code, t)
    return _render(request, await _context(session, pledge, t))


@pages.post("/pledges/{code}/change")
async def change(code: str, request: Request, session: WriteSessionDep):
    form = await request.form()
    token = str(form.get("t", ""))
    pledge = await pledges.for_donor(session, code, token, lock=True)
    campaign = await session.get(Campaign, pledge.campaign_id)
    try:
        changes = forms.pledge_changes_input(form, pledge)
        outcome = await change_pledge(
            session, campaign, pledge, changes, today=today(), actor="donor"
        )
    except NothingLeft:
        message = _("You set every quantity to 0. Do you want to cancel your pledge?")
        return redirect(f"/pledges/{pledge.code}/cancel?t={quote(token)}", message, "notice")
    except AppError as exc:
        await session.refresh(pledge)
        context = await _context(session, pledge, token, forms.form_values(form), errors_of(exc))
        return _render(request, context, exc.status_code)
    if outcome.moved:
        await notify.queue_reminder(session, campaign, pledge, token, today())
    if outcome.newly_held:
        confirm = pledges.confirm_token(pledge)
        await notify.pledge_held_after_move(session, campaign, pledge, token, confirm)
    message = _("Your pledge is updated.")
    if outcome.removed:
        message += " " + _("Removed: %(items)s.", items=", ".join(outcome.removed))
    if outcome.newly_held:
        message += " " + _("Confirm it from the link we emailed you.")
    return redirect(_page(pledge, token), message)


@pages.get("/pledges/{code}/cancel")
async def cancel_step(code: str, request: Request, session: SessionDep, t: Token = ""):
    """Are you sure? A page, so that cancelling works the same without JavaScript."""
    pledge = await pledges.for_donor(session, code, t)
    if pledge.status not in ("pledged", "partially_received", "waitlisted"):
        return redirect(_page(pledge, t))
    campaign = await session.get(Campaign, pledge.campaign_id)
    context = {"pledge": pledge, "campaign": campaign, "token": t}
    return _private(render(request, "inkind/pledge_cancel.html", context))


@pages.post("/pledges/{code}/cancel")
async def cancel(code: str, session: WriteSessionDep, t: Annotated[str, Form()] = ""):
    pledge = await pledges.for_donor(session, code, t, lock=True)
    if pledge.status == PledgeStatus.CANCELLED:  # a double tap: the first one did it
        return redirect(_page(pledge, t), _("This pledge is already cancelled."))
    await closing.cancel(session, pledge, actor="donor", note="cancelled with the donor's link")
    return redirect(_page(pledge, t), _("Your pledge is cancelled. Thank you anyway!"))


@pages.get("/pledges/{code}/confirm")
async def confirm_step(
    code: str, request: Request, session: SessionDep, t: Token = "", c: Token = ""
):
    """The emailed link lands here; a button confirms (mail scanners open links, never post)."""
    pledge = await pledges.for_donor(session, code, t)
    campaign = await session.get(Campaign, pledge.campaign_id)
    context = {"pledge": pledge, "campaign": campaign, "token": t, "confirm": c}
    return _private(render(request, "inkind/pledge_confirm.html", context))


@pages.post("/pledges/{code}/confirm")
async def confirm(
    code: str, session: WriteSessionDep,
    t: Annotated[str, Form(max_length=200)] = "", c: Annotated[str, Form(max_length=200)] = "",
):  # fmt: skip
    pledge = await pledges.for_donor(session, code, t, lock=True)
    if await pledges.confirm(session, pledge, c):
        return redirect(_page(pledge, t), _("Your pledge is confirmed. Thank you!"))
    message = _("This pledge was not confirmed in time and was released. You can pledge again.")
    return redirect(_page(pledge, t), message, "error")
