"""Stripe for the kitty's tests: the fake server, and webhook events signed like Stripe's."""

import copy
import json
import secrets
import time
from pathlib import Path

import pytest
import stripe

from app.config import get_settings
from tests.donations.fake_stripe import SECRET_KEY, FakeStripe, serve
from tests.smtp import free_port

EVENTS = Path(__file__).parent / "events"
WEBHOOK_SECRET = "whsec_test_aidons_webhook_secret"


@pytest.fixture(scope="session")
def _stripe_server():
    fake = FakeStripe()
    server = serve(fake, free_port())
    yield fake
    server.shutdown()


@pytest.fixture
def fake_stripe(_stripe_server, monkeypatch):
    """Stripe settings pointing the real SDK at the fake; cleared after the test."""
    _stripe_server.reset()
    monkeypatch.setenv("STRIPE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("STRIPE_API_BASE", _stripe_server.url)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    get_settings.cache_clear()
    yield _stripe_server
    get_settings.cache_clear()


def load_event(name: str, **object_fields) -> dict:
    """An event from tests/donations/events/, with a fresh id and these data.object fields."""
    event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    event["id"] = f"{event['id']}_{secrets.token_hex(6)}"
    event["data"]["object"].update(object_fields)
    return event


def sign(payload: str, timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)


async def deliver(client, event: dict, timestamp: int | None = None):
    """POST the event to our webhook exactly as Stripe would (raw JSON, signed header)."""
    payload = json.dumps(event)
    headers = {
        "Stripe-Signature": sign(payload, timestamp or int(time.time())),
        "Content-Type": "application/json",
    }
    return await client.post("/webhooks/stripe", content=payload, headers=headers)


def session_event(name: str, checkout: dict, **extra) -> dict:
    """A checkout.session.* event carrying the fake's current view of the session."""
    return load_event(name, **{**checkout, **extra})
