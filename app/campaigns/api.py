"""The campaigns API: list, create, read, change, cover image and public figures."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from app import pagecache
from app.accounts.deps import ApiUser, ApiUserOptional
from app.campaigns import access, service
from app.campaigns.access import ApiOrganizerCampaign, ApiViewerCampaign
from app.campaigns.hashtags import hashtag_key
from app.campaigns.models import Campaign
from app.campaigns.schemas import (
    CampaignCreate,
    CampaignList,
    CampaignOut,
    CampaignUpdate,
    GoodsOutcomeOut,
    ProgressOut,
)
from app.campaigns.search import MAX_QUERY_LENGTH, search_live
from app.config import get_settings
from app.db import Offset, SessionDep, WriteSessionDep, utcnow
from app.formatting import absolute_url
from app.i18n import get_locale
from app.inkind import service as inkind
from app.updates.outcomes import outcomes
from app.web import public_cache

api = APIRouter(prefix="/api/v1", tags=["campaigns"])


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        hashtag=campaign.hashtag,
        aliases=campaign.aliases,
        title=campaign.title,
        story=campaign.story_md,
        story_html=campaign.story_html,
        beneficiary=campaign.beneficiary,
        place=campaign.place,
        currency=campaign.currency,
        goal_minor=campaign.goal_minor,
        status=campaign.status,
        time_zone=campaign.time_zone,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        url=absolute_url(quote(campaign.path)),
        cover_url=absolute_url(campaign.cover.url) if campaign.cover else None,
        created_at=campaign.created_at,
        published_at=campaign.published_at,
    )


# --- JSON API -----------------------------------------------------------------------------


@api.get("/campaigns", response_model=CampaignList)
async def api_list_campaigns(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description="Words that must all appear in the title, beneficiary, place or "
            "hashtags (case and accents ignored: 'palidzesim' finds #Palīdzēsim)",
        ),
    ] = "",
):
    """Live campaigns, most recently published first; with `q`, only those matching it."""
    if q.strip():
        campaigns, total = await search_live(session, q, limit=limit, offset=offset)
    else:
        campaigns, total = await service.list_public(session, limit=limit, offset=offset)
    return CampaignList(
        items=[campaign_out(c) for c in campaigns], total=total, limit=limit, offset=offset
    )


@api.post("/campaigns", status_code=201, response_model=CampaignOut)
async def api_create_campaign(
    body: CampaignCreate, user: ApiUser, session: WriteSessionDep, response: Response
):
    """Create a draft campaign; the caller becomes its owner."""
    campaign = await service.create_campaign(session, user, body)
    response.headers["Location"] = f"/api/v1/campaigns/{quote(campaign.hashtag)}"
    return campaign_out(campaign)


@api.get("/campaigns/{tag}", response_model=CampaignOut)
async def api_get_campaign(viewer: ApiViewerCampaign):
    """A campaign by any of its hashtags (drafts only for their team)."""
    return campaign_out(viewer.campaign)


@api.patch("/campaigns/{tag}", response_model=CampaignOut)
async def api_update_campaign(
    body: CampaignUpdate, session: WriteSessionDep, viewer: ApiOrganizerCampaign
):
    """Change fields, aliases or status (draft → live ⇄ paused → closed)."""
    campaign = viewer.campaign
    await service.update_campaign(session, campaign, body)
    pagecache.campaign_changed(session, campaign.id)
    return campaign_out(campaign)


@api.put("/campaigns/{tag}/cover", response_model=CampaignOut)
async def api_set_cover(cover: UploadFile, session: WriteSessionDep, viewer: ApiOrganizerCampaign):
    """Upload a cover image (multipart field `cover`); it is re-encoded without metadata."""
    campaign = viewer.campaign
    raw = await cover.read(get_settings().max_upload_bytes + 1)
    await service.set_cover(session, campaign, raw, viewer.user)
    pagecache.campaign_changed(session, campaign.id)
    return campaign_out(campaign)


@api.get("/campaigns/{tag}/progress", response_model=ProgressOut)
async def api_progress(tag: str, request: Request, session: SessionDep, user: ApiUserOptional):
    """Public figures: money raised, goal and number of donors."""
    cache_name = f"progress:{hashtag_key(tag)}"
    if user is None and (cached := await pagecache.lookup(request, cache_name)):
        return cached
    campaign = (await access.resolve(session, tag, user)).campaign
    results = await outcomes(session, campaign, utcnow().date())
    progress = results.progress
    locale = get_locale()
    body = ProgressOut(
        hashtag=campaign.hashtag,
        status=campaign.status,
        currency=campaign.currency,
        raised_minor=progress.raised.amount_minor,
        goal_minor=progress.goal.amount_minor if progress.goal else None,
        percent=progress.percent,
        donors=progress.donors,
        raised_display=progress.raised.format(locale),
        goal_display=progress.goal.format(locale) if progress.goal else None,
        summary=progress.summary(locale),
        spent_minor=results.spending.spent.amount_minor,
        balance_minor=results.balance.amount_minor,
        spent_display=results.spending.spent.format(locale),
        goods_givers=results.goods_givers,
        outcomes=[
            GoodsOutcomeOut(
                item=g.item,
                unit=g.unit,
                received=g.received,
                used=g.used,
                on_hand=g.on_hand,
                days_covered=g.days_covered,
            )
            for g in results.goods
        ],
        percent_text=progress.percent_text(),
        needs=await inkind.need_outs(session, campaign, utcnow().date()),
    )
    response = JSONResponse(body.model_dump(mode="json"))
    if not campaign.is_public:
        return response
    return await pagecache.store(request, cache_name, public_cache(response))
