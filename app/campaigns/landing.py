"""What the landing page shows: shared by the public page and the team's draft preview."""

from urllib.parse import quote, urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns import service
from app.campaigns.access import CampaignAccess
from app.campaigns.models import Campaign
from app.db import utcnow
from app.formatting import absolute_url
from app.inkind import service as inkind
from app.text import plain_excerpt
from app.updates.share import card_url


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


async def landing_context(session: AsyncSession, viewer: CampaignAccess) -> dict:
    campaign = viewer.campaign
    progress = await service.progress(session, campaign)
    return {
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
