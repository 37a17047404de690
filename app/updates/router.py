"""The progress page, field updates (pages and API), and what campaigns share outside:
Atom feed, embeddable widget, SVG badge and the share card image."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app import pagecache
from app.accounts.deps import ApiUser, ApiUserOptional, CurrentUser, OptionalUser
from app.accounts.models import User
from app.campaigns import service as campaigns
from app.campaigns.hashtags import hashtag_key
from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import MAX_ID, PathId, SessionDep, WriteSessionDep, utcnow
from app.errors import Forbidden, ValidationFailed
from app.fields import visible
from app.i18n import _, get_locale
from app.inkind.models import Delivery
from app.inkind.service import format_units
from app.updates import expenses, outcomes, service, share
from app.updates.expenses_router import expense_view
from app.updates.models import FieldUpdate, UpdateStatus
from app.updates.video import VIDEO_URL_PATTERN, video_site
from app.web import (
    absolute_url,
    format_day,
    public_cache,
    redirect,
    render,
    templates,
    verify_csrf,
)

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["updates"])

PAGE_SIZE = 10


# --- Helpers --------------------------------------------------------------------------------


async def _team_campaign(session, tag: str, user: User):
    campaign, _hashtag, role = await campaigns.visible_campaign(session, tag, user)
    if role is None:
        raise Forbidden(_("Only the campaign's team can see this page."))
    return campaign, role


def update_url(campaign: Campaign, update: FieldUpdate) -> str:
    return f"/h/{quote(campaign.hashtag)}/updates/{update.id}"


def delivery_text(delivery: Delivery) -> str:
    goods = [
        format_units(line.accepted_units, line.need.item)
        for line in delivery.lines
        if line.accepted_units > 0
    ]
    return f"{format_day(delivery.received_on)}: " + (", ".join(goods) or _("nothing accepted"))


def update_view(campaign: Campaign, update: FieldUpdate, team: bool = False) -> dict:
    """What a template needs to show one update; nothing left to compute there."""
    reports = [
        {
            "money": expense.money,
            "text": expense.description,
            "goods": expense_view(campaign, expense, team)["goods"],
            "url": expense_view(campaign, expense, team)["receipt_url"],
            "voided": expense.void is not None,
        }
        for expense in update.expenses
    ]
    reports += [
        {"money": None, "text": delivery_text(d), "goods": "", "url": None, "voided": False}
        for d in update.deliveries
    ]
    return {
        "entry": update,  # not "update": Jinja would find dict.update first
        "url": update_url(campaign, update),
        "video_site": video_site(update.video_url.split("/")[2]) if update.video_url else None,
        "retracted": update.status == UpdateStatus.RETRACTED,
        "author": update.author.display_name if update.author else "",
        "reports": reports,
    }


# --- Public pages -----------------------------------------------------------------------------


@pages.get("/h/{tag}/progress")
async def progress_page(
    tag: str,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
):
    cache_name = f"progresspage:{hashtag_key(tag)}:{page}"
    if user is None and (cached := await pagecache.lookup(request, cache_name)):
        return cached
    campaign, _hashtag, role = await campaigns.visible_campaign(session, tag, user)
    results = await outcomes.outcomes(session, campaign, utcnow().date())
    progress = results.progress
    spent = await expenses.list_expenses(session, campaign)
    updates = await service.public_updates(
        session, campaign, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    total = await service.count_public(session, campaign)
    base = f"/h/{quote(campaign.hashtag)}"
    context = {
        "campaign": campaign,
        "progress": progress,
        "outcomes": results,
        "expenses": [expense_view(campaign, e, team=role is not None) for e in spent],
        "updates": [update_view(campaign, update, role is not None) for update in updates],
        "page": page,
        "next_page": page + 1 if page * PAGE_SIZE < total else None,
        "previous_page": page - 1 if page > 1 else None,
        "feed_url": absolute_url(f"{base}/updates.atom"),
        "embed_code": (
            f'<iframe src="{absolute_url(base + "/embed")}" width="320" height="220" '
            f'style="border:0" title="#{campaign.hashtag}"></iframe>'
        ),
        "badge_url": absolute_url(f"{base}/badge.svg"),
        "page_url": absolute_url(f"{base}/progress"),
        "og_image": share.card_url(
            campaign.hashtag, campaign.title, progress.raised.amount_minor, progress.donors
        ),
    }
    response = render(request, "updates/progress.html", context)
    if not campaign.is_public:
        return response
    return await pagecache.store(request, cache_name, public_cache(response))


@pages.get("/h/{tag}/updates/{update_id}")
async def update_page(
    tag: str, update_id: PathId, request: Request, session: SessionDep, user: OptionalUser
):
    campaign, _hashtag, role = await campaigns.visible_campaign(session, tag, user)
    update = await service.get_update(session, campaign, update_id)
    if not update.is_public and role is None:
        raise service.NotFound(_("This update does not exist."))
    context = {"campaign": campaign, "item": update_view(campaign, update)}
    response = render(request, "updates/update.html", context)
    return public_cache(response) if update.is_public and campaign.is_public else response


@pages.get("/h/{tag}/updates.atom")
async def atom_feed(tag: str, request: Request, session: SessionDep):
    cache_name = f"feed:{hashtag_key(tag)}"
    if cached := await pagecache.lookup(request, cache_name):
        return cached
    campaign, _hashtag, _role = await campaigns.visible_campaign(session, tag, None)
    updates = await service.public_updates(session, campaign, limit=50)
    entries = []
    for update in updates:
        html = update.body_html
        if update.status == UpdateStatus.RETRACTED:
            html = (
                "<p>"
                + _("This update was retracted: %(reason)s", reason=update.retraction_reason)
                + "</p>"
            )
        entries.append(
            {
                "url": absolute_url(update_url(campaign, update)),
                "title": update.title,
                "published": update.published_at,
                "updated": max(update.updated_at, update.retracted_at or update.updated_at),
                "author": update.author.display_name if update.author else campaign.title,
                "html": html,
            }
        )
    base = f"/h/{quote(campaign.hashtag)}"
    body = share.atom_feed(
        feed_url=absolute_url(f"{base}/updates.atom"),
        page_url=absolute_url(f"{base}/progress"),
        title=f"#{campaign.hashtag} · {campaign.title}",
        updated=max([e["updated"] for e in entries], default=campaign.updated_at),
        entries=entries,
    )
    response = public_cache(Response(body, media_type="application/atom+xml; charset=utf-8"))
    return await pagecache.store(request, cache_name, response)


@pages.get("/h/{tag}/embed")
async def embed_widget(tag: str, request: Request, session: SessionDep):
    """A small page for partner sites' iframes: no cookies, cacheable, framing allowed."""

    async def build() -> Response:
        campaign, progress = await _public_figures(session, tag)
        # Rendered without app.web.render: the widget must never set or clear a cookie.
        page_url = absolute_url(f"/h/{quote(campaign.hashtag)}")
        context = {"campaign": campaign, "progress": progress, "page_url": page_url}
        return public_cache(templates.TemplateResponse(request, "updates/embed.html", context))

    return await pagecache.serve(request, f"embed:{hashtag_key(tag)}", build)


@pages.get("/h/{tag}/badge.svg")
async def badge(tag: str, request: Request, session: SessionDep):
    async def build() -> Response:
        campaign, progress = await _public_figures(session, tag)
        svg = share.badge_svg(f"#{campaign.hashtag}", progress.summary(get_locale()))
        return public_cache(Response(svg, media_type="image/svg+xml"))

    return await pagecache.serve(request, f"badge:{hashtag_key(tag)}", build)


async def _public_figures(session, tag: str) -> tuple[Campaign, campaigns.Progress]:
    campaign, _hashtag, _role = await campaigns.visible_campaign(session, tag, None)
    return campaign, await campaigns.progress(session, campaign)


@pages.get("/h/{tag}/card.png")
async def share_card(tag: str, request: Request, session: SessionDep):
    campaign, progress = await _public_figures(session, tag)
    summary = progress.summary(get_locale())
    bar = progress.bar_percent if progress.goal else None
    etag = share.etag_for(campaign.hashtag, campaign.title, summary, bar)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    png = share.card_png(campaign.hashtag, campaign.title, summary, bar)
    response = Response(png, media_type="image/png", headers={"ETag": etag})
    return public_cache(response, 300)


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


# --- API -----------------------------------------------------------------------------------------


RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class UpdateIn(BaseModel):
    title: str = Field(
        max_length=160, description="At least 3 characters", json_schema_extra=visible(3)
    )
    body: str = Field(default="", max_length=20000, description="Markdown")
    video_url: str = Field(
        default="",
        max_length=500,
        description="A link to YouTube, Vimeo, Dailymotion, Facebook, Instagram, TikTok or X",
        json_schema_extra={"pattern": VIDEO_URL_PATTERN},
    )
    publish: bool = False
    expense_ids: list[RowId] = Field(
        default_factory=list, description="Spending it reports (this campaign's expenses)"
    )
    delivery_ids: list[RowId] = Field(
        default_factory=list, description="Deliveries it reports (this campaign's)"
    )


class PhotoOut(BaseModel):
    url: str
    small_url: str
    alt_text: str


class UpdateOut(BaseModel):
    id: int
    title: str
    body: str
    body_html: str
    video_url: str
    status: UpdateStatus
    url: str
    author: str
    published_at: str | None
    retraction_reason: str
    photos: list[PhotoOut]
    expense_ids: list[int]
    delivery_ids: list[int]


def update_out(campaign: Campaign, update: FieldUpdate) -> UpdateOut:
    retracted = update.status == UpdateStatus.RETRACTED
    return UpdateOut(
        id=update.id,
        title=update.title,
        body="" if retracted else update.body_md,
        body_html="" if retracted else update.body_html,
        video_url="" if retracted else update.video_url,
        status=update.status,
        url=absolute_url(update_url(campaign, update)),
        author=update.author.display_name if update.author else "",
        published_at=update.published_at.isoformat() if update.published_at else None,
        retraction_reason=update.retraction_reason,
        expense_ids=[e.id for e in update.expenses],
        delivery_ids=[d.id for d in update.deliveries],
        photos=[]
        if retracted
        else [
            PhotoOut(
                url=absolute_url(p.large.url),
                small_url=absolute_url(p.small.url),
                alt_text=p.alt_text,
            )
            for p in update.photos
        ],
    )


@api.get("/campaigns/{tag}/updates", response_model=list[UpdateOut])
async def api_list_updates(
    tag: str,
    session: SessionDep,
    user: ApiUserOptional,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Published (and retracted) updates, newest first."""
    campaign, _hashtag, _role = await campaigns.visible_campaign(session, tag, user)
    updates = await service.public_updates(session, campaign, limit=limit, offset=offset)
    return [update_out(campaign, update) for update in updates]


@api.post("/campaigns/{tag}/updates", status_code=201, response_model=UpdateOut)
async def api_create_update(tag: str, body: UpdateIn, session: WriteSessionDep, user: ApiUser):
    """Post an update (team). With publish=true it is published, or sent for approval when a
    volunteer's posts need one."""
    campaign, _hashtag, role = await campaigns.visible_campaign(session, tag, user)
    update = await service.create_update(
        session,
        campaign,
        user,
        role,
        title=body.title,
        body=body.body,
        video_url=body.video_url,
        publish=body.publish,
    )
    await service.link_reports(session, campaign, update, body.expense_ids, body.delivery_ids)
    pagecache.campaign_changed(session, campaign.id)
    return update_out(campaign, update)


@api.post("/campaigns/{tag}/updates/{update_id}/photos", status_code=201, response_model=UpdateOut)
async def api_add_photo(
    tag: str,
    update_id: PathId,
    photo: UploadFile,
    session: WriteSessionDep,
    user: ApiUser,
    alt_text: Annotated[str, Form()] = "",
):
    """Attach a photo (multipart field `photo`); it is re-encoded without EXIF/GPS, in two sizes."""
    campaign, _hashtag, role = await campaigns.visible_campaign(session, tag, user)
    await service.ensure_can_post(session, campaign, role)
    update = await service.get_update(session, campaign, update_id)
    raw = await photo.read(get_settings().max_upload_bytes + 1)
    await service.add_photo(session, update, raw, alt_text, user)
    pagecache.campaign_changed(session, campaign.id)
    return update_out(campaign, update)
