"""Starting a gift: the Checkout Session the real SDK asks Stripe for, bounds, double clicks."""

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.campaigns.models import CampaignStatus
from app.donations.models import Donation
from tests.donations.factories import start_gift
from tests.factories import create_campaign, csrf_token
from tests.test_money import spaces_to_ascii


async def test_checkout_session_is_what_stripe_expects(client, session, fake_stripe):
    await create_campaign(session, hashtag="palidzesim")
    started = await start_gift(
        client,
        "palidzesim",
        2000,
        donor_name="Anna",
        email="Anna@Example.org",
        idempotency_key="abc",
    )
    assert started["status"] == "pending" and started["currency"] == "EUR"
    assert started["checkout_url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    params = call.params
    assert params["mode"] == "payment" and params["submit_type"] == "donate"
    assert params["line_items"][0]["price_data"]["currency"] == "eur"
    assert params["line_items"][0]["price_data"]["unit_amount"] == "2000"
    assert params["line_items"][0]["quantity"] == "1"
    assert params["client_reference_id"] == started["reference"]
    assert params["metadata"] == {"reference": started["reference"]}
    assert params["payment_intent_data"]["metadata"]["reference"] == started["reference"]
    assert params["customer_email"] == "anna@example.org"
    assert params["success_url"] == (
        f"http://testserver/h/palidzesim/donate/thanks/{started['reference']}"
    )
    assert params["cancel_url"] == (
        f"http://testserver/h/palidzesim/donate?cancelled={started['reference']}"
    )
    assert int(params["expires_at"]) > 0
    assert call.idempotency_key == f"aidons-checkout-{started['reference']}"
    donation = await session.get(Donation, started["id"])
    assert donation.checkout_session_id == next(iter(fake_stripe.sessions))
    assert donation.provider == "stripe"


async def test_xof_is_sent_to_stripe_in_whole_francs(client, session, fake_stripe):
    await create_campaign(session, hashtag="HelpChallenge", currency="XOF", goal_minor=600_000)
    await start_gift(client, "HelpChallenge", 5000)
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert call.params["line_items"][0]["price_data"] == {
        "currency": "xof",
        "unit_amount": "5000",
        "product_data": {"name": "Gift to #HelpChallenge: Diapers and milk for 110 newborns"},
    }


async def test_amounts_outside_the_currency_bounds_are_refused(client, session, fake_stripe):
    await create_campaign(session, hashtag="palidzesim")
    await create_campaign(session, hashtag="HelpChallenge", currency="XOF")
    cases = [
        ("palidzesim", 50, "The smallest gift is €1.00."),
        ("palidzesim", 100_000_000, "The largest gift is €999,999.99."),
        ("HelpChallenge", 100, "The smallest gift is 500 F CFA."),
    ]
    for tag, amount, message in cases:
        response = await client.post(
            f"/api/v1/campaigns/{tag}/donations", json={"amount_minor": amount}
        )
        assert response.status_code == 422, response.text
        assert spaces_to_ascii(response.json()["errors"][0]["message"]) == message
    assert fake_stripe.calls("POST", "/v1/checkout/sessions") == []


async def test_a_double_click_makes_one_donation(client, session, fake_stripe):
    await create_campaign(session, hashtag="palidzesim")
    token = await csrf_token(client, "/h/palidzesim/donate")
    form = {"csrf_token": token, "amount": "20", "idempotency_key": "same-form-token"}
    first = await client.post("/h/palidzesim/donate", data=form)
    second = await client.post("/h/palidzesim/donate", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert urlsplit(first.headers["location"]).netloc == "checkout.stripe.com"
    assert await session.scalar(select(func.count()).select_from(Donation)) == 1
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1


async def test_stripe_refusing_leaves_nothing_half_written(client, session, fake_stripe):
    await create_campaign(session, hashtag="palidzesim")
    fake_stripe.refuse = True
    response = await client.post(
        "/api/v1/campaigns/palidzesim/donations", json={"amount_minor": 2000}
    )
    assert response.status_code == 502
    assert "Nothing was charged" in response.json()["detail"]
    assert await session.scalar(select(func.count()).select_from(Donation)) == 0


async def test_a_refused_checkout_on_the_form_writes_nothing_and_the_retry_works(
    client, session, fake_stripe
):
    await create_campaign(session, hashtag="palidzesim")
    page = await client.get("/h/palidzesim/donate")
    form = {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', page.text)[1],
        "amount": "20",
    }
    fake_stripe.refuse = True
    refused = await client.post("/h/palidzesim/donate", data=form)
    assert refused.status_code == 502 and "Nothing was charged" in refused.text
    assert await session.scalar(select(func.count()).select_from(Donation)) == 0
    fake_stripe.refuse = False
    retried = await client.post("/h/palidzesim/donate", data=form)
    assert retried.status_code == 303
    assert urlsplit(retried.headers["location"]).netloc == "checkout.stripe.com"
    assert await session.scalar(select(func.count()).select_from(Donation)) == 1


async def test_a_retry_reopens_a_gift_left_without_checkout(client, session, fake_stripe):
    campaign = await create_campaign(session, hashtag="palidzesim")
    session.add(
        Donation(
            reference="left-without-checkout", campaign_id=campaign.id, amount_minor=2000,
            currency="EUR", status="pending", provider="stripe", idempotency_key="k-1",
            locale="en", refunds=[],
        )
    )  # fmt: skip
    await session.flush()
    response = await client.post(
        "/api/v1/campaigns/palidzesim/donations",
        json={"amount_minor": 2000, "idempotency_key": "k-1"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["reference"] == "left-without-checkout"
    assert response.json()["checkout_url"].startswith("https://checkout.stripe.com/")
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert call.idempotency_key == "aidons-checkout-left-without-checkout"
    assert await session.scalar(select(func.count()).select_from(Donation)) == 1


async def test_paused_closed_and_draft_campaigns_refuse_gifts(client, session, fake_stripe):
    await create_campaign(session, hashtag="paused", status=CampaignStatus.PAUSED)
    await create_campaign(session, hashtag="closedone", status=CampaignStatus.CLOSED)
    response = await client.post("/api/v1/campaigns/paused/donations", json={"amount_minor": 2000})
    assert response.status_code == 409
    assert response.json()["detail"] == "This campaign is paused: gifts are not accepted for now."
    page = await client.get("/h/paused/donate")
    assert "gifts are not accepted for now" in page.text and 'name="amount"' not in page.text
    token = await csrf_token(client)
    closed = await client.post(
        "/h/closedone/donate", data={"csrf_token": token, "amount": "20", "idempotency_key": "k"}
    )
    assert closed.status_code == 409
    assert "This campaign is closed: it no longer accepts gifts." in closed.text
    await create_campaign(session, hashtag="draftone", status=CampaignStatus.DRAFT)
    draft = await client.post("/api/v1/campaigns/draftone/donations", json={"amount_minor": 2000})
    assert draft.status_code == 404
    landing = await client.get("/h/paused")
    assert 'href="/h/paused/donate"' not in landing.text
    assert fake_stripe.calls("POST", "/v1/checkout/sessions") == []
