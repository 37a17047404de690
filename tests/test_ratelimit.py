import uuid

import pytest

from app import ratelimit
from app.config import get_settings


@pytest.fixture(params=["database", "redis"])
def limiter_backend(request, monkeypatch):
    if request.param == "redis":
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    get_settings.cache_clear()
    yield request.param
    get_settings.cache_clear()


async def test_limit_allows_then_blocks_within_a_window(limiter_backend, session):
    key = f"test:{uuid.uuid4().hex}"
    results = [await ratelimit.hit(session, key, limit=3, window_seconds=600) for _ in range(5)]
    assert results == [True, True, True, False, False]
    other = [await ratelimit.hit(session, key + ":other", 3, 600) for _ in range(2)]
    assert other == [True, True]


async def test_count_reads_without_counting(limiter_backend, session):
    key = f"test:{uuid.uuid4().hex}"
    assert await ratelimit.count(session, key, 600) == 0
    await ratelimit.hit(session, key, limit=5, window_seconds=600)
    await ratelimit.hit(session, key, limit=5, window_seconds=600)
    assert await ratelimit.count(session, key, 600) == 2
    assert await ratelimit.count(session, key, 600) == 2
