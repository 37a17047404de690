"""Finding live campaigns by words: title, beneficiary, place and hashtags.

Databases disagree on Unicode case ("Palīdzēsim" vs "palīdzēsim": SQLite's LIKE folds ASCII
only) and none ignores accents by default. So each campaign keeps a `search_text` folded here
in Python, and a query is folded the same way: one portable LIKE per word, wildcards escaped.
"""

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign, CampaignStatus

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8


def fold(text: str) -> str:
    """Lower case without accents: 'Palīdzēsim' and 'PALIDZESIM' both become 'palidzesim'."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_text_for(campaign: Campaign) -> str:
    """What a search looks into, folded once when the campaign is saved."""
    tags = " ".join(f"#{tag.tag}" for tag in campaign.hashtags)
    return fold(" ".join([campaign.title, campaign.beneficiary, campaign.place or "", tags]))


def query_words(query: str) -> list[str]:
    """The words of a query, folded; '#' and punctuation around them are dropped."""
    words = []
    for raw in fold(query[:MAX_QUERY_LENGTH]).split():
        word = raw.strip("#.,;:!?\"'()[]")
        if word and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search_live(
    session: AsyncSession, query: str, limit: int = 12, offset: int = 0
) -> tuple[list[Campaign], int]:
    """Live campaigns whose text holds every word of the query, newest first, and their count."""
    words = query_words(query)
    if not words:
        return [], 0
    conditions = [
        Campaign.search_text.like(f"%{_escape_like(word)}%", escape="\\") for word in words
    ]
    matches = select(Campaign).where(Campaign.status == CampaignStatus.LIVE, *conditions)
    total = await session.scalar(select(func.count()).select_from(matches.subquery()))
    if not total:
        return [], 0
    rows = await session.scalars(
        matches.order_by(Campaign.published_at.desc(), Campaign.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total)
