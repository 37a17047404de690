import pytest

from app import pagecache
from app.config import get_settings
from tests.factories import api_token, create_campaign, create_user, log_in

NAMES = ("home", "landing:cachedtag", "progress:cachedtag")


@pytest.fixture(params=["local", "redis"])
async def page_cache(request, monkeypatch):
    monkeypatch.setenv("PAGE_CACHE_SECONDS", "30")
    if request.param == "redis":
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    get_settings.cache_clear()
    pagecache.backend.cache_clear()
    await pagecache.forget(*NAMES)
    yield request.param
    await pagecache.forget(*NAMES)
    get_settings.cache_clear()
    pagecache.backend.cache_clear()


async def test_public_page_is_reused_until_the_organizer_changes_it(page_cache, client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="cachedtag", title="First title")
    first = await client.get("/h/cachedtag")
    assert "First title" in first.text
    # A change that bypasses the application (e.g. a manual SQL fix) shows after the TTL only.
    campaign.title = "Changed behind the cache"
    await session.commit()
    assert "First title" in (await client.get("/h/CACHEDTAG")).text
    # An organizer's edit through the app drops the cached pages at once.
    headers = await api_token(session, owner)
    await client.patch(
        "/api/v1/campaigns/cachedtag", json={"title": "Edited title"}, headers=headers
    )
    assert "Edited title" in (await client.get("/h/cachedtag")).text


async def test_signed_in_visitors_always_get_a_fresh_page(page_cache, client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="cachedtag", title="Old")
    await client.get("/h/cachedtag")  # fills the cache for anonymous visitors
    campaign.title = "New for the team"
    await session.commit()
    await log_in(client, owner.email)
    page = await client.get("/h/cachedtag")
    assert "New for the team" in page.text
    assert page.headers["cache-control"] == "private, no-store"


async def test_each_language_is_cached_separately(page_cache, client, session):
    await create_campaign(session, hashtag="cachedtag")
    english = await client.get("/h/cachedtag")
    french = await client.get("/h/cachedtag", headers={"Accept-Language": "fr"})
    assert "Share on X" in english.text
    assert "Partager sur X" in french.text
    progress = await client.get("/api/v1/campaigns/cachedtag/progress")
    cached_progress = await client.get("/api/v1/campaigns/cachedtag/progress")
    assert cached_progress.json() == progress.json()
    assert cached_progress.headers["content-type"] == "application/json"
