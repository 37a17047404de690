"""Campaign pages: home, landing page, QR code, and the organizer's campaign dashboard."""

from io import BytesIO
from typing import Annotated
from urllib.parse import quote, urlencode

import segno
from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app import pagecache
from app.accounts.deps import CurrentUser, OptionalUser
from app.campaigns import access, service
from app.campaigns.access import OrganizerCampaign, ViewerCampaign
from app.campaigns.hashtags import hashtag_key
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.schemas import CampaignCreate, CampaignUpdate
from app.config import get_settings
from app.db import SessionDep, WriteSessionDep, utcnow
from app.errors import AppError, Conflict, FieldError, ValidationFailed, field_errors_from_pydantic
from app.formatting import absolute_url
from app.i18n import _, get_locale
from app.inkind import service as inkind
from app.money import InvalidAmount, Money, is_currency
from app.text import plain_excerpt
from app.updates.share import card_url
from app.web import public_cache, redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

FORM_FIELDS = (
    "hashtag", "aliases", "title", "story", "beneficiary", "place",
    "currency", "goal", "starts_on", "ends_on",
)  # fmt: skip
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "XOF", "XAF", "CHF", "CAD", "JPY", "SEK", "NOK")


def share_links(campaign: Campaign) -> dict[str, str]:
    url = absolute_url(quote(campaign.path))
    tags = ",".join([campaign.hashtag, *campaign.aliases])
    message = f"{campaign.title} #{campaign.hashtag}"
    return {
        "url": url,
        "x": "https://twitter.com/intent/tweet?"
        + urlencode({"text": campaign.title, "url": url, "hashtags": tags}),
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        "whatsapp": "https://wa.me/?" + urlencode({"text": f"{message} {url}"}),
    }


def _split_tags(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def campaign_input(form: FormData, creating: bool) -> dict:
    """Turn the campaign form into API-shaped data; raise ValidationFailed with field errors."""
    values = {name: str(form.get(name, "")).strip() for name in FORM_FIELDS}
    data: dict = {
        "title": values["title"],
        "story": values["story"],
        "beneficiary": values["beneficiary"],
        "place": values["place"],
        "currency": values["currency"],
        "aliases": _split_tags(values["aliases"]),
        "starts_on": values["starts_on"] or None,
        "ends_on": values["ends_on"] or None,
    }
    if creating:
        data["hashtag"] = values["hashtag"]
    errors: list[FieldError] = []
    if values["goal"]:
        currency = values["currency"].upper()
        try:
            goal = Money.parse(
                values["goal"], currency if is_currency(currency) else "EUR", get_locale()
            )
            data["goal_minor"] = goal.amount_minor
        except InvalidAmount:
            errors.append(FieldError("goal", _("Enter an amount like 5000 or 5000.50.")))
    elif not creating:
        data["clear_goal"] = True
    schema = CampaignCreate if creating else CampaignUpdate
    try:
        parsed = schema.model_validate(data)
    except ValidationError as exc:
        errors = field_errors_from_pydantic(exc.errors(include_url=False), skip=()) + errors
        raise ValidationFailed(errors) from None
    if errors:
        raise ValidationFailed(errors)
    return {"parsed": parsed, "values": values}


def form_values(campaign: Campaign) -> dict:
    return {
        "hashtag": campaign.hashtag,
        "aliases": " ".join(f"#{tag}" for tag in campaign.aliases),
        "title": campaign.title,
        "story": campaign.story_md,
        "beneficiary": campaign.beneficiary,
        "place": campaign.place,
        "currency": campaign.currency,
        "goal": campaign.goal.major_text() if campaign.goal else "",
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else "",
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else "",
    }


# --- Public pages -------------------------------------------------------------------------


@pages.get("/")
async def home(request: Request, session: SessionDep, user: OptionalUser):
    if user is None and (cached := await pagecache.lookup(request, "home")):
        return cached
    campaigns, _total = await service.list_public(session, limit=24)
    entries = [
        (c, await service.progress(session, c), plain_excerpt(c.story_md, 160)) for c in campaigns
    ]
    response = public_cache(render(request, "home.html", {"entries": entries}))
    return await pagecache.store(request, "home", response)


@pages.get("/go")
async def go_to_hashtag(tag: str = ""):
    key = hashtag_key(tag)
    if not key:
        return redirect("/", _("Type a hashtag to find its campaign."), "error")
    return RedirectResponse("/h/" + quote(key), status_code=303)


@pages.get("/h/{tag}")
async def landing(tag: str, request: Request, session: SessionDep, user: OptionalUser):
    cache_name = f"landing:{hashtag_key(tag)}"
    if user is None and (cached := await pagecache.lookup(request, cache_name)):
        return cached
    viewer = await access.resolve(session, tag, user)
    campaign = viewer.campaign
    if not viewer.hashtag.is_primary:
        return RedirectResponse(quote(campaign.path), status_code=301)
    progress = await service.progress(session, campaign)
    context = {
        "campaign": campaign,
        "viewer": viewer,
        "progress": progress,
        "share": share_links(campaign),
        "description": plain_excerpt(campaign.story_md) or campaign.beneficiary,
        "og_image": card_url(
            campaign.hashtag, campaign.title, progress.raised.amount_minor, progress.donors
        ),
        "needs": await inkind.campaign_figures(session, campaign, utcnow().date()),
    }
    response = render(request, "campaigns/landing.html", context)
    if not campaign.is_public:
        return response
    return await pagecache.store(request, cache_name, public_cache(response))


@pages.get("/h/{tag}/qr.svg")
async def qr_code(viewer: ViewerCampaign):
    campaign = viewer.campaign
    qr = segno.make(absolute_url(quote(campaign.path)), error="m")
    buffer = BytesIO()
    # A standalone SVG document (with its namespace): browsers refuse inline-only markup in <img>.
    qr.save(buffer, kind="svg", xmldecl=False, scale=8, border=2, title=f"#{campaign.hashtag}")
    response = Response(buffer.getvalue(), media_type="image/svg+xml")
    return public_cache(response, 3600) if campaign.is_public else response


# --- Organizer dashboard -----------------------------------------------------------------


@pages.get("/dashboard")
async def dashboard(request: Request, session: SessionDep, user: CurrentUser):
    rows = await access.my_campaigns(session, user)
    return render(request, "dashboard/index.html", {"rows": rows})


@pages.get("/dashboard/campaigns/new")
async def new_campaign_form(request: Request, user: CurrentUser):
    values = {"currency": "EUR"}
    return render(request, "dashboard/campaign_form.html", _form_context(values, {}, None))


@pages.post("/dashboard/campaigns/new")
async def create_campaign(request: Request, session: WriteSessionDep, user: CurrentUser):
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in FORM_FIELDS}
    try:
        parsed = campaign_input(form, creating=True)["parsed"]
        campaign = await service.create_campaign(session, user, parsed)
    except (ValidationFailed, Conflict) as exc:
        context = _form_context(values, _errors(exc), None)
        return render(request, "dashboard/campaign_form.html", context, status_code=exc.status_code)
    pagecache.campaign_changed(session, campaign.id)
    return redirect(
        f"/dashboard/c/{quote(campaign.hashtag)}/edit",
        _("Draft saved. Add a cover image, then publish when you are ready."),
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
    values = {name: str(form.get(name, "")) for name in FORM_FIELDS}
    values["hashtag"] = campaign.hashtag
    try:
        parsed = campaign_input(form, creating=False)["parsed"]
        await service.update_campaign(session, campaign, parsed)
    except (ValidationFailed, Conflict) as exc:
        await session.refresh(campaign)
        context = _form_context(values, _errors(exc), campaign)
        return render(request, "dashboard/campaign_form.html", context, status_code=exc.status_code)
    pagecache.campaign_changed(session, campaign.id)
    return redirect(f"/dashboard/c/{quote(campaign.hashtag)}/edit", _("Changes saved."))


@pages.post("/dashboard/c/{tag}/cover")
async def upload_cover(
    session: WriteSessionDep,
    viewer: OrganizerCampaign,
    cover: Annotated[UploadFile | None, Form()] = None,
):
    campaign = viewer.campaign
    edit_url = f"/dashboard/c/{quote(campaign.hashtag)}/edit"
    raw = await cover.read(get_settings().max_upload_bytes + 1) if cover else b""
    if not raw:
        return redirect(edit_url, _("Choose an image file first."), "error")
    try:
        await service.set_cover(session, campaign, raw, viewer.user)
    except ValidationFailed as exc:
        return redirect(edit_url, exc.field_errors[0].message, "error")
    pagecache.campaign_changed(session, campaign.id)
    return redirect(edit_url, _("Cover image updated."))


@pages.post("/dashboard/c/{tag}/status")
async def change_status(
    session: WriteSessionDep,
    viewer: OrganizerCampaign,
    action: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
):
    campaign = viewer.campaign
    edit_url = f"/dashboard/c/{quote(campaign.hashtag)}/edit"
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


def _errors(exc: AppError) -> dict[str, str]:
    errors = {error.field: error.message for error in exc.field_errors}
    return errors or {"form": exc.message}


def _form_context(values: dict, errors: dict, campaign: Campaign | None) -> dict:
    return {
        "values": values,
        "errors": errors,
        "campaign": campaign,
        "currencies": COMMON_CURRENCIES,
        "share": share_links(campaign) if campaign else None,
        "locale": get_locale(),
    }
