"""The team's campaign pages: my campaigns with their figures, the campaign form, the cover
image, publishing, and the preview of the landing page before it is public."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request, UploadFile

from app import pagecache
from app.accounts.deps import CurrentUser
from app.campaigns import access, cards, service
from app.campaigns.access import CampaignAccess, OrganizerCampaign, TeamCampaign
from app.campaigns.forms import COMMON_CURRENCIES, campaign_input, form_values, typed_values
from app.campaigns.landing import landing_context, share_links
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.timezones import time_zone_names
from app.config import get_settings
from app.db import SessionDep, WriteSessionDep
from app.errors import AppError, Conflict, FieldError, ValidationFailed
from app.i18n import _, get_locale
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _edit_url(campaign: Campaign) -> str:
    return f"/dashboard/c/{quote(campaign.hashtag)}/edit"


@pages.get("/dashboard")
async def dashboard(request: Request, session: SessionDep, user: CurrentUser):
    rows = await access.my_campaigns(session, user)
    figures = await cards.figures(session, [viewer.campaign for viewer in rows])
    entries = [(viewer, figures[viewer.campaign.id]) for viewer in rows]
    return render(request, "dashboard/index.html", {"entries": entries})


@pages.get("/dashboard/campaigns/new")
async def new_campaign_form(request: Request, user: CurrentUser):
    values = {"currency": "EUR"}
    return render(request, "dashboard/campaign_form.html", _form_context(values, {}, None))


@pages.post("/dashboard/campaigns/new")
async def create_campaign(request: Request, session: WriteSessionDep, user: CurrentUser):
    form = await request.form()
    try:
        parsed = campaign_input(form, creating=True)
        campaign = await service.create_campaign(session, user, parsed)
    except (ValidationFailed, Conflict) as exc:
        context = _form_context(typed_values(form), _errors(exc), None)
        return render(request, "dashboard/campaign_form.html", context, status_code=exc.status_code)
    pagecache.campaign_changed(session, campaign.id)
    return redirect(
        _edit_url(campaign),
        _("Draft saved. Add a cover image, preview the page, then publish when you are ready."),
    )


@pages.get("/dashboard/c/{tag}/edit")
async def edit_campaign_form(request: Request, viewer: OrganizerCampaign):
    campaign = viewer.campaign
    return render(
        request, "dashboard/campaign_form.html", _form_context(form_values(campaign), {}, campaign)
    )


@pages.post("/dashboard/c/{tag}/edit")
async def edit_campaign(request: Request, session: WriteSessionDep, viewer: OrganizerCampaign):
    campaign = viewer.campaign
    form = await request.form()
    values = typed_values(form)
    values["hashtag"] = campaign.hashtag
    try:
        parsed = campaign_input(form, creating=False)
        await service.update_campaign(session, campaign, parsed)
    except (ValidationFailed, Conflict) as exc:
        await session.refresh(campaign)
        context = _form_context(values, _errors(exc), campaign)
        return render(request, "dashboard/campaign_form.html", context, status_code=exc.status_code)
    pagecache.campaign_changed(session, campaign.id)
    return redirect(_edit_url(campaign), _("Changes saved."))


@pages.post("/dashboard/c/{tag}/cover")
async def upload_cover(
    request: Request,
    session: WriteSessionDep,
    viewer: OrganizerCampaign,
    cover: Annotated[UploadFile | None, Form()] = None,
):
    """Add or replace the cover; a refused file is explained next to the file field."""
    campaign = viewer.campaign
    raw = await cover.read(get_settings().max_upload_bytes + 1) if cover else b""
    try:
        if not raw:
            raise ValidationFailed([FieldError("cover", _("Choose an image file first."))])
        replacing = campaign.cover_id is not None
        await service.set_cover(session, campaign, raw, viewer.user)
    except ValidationFailed as exc:
        context = _form_context(
            form_values(campaign), {"cover": exc.field_errors[0].message}, campaign
        )
        return render(request, "dashboard/campaign_form.html", context, status_code=422)
    pagecache.campaign_changed(session, campaign.id)
    message = _("Cover image replaced.") if replacing else _("Cover image added.")
    return redirect(_edit_url(campaign) + "#cover-heading", message)


@pages.post("/dashboard/c/{tag}/cover/remove")
async def remove_cover(session: WriteSessionDep, viewer: OrganizerCampaign):
    campaign = viewer.campaign
    if campaign.cover_id is not None:
        await service.remove_cover(session, campaign)
        pagecache.campaign_changed(session, campaign.id)
    return redirect(_edit_url(campaign) + "#cover-heading", _("Cover image removed."))


@pages.post("/dashboard/c/{tag}/status")
async def change_status(
    session: WriteSessionDep,
    viewer: OrganizerCampaign,
    action: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
):
    campaign = viewer.campaign
    edit_url = _edit_url(campaign)
    target = service.STATUS_ACTIONS.get(action)
    if target is None:
        return redirect(edit_url, _("Unknown action."), "error")
    if target == CampaignStatus.CLOSED and confirm != "yes":
        return redirect(edit_url, _("Tick the box to confirm closing the campaign."), "error")
    try:
        await service.change_status(session, campaign, target)
    except Conflict as exc:
        return redirect(edit_url, exc.message, "error")
    pagecache.campaign_changed(session, campaign.id)
    messages = {
        "publish": _("Your campaign is live. Share its hashtag!"),
        "resume": _("Your campaign is live again."),
        "pause": _("Campaign paused: the page says so and gifts are not accepted."),
        "close": _("Campaign closed. Its page stays online; its hashtags are free again."),
    }
    return redirect(edit_url, messages[action])


@pages.get("/dashboard/c/{tag}/preview")
async def preview(request: Request, session: SessionDep, viewer: TeamCampaign):
    """The landing page exactly as a visitor will see it, for the team only, never indexed."""
    campaign = viewer.campaign
    as_public = CampaignAccess(campaign, None, None, viewer.hashtag)
    context = await landing_context(session, as_public)
    context.update(preview=True, can_edit=viewer.can_edit_campaign, edit_url=_edit_url(campaign))
    return render(
        request,
        "campaigns/landing.html",
        context,
        headers={"X-Robots-Tag": "noindex, nofollow"},
    )


def _errors(exc: AppError) -> dict[str, str]:
    errors = {error.field: error.message for error in exc.field_errors}
    return errors or {"form": exc.message}


def _form_context(values: dict, errors: dict, campaign: Campaign | None) -> dict:
    return {
        "values": values,
        "errors": errors,
        "campaign": campaign,
        "currencies": COMMON_CURRENCIES,
        "time_zones": time_zone_names(),
        "default_time_zone": get_settings().default_time_zone,
        "share": share_links(campaign) if campaign else None,
        "locale": get_locale(),
    }
