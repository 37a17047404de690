from contextlib import asynccontextmanager

import pytest
from httpx import ASGITransport, AsyncClient

from app import ratelimit


@pytest.fixture
def client_at(app):
    """A browser at another address: `async with client_at("203.0.113.7") as other:`."""

    @asynccontextmanager
    async def make(ip: str):
        transport = ASGITransport(app=app, raise_app_exceptions=False, client=(ip, 40000))
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http

    return make


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' clock, pinned and moved by hand."""
    pinned = Clock(1_800_000_300.0)
    monkeypatch.setattr(ratelimit, "clock", pinned)
    return pinned
