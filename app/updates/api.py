"""The field updates API: list, post (published or sent for approval), attach photos."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile

from app import pagecache
from app.campaigns.access import ApiUpdateWriterCampaign, ApiViewerCampaign
from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import Offset, PathId, SessionDep, WriteSessionDep
from app.formatting import absolute_url
from app.updates import service
from app.updates.models import FieldUpdate, UpdateStatus
from app.updates.schemas import PhotoOut, UpdateIn, UpdateOut
from app.updates.views import update_url

api = APIRouter(prefix="/api/v1", tags=["updates"])


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
    session: SessionDep,
    viewer: ApiViewerCampaign,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
):
    """Published (and retracted) updates, newest first."""
    campaign = viewer.campaign
    updates = await service.public_updates(session, campaign, limit=limit, offset=offset)
    return [update_out(campaign, update) for update in updates]


@api.post("/campaigns/{tag}/updates", status_code=201, response_model=UpdateOut)
async def api_create_update(
    body: UpdateIn, session: WriteSessionDep, viewer: ApiUpdateWriterCampaign
):
    """Post an update (team). With publish=true it is published, or sent for approval when a
    volunteer's posts need one."""
    campaign = viewer.campaign
    update = await service.create_update(
        session,
        campaign,
        viewer.user,
        title=body.title,
        body=body.body,
        video_url=body.video_url,
        publish=body.publish,
        needs_approval=viewer.update_needs_approval,
    )
    await service.link_reports(session, campaign, update, body.expense_ids, body.delivery_ids)
    pagecache.campaign_changed(session, campaign.id)
    return update_out(campaign, update)


@api.post("/campaigns/{tag}/updates/{update_id}/photos", status_code=201, response_model=UpdateOut)
async def api_add_photo(
    update_id: PathId,
    photo: UploadFile,
    session: WriteSessionDep,
    viewer: ApiUpdateWriterCampaign,
    alt_text: Annotated[str, Form()] = "",
):
    """Attach a photo (multipart field `photo`); it is re-encoded without EXIF/GPS, in two sizes.
    Volunteers add photos only to their own updates not yet published (when they need approval)."""
    campaign = viewer.campaign
    update = await service.get_update(session, campaign, update_id)
    viewer.require_edit_update(update)
    raw = await photo.read(get_settings().max_upload_bytes + 1)
    await service.add_photo(session, update, raw, alt_text, viewer.user)
    pagecache.campaign_changed(session, campaign.id)
    return update_out(campaign, update)
