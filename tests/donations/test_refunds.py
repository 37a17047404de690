"""Refunds by the organizer: through Stripe for Stripe gifts, never more than what was paid."""

from sqlalchemy import func, select

from app.donations.models import Refund
from tests.donations.conftest import deliver, session_event
from tests.donations.factories import assert_totals_match_ledger, get_donation, start_gift
from tests.factories import api_token, create_campaign, create_user, log_in, post_form


async def _succeeded(client, session, fake_stripe, amount=2000):
    started = await start_gift(client, "palidzesim", amount)
    donation = await get_donation(session, started["id"])
    checkout = fake_stripe.pay(donation.checkout_session_id)
    await deliver(client, session_event("checkout.session.completed", checkout))
    return started["id"], checkout


async def test_partial_then_full_refund_through_stripe(client, session, fake_stripe):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner)
    headers = await api_token(session, owner)
    donation_id, checkout = await _succeeded(client, session, fake_stripe, 2000)

    partial = await client.post(
        f"/api/v1/donations/{donation_id}/refunds",
        json={"amount_minor": 500, "reason": "Gave twice by mistake"},
        headers=headers,
    )
    assert partial.status_code == 201, partial.text
    assert partial.json()["status"] == "partially_refunded"
    assert partial.json()["refunds"][0]["created_by"] == "Anna Organizer"
    [call] = fake_stripe.calls("POST", "/v1/refunds")
    assert call.params == {
        "payment_intent": checkout["payment_intent"],
        "amount": "500",
        "reason": "requested_by_customer",
    }
    assert call.idempotency_key.startswith("aidons-refund-")
    assert await assert_totals_match_ledger(session, campaign.id) == (1500, 1)

    rest = await client.post(
        f"/api/v1/donations/{donation_id}/refunds", json={"amount_minor": 1500}, headers=headers
    )
    assert rest.json()["status"] == "refunded" and rest.json()["refunded_minor"] == 2000
    assert await assert_totals_match_ledger(session, campaign.id) == (0, 0)
    # Stripe's charge.refunded for these refunds adds nothing: the ledger already has them.
    refunded = session_event(
        "charge.refunded", {"payment_intent": checkout["payment_intent"], "amount_refunded": 2000}
    )
    assert (await deliver(client, refunded)).json()["outcome"] == "no change"
    assert await session.scalar(select(func.count()).select_from(Refund)) == 2


async def test_an_over_refund_is_refused_before_reaching_stripe(client, session, fake_stripe):
    owner = await create_user(session)
    campaign_id = (await create_campaign(session, owner=owner)).id
    owner_email = owner.email
    donation_id, _checkout = await _succeeded(client, session, fake_stripe, 2000)
    await log_in(client, owner_email)
    path = f"/dashboard/c/palidzesim/donations/{donation_id}/refund"
    form = await client.get(path)
    assert "At most €20.00 can still be refunded." in form.text
    response = await post_form(client, path, {"amount": "20.01", "reason": "oops"})
    assert response.status_code == 422
    assert "Enter an amount between €0.01 and €20.00." in response.text
    assert fake_stripe.calls("POST", "/v1/refunds") == []
    ok = await post_form(client, path, {"amount": "5", "reason": "half"})
    assert ok.status_code == 303
    again = await post_form(client, path, {"amount": "15.01"})
    assert again.status_code == 422 and "€15.00" in again.text
    assert len(fake_stripe.calls("POST", "/v1/refunds")) == 1
    assert await assert_totals_match_ledger(session, campaign_id) == (1500, 1)


async def test_only_the_team_refunds(client, session, fake_stripe):
    await create_campaign(session)
    stranger = await create_user(session, email="stranger@example.org")
    donation_id, _checkout = await _succeeded(client, session, fake_stripe)
    response = await client.post(
        f"/api/v1/donations/{donation_id}/refunds",
        json={"amount_minor": 100},
        headers=await api_token(session, stranger),
    )
    assert response.status_code == 404
    assert fake_stripe.calls("POST", "/v1/refunds") == []


async def test_offline_gift_is_recorded_with_who_and_when_and_refunded_by_hand(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="HelpChallenge", currency="XOF")
    headers = await api_token(session, owner)
    response = await client.post(
        "/api/v1/campaigns/HelpChallenge/donations/offline",
        json={
            "amount_minor": 600_000,
            "method": "cash",
            "received_on": "2016-03-01",
            "donor_name": "Collecte du marché de Mbour",
            "note": "counted by Awa and Moussa",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "succeeded" and body["provider"] == "offline"
    assert body["recorded_by"] == "Anna Organizer" and body["received_on"] == "2016-03-01"
    assert await assert_totals_match_ledger(session, campaign.id) == (600_000, 1)
    refund = await client.post(
        f"/api/v1/donations/{body['id']}/refunds", json={"amount_minor": 100_000}, headers=headers
    )
    assert refund.json()["refunds"][0]["provider_refund_id"] is None
    assert await assert_totals_match_ledger(session, campaign.id) == (500_000, 1)
    bad = await client.post(
        "/api/v1/campaigns/HelpChallenge/donations/offline",
        json={"amount_minor": 5, "method": "gold bars"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["method"]
