"""Reconciliation under a real backlog: every pending gift is visited on each run, so hundreds
of abandoned checkouts never hide the paid gifts whose webhooks were lost."""

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from app import ledgers
from app.db import utcnow
from app.donations import reconcile, service
from app.donations.models import Donation, DonationStatus, Provider
from app.payments import stripe as stripe_provider
from tests.donations.factories import assert_totals_match_ledger, get_donation
from tests.factories import create_campaign


def _checkout(fake_stripe, amount_minor: int, reference: str) -> str:
    """A Checkout Session on the fake, as our adapter would have created it."""
    params = {
        "mode": "payment",
        "client_reference_id": reference,
        "metadata": {"reference": reference},
        "payment_intent_data": {"metadata": {"reference": reference}},
        "line_items": [
            {
                "quantity": "1",
                "price_data": {"currency": "eur", "unit_amount": str(amount_minor)},
            }
        ],
        "expires_at": str(int((utcnow() + timedelta(hours=1)).timestamp())),
        "success_url": "http://testserver/thanks",
        "cancel_url": "http://testserver/donate",
    }
    status, body = fake_stripe.handle("POST", "/v1/checkout/sessions", params, None)
    assert status == 200
    return body["id"]


async def _pending(session, campaign, minutes_old, fake_stripe=None, amount_minor=2000, **fields):
    """A gift pending for `minutes_old` minutes (with a checkout on the fake when given one)."""
    reference = secrets.token_urlsafe(16)
    provider = fields.pop("provider", Provider.STRIPE if fake_stripe else Provider.DEMO)
    donation = Donation(
        reference=reference,
        campaign_id=campaign.id,
        amount_minor=amount_minor,
        currency="EUR",
        status=DonationStatus.PENDING,
        provider=provider,
        checkout_session_id=_checkout(fake_stripe, amount_minor, reference)
        if fake_stripe
        else None,
        created_at=utcnow() - timedelta(minutes=minutes_old),
        refunds=[],
        **fields,
    )
    session.add(donation)
    return donation


async def _statuses(session) -> dict[str, int]:
    rows = await session.execute(
        select(Donation.status, func.count()).group_by(Donation.status).order_by(Donation.status)
    )
    return dict(rows.all())


async def test_one_run_recovers_every_paid_gift_behind_hundreds_of_abandoned_checkouts(
    session, sessionmaker, fake_stripe
):
    campaign = await create_campaign(session)
    # 250 checkouts abandoned long ago (their sessions expired at Stripe, but we missed the
    # event), then 50 abandoned recently (still open), then, newest of all, 6 paid gifts
    # whose checkout.session.completed never arrived.
    abandoned = [await _pending(session, campaign, 180, fake_stripe) for _n in range(250)]
    recent = [await _pending(session, campaign, 20, fake_stripe) for _n in range(50)]
    paid = [await _pending(session, campaign, 7, fake_stripe, 1000 + n) for n in range(6)]
    # Demo checkouts: one older than its lifetime, one a donor may still complete.
    old_demo = await _pending(session, campaign, 90)
    young_demo = await _pending(session, campaign, 30)
    # A Stripe gift whose checkout was never opened, and a paid one too fresh to ask about.
    never_opened = await _pending(session, campaign, 90, provider=Provider.STRIPE)
    fresh_paid = await _pending(session, campaign, 1, fake_stripe)
    await session.flush()
    for donation in abandoned:
        fake_stripe.expire(donation.checkout_session_id)
    for donation in [*paid, fresh_paid]:
        fake_stripe.pay(donation.checkout_session_id)
    await session.commit()

    result = await reconcile.reconcile_pending(sessionmaker)

    assert result.visited == 250 + 50 + 6 + 3
    assert dict(result.outcomes) == {"succeeded": 6, "expired": 250 + 2}
    assert result.unreachable == 0
    assert await _statuses(session) == {"expired": 252, "pending": 50 + 2, "succeeded": 6}
    for donation in paid:
        donation = await get_donation(session, donation.id)
        assert donation.status == "succeeded" and donation.payment_intent_id.startswith("pi_")
    for donation in (old_demo, never_opened):
        assert (await get_donation(session, donation.id)).status == "expired"
    for donation in (young_demo, fresh_paid, *recent):
        assert (await get_donation(session, donation.id)).status == "pending"
    assert await assert_totals_match_ledger(session, campaign.id) == (sum(range(1000, 1006)), 6)
    assert await ledgers.check(session) == []
    # Everyone was asked once, and the next run (two minutes later) asks nobody again.
    asked = fake_stripe.calls("GET", "/v1/checkout/sessions/")
    assert len(asked) == 250 + 50 + 6
    again = await reconcile.reconcile_pending(sessionmaker)
    assert (again.visited, again.changed) == (0, 0)
    assert len(fake_stripe.calls("GET", "/v1/checkout/sessions/")) == len(asked)


async def test_the_queue_shrinks_and_still_open_checkouts_are_asked_again_later(
    session, sessionmaker, fake_stripe
):
    campaign = await create_campaign(session)
    waiting = [await _pending(session, campaign, 20, fake_stripe) for _n in range(3)]
    await session.commit()
    first = await reconcile.reconcile_pending(sessionmaker, batch_size=2)
    assert (first.visited, first.changed) == (3, 0)
    # Their turn comes again once `older_than` has passed since they were checked; by then
    # Stripe expired one and the donor of another paid.
    for donation in waiting:
        donation.checked_at = utcnow() - timedelta(minutes=6)
    await session.commit()
    fake_stripe.expire(waiting[0].checkout_session_id)
    fake_stripe.pay(waiting[1].checkout_session_id)
    second = await reconcile.reconcile_pending(sessionmaker, batch_size=2)
    assert (second.visited, dict(second.outcomes)) == (3, {"expired": 1, "succeeded": 1})
    assert str(second) == "3 pending gifts checked: 2 changed (1 expired, 1 succeeded)"
    assert await _statuses(session) == {"expired": 1, "pending": 1, "succeeded": 1}


async def test_the_provider_is_called_with_no_transaction_open(
    session, sessionmaker, fake_stripe, monkeypatch
):
    campaign = await create_campaign(session)
    donation = await _pending(session, campaign, 10, fake_stripe)
    await session.flush()
    fake_stripe.pay(donation.checkout_session_id)
    await session.commit()
    opened = []

    def tracking_sessionmaker():
        opened.append(sessionmaker())
        return opened[-1]

    real_fetch = stripe_provider.fetch_session

    async def fetch_session(session_id):
        assert opened, "the batch is claimed first"
        assert not any(s.in_transaction() for s in opened), "a transaction is open"
        return await real_fetch(session_id)

    monkeypatch.setattr(stripe_provider, "fetch_session", fetch_session)
    result = await reconcile.reconcile_pending(tracking_sessionmaker)
    assert dict(result.outcomes) == {"succeeded": 1}


async def test_a_gift_settled_by_its_webhook_during_the_call_is_left_as_it_is(
    session, sessionmaker, fake_stripe, monkeypatch
):
    campaign = await create_campaign(session)
    donation = await _pending(session, campaign, 10, fake_stripe)
    await session.flush()
    fake_stripe.pay(donation.checkout_session_id)
    await session.commit()
    real_fetch = stripe_provider.fetch_session

    async def slow_fetch(session_id):
        state = await real_fetch(session_id)
        # Meanwhile the late webhook arrives and counts the gift.
        async with sessionmaker() as other, other.begin():
            locked = await service.lock(other, donation.id)
            await service.apply_session_state(other, locked, state)
        return state

    monkeypatch.setattr(stripe_provider, "fetch_session", slow_fetch)
    result = await reconcile.reconcile_pending(sessionmaker)
    assert (result.visited, result.changed) == (1, 0)
    assert await assert_totals_match_ledger(session, campaign.id) == (2000, 1)


async def test_an_unreachable_provider_leaves_the_gift_for_a_later_run(
    session, sessionmaker, fake_stripe
):
    campaign = await create_campaign(session)
    donation = await _pending(session, campaign, 10, fake_stripe)
    await session.commit()
    fake_stripe.refuse = True
    result = await reconcile.reconcile_pending(sessionmaker)
    assert (result.visited, result.unreachable, result.changed) == (1, 1, 0)
    assert (await get_donation(session, donation.id)).status == "pending"


async def test_without_stripe_keys_stripe_gifts_wait_and_demo_ones_expire(session, sessionmaker):
    campaign = await create_campaign(session)
    stripe_gift = await _pending(session, campaign, 90, provider=Provider.STRIPE)
    demo_gift = await _pending(session, campaign, 90)
    await session.commit()
    result = await reconcile.reconcile_pending(sessionmaker)
    assert (result.visited, dict(result.outcomes)) == (1, {"expired": 1})
    assert (await get_donation(session, stripe_gift.id)).status == "pending"
    assert (await get_donation(session, demo_gift.id)).status == "expired"
