"""The counters behind the gift limits (app/ratelimit.py), on the database and on Redis."""

import uuid

import pytest

from app import ratelimit
from app.config import get_settings
from app.donations import challenge


@pytest.fixture(params=["database", "redis"])
def limiter_backend(request, monkeypatch):
    if request.param == "redis":
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    get_settings.cache_clear()
    yield request.param
    get_settings.cache_clear()


async def test_recent_counts_slide_over_the_window_edge(limiter_backend, session, monkeypatch):
    key, other = f"test:{uuid.uuid4().hex}", f"test:{uuid.uuid4().hex}"
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0)  # a window's start
    for _ in range(4):
        await ratelimit.note(session, key, 600)
    assert await ratelimit.recent(session, [key, other], 600) == {key: 4, other: 0}
    # A quarter into the next window: three quarters of the last window still count.
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_750.0)
    await ratelimit.note(session, key, 600)
    assert await ratelimit.recent(session, [key], 600) == {key: 1 + 4 * 0.75}
    # Two windows later nothing is left.
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_001_800.0)
    assert await ratelimit.recent(session, [key], 600) == {key: 0}


async def test_a_claim_is_granted_once_until_it_expires(limiter_backend, session):
    key = f"test:{uuid.uuid4().hex}"
    until = int(ratelimit.clock()) + 600
    assert await ratelimit.claim_once(session, key, until) is True
    assert await ratelimit.claim_once(session, key, until) is False
    assert await ratelimit.claim_once(session, key + ":other", until) is True


def _payload(**fields) -> str:
    import base64
    import json

    return base64.b64encode(json.dumps(fields).encode()).decode()


def test_only_a_true_unexpired_solution_for_the_campaign_verifies(monkeypatch):
    from altcha import solve_challenge_v1

    made = challenge.new_challenge(7)
    number = solve_challenge_v1(made.challenge, made.salt, made.algorithm, made.maxnumber).number
    good = {
        "algorithm": made.algorithm,
        "challenge": made.challenge,
        "number": number,
        "salt": made.salt,
        "signature": made.signature,
    }
    assert challenge.verify(_payload(**good), 7) is not None
    assert challenge.verify(_payload(**good), 8) is None  # another campaign
    assert challenge.verify(_payload(**{**good, "number": number + 1}), 7) is None
    forged_salt = made.salt.replace("campaign=7", "campaign=8")
    assert challenge.verify(_payload(**{**good, "salt": forged_salt}), 8) is None
    for junk in ("", "%%%", _payload(**{**good, "number": str(number)}), _payload(x=1), "WzFd"):
        assert challenge.verify(junk, 7) is None
    assert challenge.verify(_payload(**{**good, "number": True}), 7) is None
    assert challenge.verify("A" * (challenge.MAX_PAYLOAD + 4), 7) is None
    monkeypatch.setenv("GIFT_CHALLENGE_LIFETIME_SECONDS", "-1")
    get_settings.cache_clear()
    try:
        stale = challenge.new_challenge(7)
    finally:
        get_settings.cache_clear()
    number = solve_challenge_v1(stale.challenge, stale.salt, stale.algorithm, stale.maxnumber)
    expired = {**good, "challenge": stale.challenge, "salt": stale.salt}
    expired.update(number=number.number, signature=stale.signature)
    assert challenge.verify(_payload(**expired), 7) is None
