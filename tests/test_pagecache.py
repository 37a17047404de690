import pytest

from app import pagecache
from app.config import get_settings
from tests.factories import api_token, create_campaign, create_user, log_in
from tests.inkind.factories import create_need

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


async def test_gifts_and_pledges_drop_the_cached_pages_only_once_committed(
    page_cache, client, session
):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="cachedtag")
    need_id = (await create_need(session, campaign)).id
    headers = await api_token(session, owner)
    progress = "/api/v1/campaigns/cachedtag/progress"
    assert (await client.get(progress)).json()["raised_minor"] == 0  # now cached
    # A refused request writes nothing and leaves the cached pages as they are.
    refused = await client.post(
        "/api/v1/campaigns/cachedtag/donations/offline",
        json={"amount_minor": 2500, "method": "carrier pigeon"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert await pagecache.backend().get("progress:cachedtag|en") is not None
    # A gift counted drops them: the next visitor sees it at once, not after the TTL.
    given = await client.post(
        "/api/v1/campaigns/cachedtag/donations/offline",
        json={"amount_minor": 2500, "method": "cash"},
        headers=headers,
    )
    assert given.status_code == 201
    assert (await client.get(progress)).json()["raised_minor"] == 2500
    # So does a pledge (an in-kind ledger entry).
    assert (await client.get(progress)).json()["needs"][0]["pledged"] == 0
    pledged = await client.post(
        "/api/v1/campaigns/cachedtag/pledges",
        json={"donor_name": "Līga", "lines": [{"need_id": need_id, "quantity": 10}]},
    )
    assert pledged.status_code == 201
    assert (await client.get(progress)).json()["needs"][0]["pledged"] == 10
