"""Receipts through the outbox to a real SMTP server; reconciliation of missed webhooks."""

from datetime import timedelta
from email.header import decode_header, make_header

from app import jobs
from app.db import utcnow
from app.donations import reconcile
from app.outbox import deliver_due
from tests.donations.conftest import deliver, session_event
from tests.donations.factories import assert_totals_match_ledger, get_donation, start_gift
from tests.factories import create_campaign
from tests.test_money import spaces_to_ascii


async def test_a_succeeded_gift_sends_one_receipt_in_the_donors_language(
    client, session, sessionmaker, fake_stripe, smtp_server
):
    await create_campaign(session, hashtag="HelpChallenge", currency="XOF")
    client.headers["Accept-Language"] = "fr-FR"
    started = await start_gift(
        client, "HelpChallenge", 10_000, donor_name="Awa", email="awa@example.org"
    )
    donation = await get_donation(session, started["id"])
    checkout = fake_stripe.pay(donation.checkout_session_id)
    event = session_event("checkout.session.completed", checkout)
    await deliver(client, event)
    await deliver(client, session_event("checkout.session.async_payment_succeeded", checkout))
    await session.commit()
    assert await deliver_due(sessionmaker) == 1
    assert await deliver_due(sessionmaker) == 0
    [mail] = smtp_server.messages
    assert mail["To"] == "awa@example.org"
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == "Merci pour votre don à #HelpChallenge"
    body = spaces_to_ascii(mail.get_payload(decode=True).decode())
    assert "Bonjour Awa," in body and "10 000 F CFA" in body
    assert f"Référence : {started['reference']}" in body
    assert f"http://testserver/receipts/{started['reference']}" in body


async def test_no_receipt_without_an_email_or_before_success(
    client, session, sessionmaker, fake_stripe, smtp_server
):
    await create_campaign(session)
    await start_gift(client, "palidzesim", 2000, email="later@example.org")  # still pending
    started = await start_gift(client, "palidzesim", 2000)
    donation = await get_donation(session, started["id"])
    await deliver(
        client,
        session_event("checkout.session.completed", fake_stripe.pay(donation.checkout_session_id)),
    )
    await session.commit()
    assert await deliver_due(sessionmaker) == 0
    assert smtp_server.messages == []


async def _age(session, donation_id: int, minutes: int) -> None:
    donation = await get_donation(session, donation_id)
    donation.created_at = utcnow() - timedelta(minutes=minutes)
    await session.commit()


async def test_reconcile_applies_what_stripe_knows_when_webhooks_were_missed(
    client, session, sessionmaker, fake_stripe
):
    campaign = await create_campaign(session)
    paid = await start_gift(client, "palidzesim", 2000)
    expired = await start_gift(client, "palidzesim", 3000)
    still_open = await start_gift(client, "palidzesim", 4000)
    fresh = await start_gift(client, "palidzesim", 5000)
    fake_stripe.pay((await get_donation(session, paid["id"])).checkout_session_id)
    fake_stripe.expire((await get_donation(session, expired["id"])).checkout_session_id)
    fake_stripe.pay((await get_donation(session, fresh["id"])).checkout_session_id)
    for started in (paid, expired, still_open):
        await _age(session, started["id"], 10)

    assert (await reconcile.reconcile_pending(sessionmaker)).changed == 2
    statuses = [
        (await get_donation(session, s["id"])).status for s in (paid, expired, still_open, fresh)
    ]
    # The fresh one is left to its webhook: its donor may still be on the checkout page.
    assert statuses == ["succeeded", "expired", "pending", "pending"]
    assert await assert_totals_match_ledger(session, campaign.id) == (2000, 1)
    # Checked a moment ago: not asked again on the next run.
    calls = len(fake_stripe.calls("GET", "/v1/checkout/sessions/"))
    assert (await reconcile.reconcile_pending(sessionmaker)).changed == 0
    assert len(fake_stripe.calls("GET", "/v1/checkout/sessions/")) == calls


async def test_reconcile_runs_as_a_periodic_job():
    jobs.register_builtin_jobs()
    job = next(job for job in jobs.JOBS if job.name == "reconcile-donations")
    assert job.run is reconcile.reconcile_pending
