"""A short-lived cache of rendered public pages, so a viral spike costs a few queries a second.

Only anonymous, cookie-free responses marked `public` are stored, for at most
`page_cache_seconds`: the same staleness the Cache-Control headers already allow a CDN.
With REDIS_URL set, every worker shares one cache; without it each process keeps its own,
and two workers may disagree for at most those few seconds (exactly as two CDN edges would).
"""

import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.i18n import LOCALES, get_locale
from app.transaction import after_commit, before_commit

MAX_LOCAL_ENTRIES = 2000
# A stale page is still served for this long while one request renders its replacement.
STALE_GRACE_SECONDS = 30
REFRESH_TIMEOUT_SECONDS = 5
# Cookies that make a page personal: such requests never read or fill the cache.
PERSONAL_COOKIES = ("aidons_session", "aidons_flash")


@dataclass(frozen=True)
class CachedPage:
    status: int
    body: bytes
    headers: list[tuple[str, str]]
    fresh_until: float

    def to_response(self) -> Response:
        response = Response(self.body, status_code=self.status)
        response.raw_headers = [(k.encode(), v.encode()) for k, v in self.headers]
        return response


class LocalBackend:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, CachedPage]] = OrderedDict()

    async def get(self, key: str) -> CachedPage | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    async def set(self, key: str, page: CachedPage, ttl: float) -> None:
        self._entries[key] = (time.monotonic() + ttl, page)
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_LOCAL_ENTRIES:
            self._entries.popitem(last=False)

    async def delete(self, keys: list[str]) -> None:
        for key in keys:
            self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


class RedisBackend:
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._client = redis.from_url(url)

    async def get(self, key: str) -> CachedPage | None:
        raw = await self._client.get(f"aidons:page:{key}")
        if raw is None:
            return None
        header_length = int.from_bytes(raw[:4], "big")
        meta = json.loads(raw[4 : 4 + header_length])
        return CachedPage(
            meta["status"],
            raw[4 + header_length :],
            [tuple(h) for h in meta["headers"]],
            meta["fresh_until"],
        )

    async def set(self, key: str, page: CachedPage, ttl: float) -> None:
        meta = {"status": page.status, "headers": page.headers, "fresh_until": page.fresh_until}
        meta = json.dumps(meta).encode()
        payload = len(meta).to_bytes(4, "big") + meta + page.body
        await self._client.set(f"aidons:page:{key}", payload, px=int(ttl * 1000))

    async def delete(self, keys: list[str]) -> None:
        if keys:
            await self._client.delete(*[f"aidons:page:{key}" for key in keys])


@lru_cache
def backend() -> LocalBackend | RedisBackend:
    url = get_settings().redis_url
    return RedisBackend(url) if url else LocalBackend()


def cacheable_request(request: Request) -> bool:
    return request.method == "GET" and not any(c in request.cookies for c in PERSONAL_COOKIES)


def _full_key(name: str, locale: str | None = None) -> str:
    return f"{name}|{locale or get_locale()}"


# Pages this process is re-rendering right now, so a burst of visitors triggers one render.
_refreshing: dict[str, float] = {}


async def lookup(request: Request, name: str) -> Response | None:
    """The cached response for this page in the visitor's language, if any.

    A page past its freshness is still served while one request (this one, if nobody else
    is on it) renders the replacement: no thundering herd when a popular page expires.
    """
    if not cacheable_request(request) or get_settings().page_cache_seconds <= 0:
        return None
    key = _full_key(name)
    page = await backend().get(key)
    if page is None:
        return None
    now = time.time()
    if page.fresh_until > now:
        return page.to_response()
    if now - _refreshing.get(key, 0) < REFRESH_TIMEOUT_SECONDS:
        return page.to_response()  # someone is rendering it; serve the stale copy meanwhile
    _refreshing[key] = now
    return None


async def store(request: Request, name: str, response: Response) -> Response:
    """Keep a public, cookie-free response; anything personal passes through untouched."""
    seconds = get_settings().page_cache_seconds
    cache_control = response.headers.get("cache-control", "")
    if (
        seconds > 0
        and cacheable_request(request)
        and response.status_code == 200
        and cache_control.startswith("public")
        and "set-cookie" not in response.headers
    ):
        headers = [(k.decode(), v.decode()) for k, v in response.raw_headers]
        page = CachedPage(200, response.body, headers, time.time() + seconds)
        key = _full_key(name)
        await backend().set(key, page, seconds + STALE_GRACE_SECONDS)
        _refreshing.pop(key, None)
    return response


async def serve(request: Request, name: str, build: Callable[[], Awaitable[Response]]) -> Response:
    """The cached page if fresh, else build it (and keep it when it is public)."""
    if cached := await lookup(request, name):
        return cached
    return await store(request, name, await build())


async def forget(*names: str) -> None:
    """Drop pages after a change (in every language), so organizers see their edit at once."""
    await backend().delete([_full_key(name, locale) for name in names for locale in LOCALES])


# Every public page derived from a campaign, by name prefix; see forget_campaign().
CAMPAIGN_PAGES = ("landing", "progress", "progresspage", "feed", "embed", "badge")


_CHANGED = "aidons.changed_campaigns"


def campaign_changed(session: AsyncSession, campaign_id: int) -> None:
    """A change to this campaign's public figures or texts: its cached pages are dropped once
    the transaction commits (never before, and not at all if it rolls back)."""
    session.info.setdefault(_CHANGED, set()).add(campaign_id)
    before_commit(session, _forget_changed_after_commit)


async def _forget_changed_after_commit(session: AsyncSession) -> None:
    from app.campaigns.models import Hashtag

    ids = session.info.pop(_CHANGED, set())
    keys = list(await session.scalars(select(Hashtag.tag_key).where(Hashtag.campaign_id.in_(ids))))
    after_commit(session, lambda: forget_campaign(keys))


async def forget_campaign(tag_keys: list[str]) -> None:
    """Drop every cached page of a campaign (all its hashtags) and the home page."""
    names = ["home"] + [f"{page}:{key}" for key in tag_keys for page in CAMPAIGN_PAGES]
    await forget(*names)
