"""Team pages for field updates: list, write, edit with history, photos, publish, approve,
retract, and who may post."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request, UploadFile

from app import pagecache
from app.campaigns.access import TeamCampaign, UpdateSettingsCampaign, UpdateWriterCampaign
from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import MAX_ID, PathId, SessionDep, WriteSessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.media import reencode_image
from app.updates import service
from app.updates.models import FieldUpdate, UpdateStatus
from app.updates.views import delivery_text, update_view
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


# --- Team pages ---------------------------------------------------------------------------------


@pages.get("/dashboard/c/{tag}/updates")
async def team_updates(request: Request, session: SessionDep, viewer: TeamCampaign):
    campaign = viewer.campaign
    updates = await service.team_updates(session, campaign)
    context = {
        "campaign": campaign,
        "viewer": viewer,
        "rows": [update_view(campaign, update) for update in updates],
        "settings": await service.settings_for(session, campaign),
    }
    return render(request, "dashboard/updates.html", context)


@pages.post("/dashboard/c/{tag}/updates/settings")
async def save_update_settings(
    session: WriteSessionDep,
    viewer: UpdateSettingsCampaign,
    volunteers_can_post: Annotated[str, Form()] = "",
    need_approval: Annotated[str, Form()] = "",
):
    campaign = viewer.campaign
    await service.save_settings(session, campaign, bool(volunteers_can_post), bool(need_approval))
    return redirect(f"/dashboard/c/{quote(campaign.hashtag)}/updates", _("Settings saved."))


@pages.get("/dashboard/c/{tag}/updates/new")
async def new_update_form(request: Request, viewer: UpdateWriterCampaign):
    campaign = viewer.campaign
    context = {"campaign": campaign, "values": {}, "errors": {}, "update": None}
    return render(request, "dashboard/update_form.html", context)


@pages.post("/dashboard/c/{tag}/updates/new")
async def create_update(
    request: Request,
    session: WriteSessionDep,
    viewer: UpdateWriterCampaign,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    video_url: Annotated[str, Form()] = "",
    alt_text: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "draft",
    photo: Annotated[UploadFile | None, Form()] = None,
):
    """A new update, with its first photo if one is chosen: all of it is saved, or nothing."""
    campaign = viewer.campaign
    values = {"title": title, "body": body, "video_url": video_url}
    raw = await photo.read(get_settings().max_upload_bytes + 1) if photo else b""
    errors: dict[str, str] = {}
    update = None
    try:
        update = await service.create_update(
            session,
            campaign,
            viewer.user,
            **values,
            publish=action == "publish",
            needs_approval=viewer.update_needs_approval,
        )
    except ValidationFailed as exc:
        errors.update(exc.by_field())
    try:
        if raw and update is not None:
            await service.add_photo(session, update, raw, alt_text, viewer.user)
        elif raw:
            reencode_image(raw, field="photo")  # say what is wrong with the photo now, too
    except ValidationFailed as exc:
        errors.update(exc.by_field())
    if errors:
        # The refused request writes nothing (transaction.py): no update without its photo.
        values["alt_text"] = alt_text
        context = {
            "campaign": campaign,
            "values": values,
            "errors": errors,
            "update": None,
            "photo_sent": bool(raw) and "photo" not in errors,
        }
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
    update_id: PathId, request: Request, session: SessionDep, viewer: TeamCampaign
):
    update = await service.get_update(session, viewer.campaign, update_id)
    context = await _edit_context(session, viewer, update)
    return render(request, "dashboard/update_form.html", context)


async def _edit_context(session, viewer, update, values=None, errors=None) -> dict:
    campaign = viewer.campaign
    can_edit = viewer.can_edit_update(update) and update.status != UpdateStatus.RETRACTED
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
        "can_edit": can_edit,
        "refusal": viewer.update_refusal(update),
        "can_publish": can_edit and update.status == UpdateStatus.DRAFT,
        "can_approve": viewer.can_approve_updates and update.status == UpdateStatus.PENDING,
        "can_retract": viewer.can_retract_updates and update.status == UpdateStatus.PUBLISHED,
    }


@pages.post("/dashboard/c/{tag}/updates/{update_id}")
async def edit_update(
    update_id: PathId,
    request: Request,
    session: WriteSessionDep,
    viewer: UpdateWriterCampaign,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    video_url: Annotated[str, Form()] = "",
):
    campaign = viewer.campaign
    update = await service.get_update(session, campaign, update_id)
    viewer.require_edit_update(update)
    values = {"title": title, "body": body, "video_url": video_url}
    form = await request.form()
    try:
        await service.edit_update(session, update, viewer.user, **values)
        await service.link_reports(
            session,
            campaign,
            update,
            _ids(form.getlist("expense_ids")),
            _ids(form.getlist("delivery_ids")),
        )
    except ValidationFailed as exc:
        context = await _edit_context(session, viewer, update, values, exc.by_field())
        return render(request, "dashboard/update_form.html", context, status_code=422)
    pagecache.campaign_changed(session, campaign.id)
    return redirect(
        _edit_url(campaign, update), _("Changes saved; the previous text is kept in the history.")
    )


@pages.post("/dashboard/c/{tag}/updates/{update_id}/status")
async def change_update_status(
    update_id: PathId,
    session: WriteSessionDep,
    viewer: TeamCampaign,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
):
    campaign = viewer.campaign
    update = await service.get_update(session, campaign, update_id)
    try:
        if action == "publish":
            if update.status == UpdateStatus.PENDING:
                viewer.require("can_approve_updates")  # approving someone's update
            else:
                viewer.require_edit_update(update)  # one's own draft, or any as an organizer
            await service.submit(session, update, needs_approval=viewer.update_needs_approval)
        elif action == "retract":
            viewer.require("can_retract_updates")
            await service.retract(session, update, reason)
        else:
            return redirect(_edit_url(campaign, update), _("Unknown action."), "error")
    except ValidationFailed as exc:
        return redirect(_edit_url(campaign, update), exc.field_errors[0].message, "error")
    pagecache.campaign_changed(session, campaign.id)
    return redirect(_edit_url(campaign, update), _status_message(update))


@pages.post("/dashboard/c/{tag}/updates/{update_id}/photos")
async def upload_photo(
    update_id: PathId,
    session: WriteSessionDep,
    viewer: UpdateWriterCampaign,
    photo: Annotated[UploadFile | None, Form()] = None,
    alt_text: Annotated[str, Form()] = "",
):
    campaign = viewer.campaign
    update = await service.get_update(session, campaign, update_id)
    viewer.require_edit_update(update)
    raw = await photo.read(get_settings().max_upload_bytes + 1) if photo else b""
    if not raw:
        return redirect(_edit_url(campaign, update), _("Choose an image file first."), "error")
    try:
        await service.add_photo(session, update, raw, alt_text, viewer.user)
    except ValidationFailed as exc:
        return redirect(_edit_url(campaign, update), exc.field_errors[0].message, "error")
    pagecache.campaign_changed(session, campaign.id)
    return redirect(_edit_url(campaign, update), _("Photo added; location data was removed."))
