"""Team pages for field updates: list, write, edit with history, photos, publish, approve,
retract, and who may post."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request, UploadFile

from app import pagecache
from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import MAX_ID, PathId, SessionDep, WriteSessionDep
from app.errors import Forbidden, ValidationFailed
from app.i18n import _
from app.updates import service
from app.updates.models import FieldUpdate, UpdateStatus
from app.updates.views import delivery_text, update_view
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


# --- Helpers --------------------------------------------------------------------------------


async def _team_campaign(session, tag: str, user: User):
    campaign, _hashtag, role = await campaigns.visible_campaign(session, tag, user)
    if role is None:
        raise Forbidden(_("Only the campaign's team can see this page."))
    return campaign, role


# --- Team pages ---------------------------------------------------------------------------------


@pages.get("/dashboard/c/{tag}/updates")
async def team_updates(tag: str, request: Request, session: SessionDep, user: CurrentUser):
    campaign, role = await _team_campaign(session, tag, user)
    updates = await service.team_updates(session, campaign)
    context = {
        "campaign": campaign,
        "rows": [update_view(campaign, update) for update in updates],
        "settings": await service.settings_for(session, campaign),
        "is_organizer": role in service.ORGANIZER_ROLES,
    }
    return render(request, "dashboard/updates.html", context)


@pages.post("/dashboard/c/{tag}/updates/settings")
async def save_update_settings(
    tag: str,
    session: WriteSessionDep,
    user: CurrentUser,
    volunteers_can_post: Annotated[str, Form()] = "",
    need_approval: Annotated[str, Form()] = "",
):
    campaign, role = await _team_campaign(session, tag, user)
    service.ensure_organizer(role)
    await service.save_settings(session, campaign, bool(volunteers_can_post), bool(need_approval))
    return redirect(f"/dashboard/c/{quote(campaign.hashtag)}/updates", _("Settings saved."))


@pages.get("/dashboard/c/{tag}/updates/new")
async def new_update_form(tag: str, request: Request, session: SessionDep, user: CurrentUser):
    campaign, role = await _team_campaign(session, tag, user)
    await service.ensure_can_post(session, campaign, role)
    context = {"campaign": campaign, "values": {}, "errors": {}, "update": None}
    return render(request, "dashboard/update_form.html", context)


@pages.post("/dashboard/c/{tag}/updates/new")
async def create_update(
    tag: str,
    request: Request,
    session: WriteSessionDep,
    user: CurrentUser,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    video_url: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "draft",
):
    campaign, role = await _team_campaign(session, tag, user)
    values = {"title": title, "body": body, "video_url": video_url}
    try:
        update = await service.create_update(
            session, campaign, user, role, **values, publish=action == "publish"
        )
    except ValidationFailed as exc:
        context = {"campaign": campaign, "values": values, "errors": exc.by_field(), "update": None}
        return render(request, "dashboard/update_form.html", context, status_code=422)
    pagecache.campaign_changed(session, campaign.id)
    return redirect(_edit_url(campaign, update), _status_message(update))


def _ids(values: list) -> list[int]:
    """Row ids ticked in a form; anything else is ignored rather than trusted."""
    return [int(v) for v in values if str(v).isdigit() and 0 < int(v) <= MAX_ID]


def _edit_url(campaign: Campaign, update: FieldUpdate) -> str:
    return f"/dashboard/c/{quote(campaign.hashtag)}/updates/{update.id}"


def _status_message(update: FieldUpdate) -> str:
    return {
        UpdateStatus.DRAFT: _("Draft saved. Add photos, then publish."),
        UpdateStatus.PENDING: _("Sent to the organizers for approval."),
        UpdateStatus.PUBLISHED: _("Update published."),
        UpdateStatus.RETRACTED: _("Update retracted."),
    }[UpdateStatus(update.status)]


@pages.get("/dashboard/c/{tag}/updates/{update_id}")
async def edit_update_form(
    tag: str, update_id: PathId, request: Request, session: SessionDep, user: CurrentUser
):
    campaign, role = await _team_campaign(session, tag, user)
    update = await service.get_update(session, campaign, update_id)
    return render(
        request, "dashboard/update_form.html", await _edit_context(session, campaign, role, update)
    )


async def _edit_context(session, campaign, role, update, values=None, errors=None) -> dict:
    spent, deliveries = await service.reportable(session, campaign)
    # What the update already reports stays in the choices, however old.
    spent += [e for e in update.expenses if e not in spent]
    deliveries += [d for d in update.deliveries if d not in deliveries]
    return {
        "campaign": campaign,
        "update": update,
        "view": update_view(campaign, update, team=True),
        "expense_choices": [(e, e.id in {x.id for x in update.expenses}) for e in spent],
        "delivery_choices": [
            (d, delivery_text(d), d.id in {x.id for x in update.deliveries}) for d in deliveries
        ],
        "values": values
        or {"title": update.title, "body": update.body_md, "video_url": update.video_url},
        "errors": errors or {},
        "revisions": await service.revisions(session, update),
        "is_organizer": role in service.ORGANIZER_ROLES,
    }


@pages.post("/dashboard/c/{tag}/updates/{update_id}")
async def edit_update(
    tag: str,
    update_id: PathId,
    request: Request,
    session: WriteSessionDep,
    user: CurrentUser,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    video_url: Annotated[str, Form()] = "",
):
    campaign, role = await _team_campaign(session, tag, user)
    await service.ensure_can_post(session, campaign, role)
    update = await service.get_update(session, campaign, update_id)
    values = {"title": title, "body": body, "video_url": video_url}
    form = await request.form()
    try:
        await service.edit_update(session, update, user, **values)
        await service.link_reports(
            session,
            campaign,
            update,
            _ids(form.getlist("expense_ids")),
            _ids(form.getlist("delivery_ids")),
        )
    except ValidationFailed as exc:
        context = await _edit_context(session, campaign, role, update, values, exc.by_field())
        return render(request, "dashboard/update_form.html", context, status_code=422)
    pagecache.campaign_changed(session, campaign.id)
    return redirect(
        _edit_url(campaign, update), _("Changes saved; the previous text is kept in the history.")
    )


@pages.post("/dashboard/c/{tag}/updates/{update_id}/status")
async def change_update_status(
    tag: str,
    update_id: PathId,
    session: WriteSessionDep,
    user: CurrentUser,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
):
    campaign, role = await _team_campaign(session, tag, user)
    update = await service.get_update(session, campaign, update_id)
    try:
        if action == "publish":
            if update.status == UpdateStatus.PENDING:
                service.ensure_organizer(role)  # approving a volunteer's update
            else:
                await service.ensure_can_post(session, campaign, role)
            await service.submit(session, campaign, update, role)
        elif action == "retract":
            service.ensure_organizer(role)
            await service.retract(session, update, reason)
        else:
            return redirect(_edit_url(campaign, update), _("Unknown action."), "error")
    except ValidationFailed as exc:
        return redirect(_edit_url(campaign, update), exc.field_errors[0].message, "error")
    pagecache.campaign_changed(session, campaign.id)
    return redirect(_edit_url(campaign, update), _status_message(update))


@pages.post("/dashboard/c/{tag}/updates/{update_id}/photos")
async def upload_photo(
    tag: str,
    update_id: PathId,
    session: WriteSessionDep,
    user: CurrentUser,
    photo: Annotated[UploadFile | None, Form()] = None,
    alt_text: Annotated[str, Form()] = "",
):
    campaign, role = await _team_campaign(session, tag, user)
    await service.ensure_can_post(session, campaign, role)
    update = await service.get_update(session, campaign, update_id)
    raw = await photo.read(get_settings().max_upload_bytes + 1) if photo else b""
    if not raw:
        return redirect(_edit_url(campaign, update), _("Choose an image file first."), "error")
    try:
        await service.add_photo(session, update, raw, alt_text, user)
    except ValidationFailed as exc:
        return redirect(_edit_url(campaign, update), exc.field_errors[0].message, "error")
    pagecache.campaign_changed(session, campaign.id)
    return redirect(_edit_url(campaign, update), _("Photo added; location data was removed."))
