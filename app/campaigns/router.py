"""Public campaign pages: home, search, landing page and QR code.

The team's pages (dashboard, campaign form, cover, preview) are in campaigns/dashboard.py."""

from io import BytesIO
from typing import Annotated
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from app import pagecache
from app.accounts.deps import OptionalUser
from app.campaigns import access, service
from app.campaigns.access import ViewerCampaign
from app.campaigns.hashtags import hashtag_key
from app.campaigns.landing import landing_context
from app.campaigns.models import CampaignStatus
from app.campaigns.search import MAX_QUERY_LENGTH, search_live
from app.db import SessionDep
from app.errors import NotFound
from app.formatting import absolute_url
from app.i18n import _
from app.text import plain_excerpt
from app.web import public_cache, redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

SEARCH_PAGE_SIZE = 12
MAX_SEARCH_PAGE = 100


async def _cards(session, campaigns) -> list[tuple]:
    return [
        (c, await service.progress(session, c), plain_excerpt(c.story_md, 160)) for c in campaigns
    ]


@pages.get("/")
async def home(request: Request, session: SessionDep, user: OptionalUser):
    if user is None and (cached := await pagecache.lookup(request, "home")):
        return cached
    campaigns, _total = await service.list_public(session, limit=24)
    context = {"entries": await _cards(session, campaigns)}
    response = public_cache(render(request, "home.html", context))
    return await pagecache.store(request, "home", response)


async def _exact_hashtag(session, query: str) -> str | None:
    """The page of the published campaign a one-word query names by hashtag, if any."""
    words = query.split()
    if len(words) != 1 or not hashtag_key(words[0]):
        return None
    try:
        campaign, _tag = await service.find_by_tag(session, words[0])
    except NotFound:
        return None
    return campaign.path if campaign.status != CampaignStatus.DRAFT else None


@pages.get("/search")
async def search(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=500)] = "",
    page: Annotated[int, Query(ge=1, le=MAX_SEARCH_PAGE)] = 1,
):
    """A hashtag goes straight to its campaign; other words list the live campaigns they match."""
    query = " ".join(q.split())[:MAX_QUERY_LENGTH]
    if not query:
        return redirect("/", _("Type a hashtag or words to find a campaign."), "error")
    if page == 1 and (path := await _exact_hashtag(session, query)):
        return RedirectResponse(quote(path), status_code=303)
    offset = (page - 1) * SEARCH_PAGE_SIZE
    campaigns, total = await search_live(session, query, SEARCH_PAGE_SIZE, offset)
    context = {
        "query": query,
        "entries": await _cards(session, campaigns),
        "total": total,
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if offset + len(campaigns) < total else None,
    }
    return public_cache(render(request, "campaigns/search.html", context))


@pages.get("/go")
async def go_to_hashtag(
    request: Request, session: SessionDep, tag: Annotated[str, Query(max_length=500)] = ""
):
    """The former hashtag box (printed links and bookmarks): it searches like the new one."""
    return await search(request, session, q=tag, page=1)


@pages.get("/h/{tag}")
async def landing(tag: str, request: Request, session: SessionDep, user: OptionalUser):
    cache_name = f"landing:{hashtag_key(tag)}"
    if user is None and (cached := await pagecache.lookup(request, cache_name)):
        return cached
    viewer = await access.resolve(session, tag, user)
    campaign = viewer.campaign
    if not viewer.hashtag.is_primary:
        return RedirectResponse(quote(campaign.path), status_code=301)
    response = render(request, "campaigns/landing.html", await landing_context(session, viewer))
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
