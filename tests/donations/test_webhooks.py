"""Stripe webhooks: signatures, each event once, every case, any order; totals stay exact."""

import json
import time

from sqlalchemy import func, select

from app.donations.models import PaymentEvent
from tests.donations.conftest import deliver, load_event, session_event, sign
from tests.donations.factories import assert_totals_match_ledger, get_donation, start_gift
from tests.factories import create_campaign
from tests.test_money import spaces_to_ascii


async def _paid_gift(client, session, fake_stripe, amount=2000, tag="palidzesim"):
    started = await start_gift(client, tag, amount)
    donation = await get_donation(session, started["id"])
    checkout = fake_stripe.pay(donation.checkout_session_id)
    return started, donation, checkout


async def test_a_bad_or_stale_signature_is_refused_and_nothing_is_stored(
    client, session, fake_stripe
):
    campaign = await create_campaign(session)
    started, _donation, checkout = await _paid_gift(client, session, fake_stripe)
    event = session_event("checkout.session.completed", checkout)
    payload = json.dumps(event)
    forged = sign(payload, secret="whsec_someone_else")
    stale = sign(payload, timestamp=int(time.time()) - 3600)
    for header in (forged, stale, "", "t=1,v1=abc"):
        response = await client.post(
            "/webhooks/stripe", content=payload, headers={"Stripe-Signature": header}
        )
        assert response.status_code == 400
    tampered = payload.replace('"amount_total": 2000', '"amount_total": 2')
    response = await client.post(
        "/webhooks/stripe", content=tampered, headers={"Stripe-Signature": sign(payload)}
    )
    assert response.status_code == 400
    assert await session.scalar(select(func.count()).select_from(PaymentEvent)) == 0
    assert (await get_donation(session, started["id"])).status == "pending"
    assert await assert_totals_match_ledger(session, campaign.id) == (0, 0)


async def test_completed_payment_counts_once_even_when_delivered_twice(
    client, session, fake_stripe
):
    campaign = await create_campaign(session)
    started, _donation, checkout = await _paid_gift(client, session, fake_stripe, 2500)
    event = session_event("checkout.session.completed", checkout)
    first = await deliver(client, event)
    assert first.status_code == 200 and first.json()["outcome"] == "succeeded"
    again = await deliver(client, event)
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    donation = await get_donation(session, started["id"])
    assert donation.status == "succeeded"
    assert donation.payment_intent_id == checkout["payment_intent"]
    assert await assert_totals_match_ledger(session, campaign.id) == (2500, 1)
    progress = (await client.get("/api/v1/campaigns/palidzesim/progress")).json()
    assert progress["raised_minor"] == 2500 and progress["donors"] == 1
    assert progress["goal_minor"] == 500_000 and progress["raised_display"] == "€25.00"
    assert await session.scalar(select(func.count()).select_from(PaymentEvent)) == 1


async def test_expired_after_succeeded_never_moves_the_gift_back(client, session, fake_stripe):
    campaign = await create_campaign(session)
    started, _donation, checkout = await _paid_gift(client, session, fake_stripe)
    await deliver(client, session_event("checkout.session.completed", checkout))
    late = await deliver(
        client, session_event("checkout.session.expired", checkout, status="expired")
    )
    assert late.json()["outcome"] == "no change"
    failed = await deliver(client, session_event("checkout.session.async_payment_failed", checkout))
    assert failed.json()["outcome"] == "no change"
    assert (await get_donation(session, started["id"])).status == "succeeded"
    assert await assert_totals_match_ledger(session, campaign.id) == (2000, 1)


async def test_an_expired_session_expires_the_gift(client, session, fake_stripe):
    campaign = await create_campaign(session)
    started = await start_gift(client, "palidzesim", 2000)
    donation = await get_donation(session, started["id"])
    checkout = fake_stripe.expire(donation.checkout_session_id)
    response = await deliver(client, session_event("checkout.session.expired", checkout))
    assert response.json()["outcome"] == "expired"
    assert (await get_donation(session, started["id"])).status == "expired"
    page = await client.get(f"/h/palidzesim/donate/thanks/{started['reference']}")
    assert "The payment did not go through: no money was taken." in page.text
    assert await assert_totals_match_ledger(session, campaign.id) == (0, 0)


async def test_async_payment_waits_then_succeeds_or_fails(client, session, fake_stripe):
    campaign = await create_campaign(session)
    ok = await start_gift(client, "palidzesim", 3000)
    ko = await start_gift(client, "palidzesim", 4000)
    for started in (ok, ko):
        donation = await get_donation(session, started["id"])
        checkout = fake_stripe.pay(donation.checkout_session_id, paid=False)
        response = await deliver(client, session_event("checkout.session.completed", checkout))
        assert response.json()["outcome"] == "awaiting payment"
        assert (await get_donation(session, started["id"])).status == "pending"
        started["checkout"] = checkout
    settled = fake_stripe.settle(ok["checkout"]["id"])
    await deliver(client, session_event("checkout.session.async_payment_succeeded", settled))
    await deliver(client, session_event("checkout.session.async_payment_failed", ko["checkout"]))
    assert (await get_donation(session, ok["id"])).status == "succeeded"
    assert (await get_donation(session, ko["id"])).status == "failed"
    assert await assert_totals_match_ledger(session, campaign.id) == (3000, 1)


async def test_refunds_made_in_stripe_are_appended_partial_then_full(client, session, fake_stripe):
    campaign = await create_campaign(session)
    started, _donation, checkout = await _paid_gift(client, session, fake_stripe, 2000)
    await deliver(client, session_event("checkout.session.completed", checkout))
    charge = {"payment_intent": checkout["payment_intent"], "metadata": {}}
    partial = load_event("charge.refunded", amount_refunded=500, **charge)
    assert (await deliver(client, partial)).json()["outcome"] == "refunded"
    assert (await deliver(client, partial)).json()["outcome"] == "duplicate"
    donation = await get_donation(session, started["id"])
    assert donation.status == "partially_refunded" and donation.refunded_minor == 500
    assert await assert_totals_match_ledger(session, campaign.id) == (1500, 1)
    # Stripe sends the charge's cumulative refunded amount; a redelivery under a new id is
    # recognised by that amount and adds nothing.
    same_total = load_event("charge.refunded", amount_refunded=500, **charge)
    assert (await deliver(client, same_total)).json()["outcome"] == "no change"
    full = load_event("charge.refunded", amount_refunded=2000, refunded=True, **charge)
    assert (await deliver(client, full)).json()["outcome"] == "refunded"
    donation = await get_donation(session, started["id"])
    assert donation.status == "refunded"
    assert [r.amount_minor for r in donation.refunds] == [500, 1500]
    assert await assert_totals_match_ledger(session, campaign.id) == (0, 0)


async def test_a_refund_arriving_before_the_payment_asks_stripe_first(client, session, fake_stripe):
    campaign = await create_campaign(session)
    started, _donation, checkout = await _paid_gift(client, session, fake_stripe, 2000)
    # checkout.session.completed is late: the charge event names only the payment intent.
    early = load_event(
        "charge.refunded",
        payment_intent=checkout["payment_intent"],
        metadata={},
        amount_refunded=700,
    )
    assert (await deliver(client, early)).json()["outcome"] == "refunded"
    assert fake_stripe.calls("GET", "/v1/payment_intents/")
    assert fake_stripe.calls("GET", f"/v1/checkout/sessions/{checkout['id']}")
    donation = await get_donation(session, started["id"])
    assert donation.status == "partially_refunded" and donation.refunded_minor == 700
    late = await deliver(client, session_event("checkout.session.completed", checkout))
    assert late.json()["outcome"] == "no change"
    assert await assert_totals_match_ledger(session, campaign.id) == (1300, 1)


async def test_a_dispute_holds_the_gift_back_from_the_total(client, session, fake_stripe):
    campaign = await create_campaign(session)
    started, _donation, checkout = await _paid_gift(client, session, fake_stripe, 2000)
    await deliver(client, session_event("checkout.session.completed", checkout))
    dispute = load_event("charge.dispute.created", payment_intent=checkout["payment_intent"])
    assert (await deliver(client, dispute)).json()["outcome"] == "disputed"
    assert (await get_donation(session, started["id"])).status == "disputed"
    assert await assert_totals_match_ledger(session, campaign.id) == (0, 0)


async def test_unknown_types_and_foreign_sessions_get_200(client, session, fake_stripe):
    await create_campaign(session)
    unknown = await deliver(client, load_event("customer.created"))
    assert unknown.status_code == 200 and unknown.json()["outcome"] == "ignored"
    foreign = load_event(
        "checkout.session.completed", id="cs_test_other_app", client_reference_id=None, metadata={}
    )
    response = await deliver(client, foreign)
    assert response.status_code == 200 and response.json()["outcome"] == "not ours"


async def test_xof_gift_counts_in_whole_francs(client, session, fake_stripe):
    campaign = await create_campaign(
        session, hashtag="HelpChallenge", currency="XOF", goal_minor=600_000
    )
    _started, _donation, checkout = await _paid_gift(
        client, session, fake_stripe, 150_000, tag="HelpChallenge"
    )
    assert checkout["amount_total"] == 150_000 and checkout["currency"] == "xof"
    await deliver(client, session_event("checkout.session.completed", checkout))
    assert await assert_totals_match_ledger(session, campaign.id) == (150_000, 1)
    client.headers["Accept-Language"] = "fr"
    progress = (await client.get("/api/v1/campaigns/HelpChallenge/progress")).json()
    assert spaces_to_ascii(progress["raised_display"]) == "150 000 F CFA"
    assert progress["percent"] == 25


async def test_a_paid_amount_that_differs_is_not_counted(client, session, fake_stripe):
    campaign = await create_campaign(session)
    _started, _donation, checkout = await _paid_gift(client, session, fake_stripe, 2000)
    event = session_event("checkout.session.completed", checkout, amount_total=20)
    assert (await deliver(client, event)).json()["outcome"] == "amount mismatch"
    assert await assert_totals_match_ledger(session, campaign.id) == (0, 0)
