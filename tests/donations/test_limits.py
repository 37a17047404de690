"""Limits on starting gifts: card testing is asked for a proof of work before the provider is
called, while a crowd (many addresses, or many phones behind one address) is never capped."""

import base64
import json
import re
from contextlib import asynccontextmanager
from datetime import datetime

import jsonschema_rs
import pytest
from altcha import solve_challenge_v1
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select

from app import ratelimit
from app.config import get_settings
from app.donations import limits
from app.donations.models import Donation
from tests.donations.conftest import deliver, load_event, session_event
from tests.factories import create_campaign, csrf_token

API = "/api/v1/campaigns/{tag}/donations"
PROBLEM_TYPE = "urn:aidons:problem:challenge-required"


@pytest.fixture
def limit_settings(monkeypatch):
    """Change the limits for one test: limit_settings(GIFT_…=value, …)."""

    def change(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, str(value))
        get_settings.cache_clear()

    yield change
    get_settings.cache_clear()


@asynccontextmanager
async def from_address(app, ip: str):
    """A client whose requests come from `ip`."""
    transport = ASGITransport(app=app, raise_app_exceptions=False, client=(ip, 40000))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def start(http, tag="palidzesim", solution: str | None = None, **body):
    headers = {"Altcha": solution} if solution else {}
    payload = {"amount_minor": 2000, **body}
    return await http.post(API.format(tag=tag), json=payload, headers=headers)


def solve(challenge: dict) -> str:
    """What the browser's static/altcha.js sends, computed here."""
    found = solve_challenge_v1(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxnumber"]
    )
    payload = {
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": found.number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


async def start_solving(http, tag="palidzesim"):
    """A real donor's browser: solves the proof of work when one is asked."""
    response = await start(http, tag)
    if response.status_code == 428:
        response = await start(http, tag, solution=solve(response.json()["challenge"]))
    assert response.status_code == 201, response.text
    return response.json()


def session_id(started: dict) -> str:
    return started["checkout_url"].rsplit("/", 1)[1]


async def declined_attempt(http, webhook_client, fake_stripe, tag="palidzesim"):
    """A card tester's try: start a gift, then the card is declined on Stripe's page."""
    response = await start(http, tag)
    if response.status_code == 201:
        intent = fake_stripe.decline(session_id(response.json()))
        event = load_event("payment_intent.payment_failed", **intent)
        assert (await deliver(webhook_client, event)).status_code == 200
    return response


def checkout_calls(fake_stripe) -> int:
    return len(fake_stripe.calls("POST", "/v1/checkout/sessions"))


# --- Card testing ------------------------------------------------------------------------------


async def test_fifty_declined_cards_from_one_client_stop_before_stripe(
    app, client, session, fake_stripe
):
    await create_campaign(session)
    statuses = []
    async with from_address(app, "203.0.113.7") as tester:
        for _ in range(50):
            statuses.append((await declined_attempt(tester, client, fake_stripe)).status_code)
        asked = await start(tester)
    assert statuses == [201] * 5 + [428] * 45
    assert checkout_calls(fake_stripe) == 5
    assert asked.headers["content-type"] == "application/problem+json"
    problem = asked.json()
    assert problem["type"] == PROBLEM_TYPE and problem["status"] == 428
    assert set(problem["challenge"]) == {"algorithm", "challenge", "maxnumber", "salt", "signature"}
    # Someone else on the campaign is not affected.
    async with from_address(app, "198.51.100.20") as donor:
        assert (await start(donor)).status_code == 201
    assert checkout_calls(fake_stripe) == 6


async def test_a_solved_challenge_lets_the_gift_through_once(app, client, session, fake_stripe):
    await create_campaign(session)
    async with from_address(app, "203.0.113.7") as donor:
        for _ in range(5):
            await declined_attempt(donor, client, fake_stripe)
        challenge = (await start(donor)).json()["challenge"]
        solution = solve(challenge)
        started = await start(donor, solution=solution)
        assert started.status_code == 201, started.text
        assert checkout_calls(fake_stripe) == 6
        replayed = await start(donor, solution=solution)
    assert replayed.status_code == 428
    assert "already used" in replayed.json()["detail"]
    assert replayed.json()["challenge"]["signature"] != challenge["signature"]
    assert checkout_calls(fake_stripe) == 6


async def test_a_solution_is_good_only_for_its_campaign(app, client, session, fake_stripe):
    await create_campaign(session)
    await create_campaign(session, hashtag="HelpChallenge")
    async with from_address(app, "203.0.113.7") as donor:
        for _ in range(5):
            await declined_attempt(donor, client, fake_stripe)
        other = (await start(donor, "HelpChallenge")).json()["challenge"]
        refused = await start(donor, solution=solve(other))
        assert refused.status_code == 428
        accepted = await start(donor, "HelpChallenge", solution=solve(other))
    assert accepted.status_code == 201


async def test_rotating_addresses_that_fail_make_the_campaign_ask_everyone(
    app, client, session, fake_stripe
):
    await create_campaign(session)
    await create_campaign(session, hashtag="HelpChallenge")
    for index in range(30):
        async with from_address(app, f"192.0.2.{index + 1}") as tester:
            assert (await declined_attempt(tester, client, fake_stripe)).status_code == 201
    async with from_address(app, "198.51.100.20") as donor:
        assert (await start(donor)).status_code == 428
        assert (await start(donor, "HelpChallenge")).status_code == 201
    # Real donors (who solve the proof) paying bring the share of failures back down.
    for index in range(8):
        async with from_address(app, f"198.51.100.{100 + index}") as payer:
            started = await start_solving(payer)
            checkout = fake_stripe.pay(session_id(started))
            event = session_event("checkout.session.completed", checkout)
            assert (await deliver(client, event)).status_code == 200
    async with from_address(app, "198.51.100.21") as donor:
        assert (await start(donor)).status_code == 201


async def test_abandoned_checkouts_count_like_declines(app, client, session, fake_stripe):
    await create_campaign(session)
    async with from_address(app, "203.0.113.7") as tester:
        for _ in range(5):
            started = (await start(tester)).json()
            checkout = fake_stripe.expire(session_id(started))
            await deliver(client, session_event("checkout.session.expired", checkout))
        assert (await start(tester)).status_code == 428


# --- Crowds ------------------------------------------------------------------------------------


async def test_a_carrier_nat_starts_hundreds_of_gifts_and_is_then_only_asked_to_prove(
    app, session, limit_settings
):
    limit_settings(GIFT_CHALLENGE_CLIENT_STARTS=60)
    await create_campaign(session)
    async with from_address(app, "100.64.0.1") as nat:
        statuses = [(await start(nat)).status_code for _ in range(60)]
        asked = await start(nat)
        assert asked.status_code == 428
        assert (await start(nat, solution=solve(asked.json()["challenge"]))).status_code == 201
    assert statuses == [201] * 60
    assert get_settings().gift_refuse_client_starts > 5 * 200  # the default NAT threshold


async def test_only_an_absurd_rate_is_refused_with_retry_after(app, session, limit_settings):
    limit_settings(GIFT_CHALLENGE_CLIENT_STARTS=3, GIFT_REFUSE_CLIENT_STARTS=6)
    await create_campaign(session)
    async with from_address(app, "100.64.0.1") as nat:
        statuses = [(await start(nat)).status_code for _ in range(7)]
        refused = await start(nat)
        token = await csrf_token(nat, "/h/palidzesim/donate")
        page = await nat.post("/h/palidzesim/donate", data={"csrf_token": token, "amount": "20"})
    assert statuses == [201] * 3 + [428] * 3 + [429]
    assert refused.status_code == 429 and refused.headers["retry-after"] == "600"
    assert page.status_code == 429 and "Too many attempts" in page.text
    assert page.headers["retry-after"] == "600"


async def test_many_wrong_proofs_are_refused(app, session, limit_settings):
    limit_settings(GIFT_CHALLENGE_CLIENT_STARTS=0, GIFT_REFUSE_WRONG_PROOFS=3)
    await create_campaign(session)
    async with from_address(app, "203.0.113.9") as bot:
        statuses = [(await start(bot, solution="bm90IGEgcHJvb2Y=")).status_code for _ in range(4)]
    assert statuses == [428, 428, 428, 429]


async def test_one_email_retrying_is_asked_to_prove(app, session, fake_stripe):
    await create_campaign(session)
    statuses = []
    for index in range(7):
        async with from_address(app, f"192.0.2.{index + 1}") as http:
            statuses.append((await start(http, email="same@example.org")).status_code)
    assert statuses == [201] * 5 + [428] * 2


# --- Where the signals come from ---------------------------------------------------------------


async def test_a_gift_remembers_its_client_only_while_pending(app, client, session, fake_stripe):
    await create_campaign(session)
    async with from_address(app, "203.0.113.7") as donor:
        started = (await start(donor)).json()
    donation = await session.scalar(select(Donation).where(Donation.id == started["id"]))
    key = limits.client_key("203.0.113.7")
    assert donation.client_key == key and "203" not in key
    checkout = fake_stripe.expire(session_id(started))
    await deliver(client, session_event("checkout.session.expired", checkout))
    await session.refresh(donation)
    assert donation.status == "expired" and donation.client_key is None
    seen = await ratelimit.recent(session, [f"gift:fail:{key}"], 600)
    assert seen[f"gift:fail:{key}"] > 0


def test_client_keys_group_an_ipv6_network_and_change_every_day(monkeypatch):
    same_network = limits.client_key("2001:db8:1:2::1"), limits.client_key("2001:db8:1:2::ffff")
    assert same_network[0] == same_network[1]
    assert limits.client_key("2001:db8:1:3::1") != same_network[0]
    assert limits.client_key("::ffff:198.51.100.7") == limits.client_key("198.51.100.7")
    assert limits.client_key("not an address") != limits.client_key("198.51.100.7")
    today = limits.client_key("198.51.100.7")
    monkeypatch.setattr(limits, "utcnow", lambda: datetime(2031, 1, 2, 3, 4))
    assert limits.client_key("198.51.100.7") != today
    assert re.fullmatch("[0-9a-f]{24}", today)


# --- The donation form -------------------------------------------------------------------------


def page_challenge(html: str) -> dict:
    match = re.search(r"data-altcha='([^']+)'", html)
    assert match, "no challenge on the page"
    return json.loads(match.group(1).replace("&#34;", '"').replace("&quot;", '"'))


async def test_the_form_carries_the_challenge_and_sends_itself_once_solved(
    app, session, limit_settings
):
    limit_settings(GIFT_CHALLENGE_CLIENT_STARTS=0)
    await create_campaign(session)
    donate = "/h/palidzesim/donate"
    async with from_address(app, "203.0.113.7") as browser:
        calm = await browser.get(donate)
        assert "data-altcha" not in calm.text  # nothing suspicious yet: no check at all
        token = await csrf_token(browser, donate)
        form = {"csrf_token": token, "amount": "20", "donor_name": "Anna", "idempotency_key": "k1"}
        asked = await browser.post(donate, data=form)
        assert asked.status_code == 428
        assert 'data-altcha-send="1"' in asked.text and 'name="altcha"' in asked.text
        assert "Checking you are not a robot…" in asked.text
        assert 'value="Anna"' in asked.text  # what the donor typed is kept
        solution = solve(page_challenge(asked.text))
        started = await browser.post(donate, data={**form, "altcha": solution})
        assert started.status_code == 303
        assert "/demo-checkout/" in started.headers["location"]
        # Pre-solved while the donor types: the next form already carries a challenge.
        shown = await browser.get(donate)
        assert 'data-altcha-send="0"' in shown.text
        replayed = await browser.post(
            donate, data={**form, "idempotency_key": "k2", "altcha": solution}
        )
    assert replayed.status_code == 428
    assert "The robot check did not go through" in replayed.text
    assert 'data-altcha-send="0"' in replayed.text


async def test_the_form_says_so_in_french(app, session, limit_settings):
    limit_settings(GIFT_CHALLENGE_CLIENT_STARTS=0)
    await create_campaign(session)
    async with from_address(app, "203.0.113.7") as browser:
        token = await csrf_token(browser, "/h/palidzesim/donate")
        asked = await browser.post(
            "/h/palidzesim/donate",
            data={"csrf_token": token, "amount": "20"},
            headers={"Accept-Language": "fr"},
        )
    assert asked.status_code == 428
    assert "Nous vérifions que vous n’êtes pas un robot…" in asked.text


async def test_the_api_documents_the_challenge(app, client, session, limit_settings):
    limit_settings(GIFT_CHALLENGE_CLIENT_STARTS=0)
    await create_campaign(session)
    async with from_address(app, "203.0.113.7") as http:
        asked = (await start(http)).json()
    document = (await client.get("/api/v1/openapi.json")).json()
    root = {**document, "$ref": "#/components/schemas/ChallengeProblem"}
    jsonschema_rs.validator_for(root).validate(asked)
    operation = document["paths"]["/api/v1/campaigns/{tag}/donations"]["post"]
    asked = operation["responses"]["428"]["content"]["application/problem+json"]["schema"]
    assert asked == {"$ref": "#/components/schemas/ChallengeProblem"}
    schema = document["components"]["schemas"]["ChallengeProblem"]
    assert "challenge" in schema["required"]
    assert any(p["name"] == "altcha" and p["in"] == "header" for p in operation["parameters"])
