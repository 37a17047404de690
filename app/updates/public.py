"""The public side of a campaign's proof: the progress page, one update's page, and what
campaigns share outside (Atom feed, embeddable widget, SVG badge, share card image)."""

from html import escape as html_escape
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app import pagecache
from app.accounts.deps import OptionalUser
from app.campaigns import access
from app.campaigns import service as campaigns
from app.campaigns.access import ViewerCampaign
from app.campaigns.hashtags import hashtag_key
from app.campaigns.models import Campaign
from app.db import PathId, SessionDep, utcnow
from app.formatting import absolute_url
from app.i18n import _, get_locale
from app.updates import expenses, outcomes, service, share
from app.updates.models import UpdateStatus
from app.updates.views import expense_view, update_url, update_view
from app.web import public_cache, render, templates, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

PAGE_SIZE = 10


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
    viewer = await access.resolve(session, tag, user)
    campaign, team = viewer.campaign, viewer.can_see_private_receipts
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
        "expenses": [expense_view(campaign, e, team=team) for e in spent],
        "updates": [update_view(campaign, update, team=team) for update in updates],
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
    update_id: PathId, request: Request, session: SessionDep, viewer: ViewerCampaign
):
    campaign = viewer.campaign
    update = await service.get_update(session, campaign, update_id)
    if not update.is_public and not viewer.can_see_team_pages:
        raise service.NotFound(_("This update does not exist."))
    context = {"campaign": campaign, "item": update_view(campaign, update)}
    response = render(request, "updates/update.html", context)
    return public_cache(response) if update.is_public and campaign.is_public else response


@pages.get("/h/{tag}/updates.atom")
async def atom_feed(tag: str, request: Request, session: SessionDep):
    cache_name = f"feed:{hashtag_key(tag)}"
    if cached := await pagecache.lookup(request, cache_name):
        return cached
    campaign = (await access.resolve(session, tag, None)).campaign
    updates = await service.public_updates(session, campaign, limit=50)
    entries = []
    for update in updates:
        html = update.body_html
        if update.status == UpdateStatus.RETRACTED:
            # The content is HTML that feed readers render: the reason is plain text in it.
            reason = html_escape(update.retraction_reason)
            html = "<p>" + _("This update was retracted: %(reason)s", reason=reason) + "</p>"
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
    campaign = (await access.resolve(session, tag, None)).campaign
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
