"""Wrong passwords slow one client down; they never lock the owner out (NIST SP 800-63B)."""

import uuid

import pytest

from app.accounts import throttle
from app.config import get_settings
from tests.factories import DEFAULT_PASSWORD, create_user, post_form

WRONG = "guess guess guess"


async def attempt(client, email: str, password: str):
    return await post_form(client, "/login", {"email": email, "password": password})


async def test_failures_from_one_client_never_refuse_the_owner_elsewhere(client_at, session, clock):
    await create_user(session, email="owner@example.org")
    async with client_at("198.51.100.1") as attacker, client_at("203.0.113.9") as owner:
        statuses = [(await attempt(attacker, "owner@example.org", WRONG)).status_code
                    for _ in range(10)]  # fmt: skip
        # Five tries, then the attacker waits longer and longer instead of guessing on.
        assert statuses == [400] * 5 + [429] * 5

        at_once = await attempt(owner, "owner@example.org", DEFAULT_PASSWORD)
        assert at_once.status_code == 303
        assert "aidons_session=" in at_once.headers["set-cookie"]

        # From the address that failed, even the right password waits its turn...
        delayed = await attempt(attacker, "owner@example.org", DEFAULT_PASSWORD)
        assert delayed.status_code == 429
        assert delayed.headers["retry-after"] == "15"
        assert "Too many attempts from this device. Try again in 15 seconds." in delayed.text
        assert 'value="owner@example.org"' in delayed.text  # what was typed stays
        clock.advance(15)
        # ...then gets in, and its count starts again from zero.
        assert (await attempt(attacker, "owner@example.org", DEFAULT_PASSWORD)).status_code == 303
        attacker.cookies.clear()
        again = [(await attempt(attacker, "owner@example.org", WRONG)).status_code
                 for _ in range(6)]  # fmt: skip
        assert again == [400] * 5 + [429]


async def test_the_delay_doubles_with_each_failure_up_to_five_minutes(client_at, session, clock):
    await create_user(session, email="slow@example.org")
    waits = []
    async with client_at("198.51.100.2") as guesser:
        for _ in range(12):
            response = await attempt(guesser, "slow@example.org", WRONG)
            if response.status_code == 429:
                wait = int(response.headers["retry-after"])
                waits.append(wait)
                clock.advance(wait)
                response = await attempt(guesser, "slow@example.org", WRONG)
            assert response.status_code == 400
    assert waits == [15, 30, 60, 120, 240, 300, 300]


async def test_a_refused_attempt_does_not_lengthen_the_wait(client_at, session, clock):
    await create_user(session, email="patient@example.org")
    async with client_at("198.51.100.3") as guesser:
        for _ in range(5):
            await attempt(guesser, "patient@example.org", WRONG)
        for _ in range(5):
            clock.advance(2)
            refused = await attempt(guesser, "patient@example.org", WRONG)
            assert refused.status_code == 429
        assert refused.headers["retry-after"] == "5"


async def test_one_client_spraying_many_accounts_is_slowed_down(client_at, session, clock):
    await create_user(session, email="victim@example.org")
    async with client_at("198.51.100.4") as sprayer, client_at("203.0.113.4") as owner:
        for index in range(throttle.FREE_FAILURES_PER_CLIENT):
            response = await attempt(sprayer, f"person{index}@example.org", WRONG)
            assert response.status_code == 400
        refused = await attempt(sprayer, "victim@example.org", DEFAULT_PASSWORD)
        assert refused.status_code == 429
        assert (await attempt(owner, "victim@example.org", DEFAULT_PASSWORD)).status_code == 303


async def test_an_account_under_attack_from_many_addresses_slows_everyone_but_locks_nobody(
    client_at, session, clock
):
    await create_user(session, email="famous@example.org")
    for index in range(throttle.ACCOUNT_HOURLY_CEILING // 4):
        async with client_at(f"10.0.{index // 200}.{index % 200 + 1}") as bot:
            for _ in range(4):  # under the per-client threshold, each of them
                assert (await attempt(bot, "famous@example.org", WRONG)).status_code == 400
    async with client_at("203.0.113.5") as owner, client_at("203.0.113.6") as typo:
        # The owner's first try from a fresh address gets in at once.
        assert (await attempt(owner, "famous@example.org", DEFAULT_PASSWORD)).status_code == 303
        # A single typo now costs a short wait, where five were free before.
        assert (await attempt(typo, "famous@example.org", WRONG)).status_code == 400
        slowed = await attempt(typo, "famous@example.org", DEFAULT_PASSWORD)
        assert slowed.status_code == 429 and slowed.headers["retry-after"] == "15"
        clock.advance(15)
        assert (await attempt(typo, "famous@example.org", DEFAULT_PASSWORD)).status_code == 303


async def test_the_token_api_shares_the_login_delay(client_at, session, clock):
    await create_user(session, email="api-owner@example.org")
    body = {"email": "api-owner@example.org", "password": WRONG}
    async with client_at("198.51.100.8") as script, client_at("203.0.113.8") as owner:
        statuses = [(await script.post("/api/v1/tokens", json=body)).status_code
                    for _ in range(6)]  # fmt: skip
        assert statuses == [401] * 5 + [429]
        refused = await script.post("/api/v1/tokens", json=body)
        assert refused.headers["retry-after"] == "15"
        assert refused.headers["content-type"] == "application/problem+json"
        assert "Try again in 15 seconds" in refused.json()["detail"]
        good = {"email": "api-owner@example.org", "password": DEFAULT_PASSWORD}
        assert (await owner.post("/api/v1/tokens", json=good)).status_code == 201


@pytest.fixture(params=["database", "redis"])
def backend(request, monkeypatch):
    if request.param == "redis":
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    get_settings.cache_clear()
    yield request.param
    get_settings.cache_clear()


async def test_backoff_counters_on_both_backends(backend, session, clock):
    # Redis is not rolled back after a test: keys of their own for each run.
    run = uuid.uuid4().hex
    email, client, other_client = f"{run}@example.org", f"client-{run}", f"other-{run}"
    for _ in range(throttle.FREE_FAILURES_PER_PAIR):
        assert await throttle.seconds_to_wait(session, email, client) == 0
        await throttle.record_failure(session, email, client)
    assert await throttle.seconds_to_wait(session, email, client) == 15
    assert await throttle.seconds_to_wait(session, email, other_client) == 0
    clock.advance(10)
    assert await throttle.seconds_to_wait(session, email, client) == 5
    await throttle.record_success(session, email, client)
    assert await throttle.seconds_to_wait(session, email, client) == 0
    # A day without failures forgets them.
    for _ in range(throttle.FREE_FAILURES_PER_PAIR):
        await throttle.record_failure(session, email, client)
    clock.advance(throttle.FORGET_AFTER_SECONDS + 1)
    assert await throttle.seconds_to_wait(session, email, client) == 0
    for _ in range(throttle.FREE_FAILURES_PER_PAIR - 1):
        await throttle.record_failure(session, email, client)
    assert await throttle.seconds_to_wait(session, email, client) == 0
