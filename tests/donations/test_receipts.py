"""The receipt a donor keeps: on the thank-you page, behind a private link, as a PDF, by email."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import select

from app.donations.models import Donation
from app.donations.receipts import format_moment
from app.outbox import deliver_due
from tests.donations.conftest import deliver, session_event
from tests.donations.factories import get_donation, start_gift
from tests.donations.test_pages import give_in_demo
from tests.factories import api_token, create_campaign, create_user
from tests.test_money import spaces_to_ascii


def pdf_text(body: bytes) -> str:
    return spaces_to_ascii(
        "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    )


def reference_of(thanks_url: str) -> str:
    return thanks_url.rsplit("/", 1)[1]


def assert_private(response) -> None:
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_thank_you_page_shows_the_receipt_and_its_private_link(client, session):
    await create_campaign(session)
    thanks = await give_in_demo(client, "20", donor_name="Līga Ozola", message="Spēku!")
    reference = reference_of(thanks)
    page = await client.get(thanks)
    assert page.status_code == 200
    assert_private(page)
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    html = page.text
    for text in (
        "Your receipt",
        reference,
        "€20.00",
        "Līga Ozola",
        "Diapers and milk for 110 newborns (#palidzesim)",
        "Riga infant shelter, Riga, Latvia",
        "Anna Organizer",
        "Test checkout",
        "not an official tax receipt",
        f'href="/receipts/{reference}.pdf"',
        f'value="http://testserver/receipts/{reference}"',
        "Keep this link to find your receipt later",
    ):
        assert text in html, text
    assert " EET</dd>" in html  # in the campaign's zone (Riga, from its place), named
    assert "Refunded" not in html


async def test_the_private_link_shows_the_receipt_later_and_as_a_pdf(client, session):
    await create_campaign(session)
    thanks = await give_in_demo(client, "20", donor_name="Līga", email="liga@example.org")
    reference = reference_of(thanks)
    client.cookies.clear()  # another day, another browser: the link alone is enough
    page = await client.get(f"/receipts/{reference}")
    assert page.status_code == 200
    assert_private(page)
    assert "Receipt for your gift to #palidzesim" in page.text and "€20.00" in page.text
    assert "liga@example.org" not in page.text  # the receipt never repeats the email

    pdf = await client.get(f"/receipts/{reference}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert_private(pdf)
    assert pdf.content.startswith(b"%PDF-")
    text = pdf_text(pdf.content)
    for expected in (reference, "€20.00", "Līga", "#palidzesim", "Riga infant shelter"):
        assert expected in text, expected
    assert "Test — no money moves" in text
    assert f"http://testserver/receipts/{reference}" in text


async def test_a_french_receipt_in_francs_cfa_prints_its_accents(client, session):
    await create_campaign(
        session,
        hashtag="HelpChallenge",
        currency="XOF",
        goal_minor=600_000,
        beneficiary="Pouponnière de Mbour",
        place="Mbour, Sénégal",
    )
    thanks = await give_in_demo(
        client, "5000", donor_name="Aïssatou Diène", path="/h/HelpChallenge/donate"
    )
    client.headers["Accept-Language"] = "fr-FR"  # the receipt speaks its reader's language
    pdf = await client.get(f"/receipts/{reference_of(thanks)}.pdf")
    text = pdf_text(pdf.content)
    for expected in (
        "Reçu",
        "5 000 F CFA",
        "Aïssatou Diène",
        "Pouponnière de Mbour, Mbour, Sénégal",
    ):
        assert expected in text, expected


async def test_a_pending_gift_has_no_receipt_yet(client, session):
    await create_campaign(session)
    started = await start_gift(client, "palidzesim", 2000, donor_name="Anna")
    page = await client.get(f"/receipts/{started['reference']}")
    assert page.status_code == 200
    assert "Payment not confirmed yet" in page.text and "€20.00" not in page.text
    pdf = await client.get(f"/receipts/{started['reference']}.pdf")
    assert pdf.status_code == 409 and "Payment not confirmed yet" in pdf.text
    thanks = await client.get(f"/h/palidzesim/donate/thanks/{started['reference']}")
    assert "Your receipt" not in thanks.text
    assert f'href="/receipts/{started["reference"]}"' in thanks.text  # shown once confirmed


async def test_a_cancelled_gift_has_no_receipt_and_unknown_links_are_not_found(client, session):
    await create_campaign(session)
    page = await client.get("/h/palidzesim/donate")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    started = await client.post(
        "/h/palidzesim/donate", data={"csrf_token": token, "amount": "20", "idempotency_key": "k"}
    )
    await client.post(started.headers["location"], data={"csrf_token": token, "action": "cancel"})
    reference = started.headers["location"].rsplit("/", 1)[1]
    assert "no money was taken" in (await client.get(f"/receipts/{reference}")).text
    assert (await client.get(f"/receipts/{reference}.pdf")).status_code == 409
    assert (await client.get("/receipts/not-a-real-reference")).status_code == 404
    assert (await client.get("/receipts/not-a-real-reference.pdf")).status_code == 404
    assert (await client.get("/receipts/" + "x" * 200)).status_code == 404


async def test_a_refunded_gift_shows_the_refund_on_its_receipt(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner)
    headers = await api_token(session, owner)
    thanks = await give_in_demo(client, "50", donor_name="Jānis")
    reference = reference_of(thanks)
    donation = await session.scalar(select(Donation).where(Donation.reference == reference))
    refunds = f"/api/v1/donations/{donation.id}/refunds"
    assert (await client.post(refunds, json={"amount_minor": 1500}, headers=headers)).is_success
    page = (await client.get(f"/receipts/{reference}")).text
    assert "Paid, partly refunded" in page
    assert "<dt>Refunded</dt><dd>€15.00</dd>" in page
    assert "<dt>Amount kept after refunds</dt><dd>€35.00</dd>" in page
    assert (await client.post(refunds, json={"amount_minor": 3500}, headers=headers)).is_success
    page = (await client.get(f"/receipts/{reference}")).text
    assert "Refunded in full" in page and "<dd>€0.00</dd>" in page
    text = pdf_text((await client.get(f"/receipts/{reference}.pdf")).content)
    assert "Refunded in full" in text and "€50.00" in text


async def test_an_offline_gift_receipt_says_how_and_when_it_came(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner)
    headers = await api_token(session, owner)
    recorded = await client.post(
        "/api/v1/campaigns/palidzesim/donations/offline",
        json={
            "amount_minor": 10_000,
            "donor_name": "Ilze",
            "method": "cash",
            "received_on": "2026-11-20",
        },
        headers=headers,
    )
    assert recorded.status_code == 201, recorded.text
    donation = await session.get(Donation, recorded.json()["id"])
    page = (await client.get(f"/receipts/{donation.reference}")).text
    assert "<dd>November 20, 2026</dd>" in page
    assert "Cash, recorded by the organizers" in page and "€100.00" in page


async def test_receipt_times_read_in_the_campaign_zone_with_the_zone_named():
    moment = datetime(2026, 11, 22, 21, 5, tzinfo=UTC)

    def read(moment, zone, locale):
        return spaces_to_ascii(format_moment(moment, ZoneInfo(zone), locale))

    assert read(moment, "Europe/Riga", "en") == "November 22, 2026, 11:05 PM EET"
    assert read(moment, "UTC", "fr") == "22 novembre 2026, 21:05 UTC"
    naive = moment.replace(tzinfo=None) + timedelta(hours=3)  # SQLite may hand back naive UTC
    assert read(naive, "Africa/Dakar", "fr") == "23 novembre 2026, 00:05 GMT"


async def test_the_email_receipt_carries_the_private_link(
    client, session, sessionmaker, fake_stripe, smtp_server
):
    await create_campaign(session)
    started = await start_gift(client, "palidzesim", 2500, donor_name="Anna", email="a@example.org")
    donation = await get_donation(session, started["id"])
    await deliver(
        client,
        session_event("checkout.session.completed", fake_stripe.pay(donation.checkout_session_id)),
    )
    await session.commit()
    assert await deliver_due(sessionmaker) == 1
    [mail] = smtp_server.messages
    body = mail.get_payload(decode=True).decode()
    assert f"http://testserver/receipts/{started['reference']}" in body
    assert "Amount: €25.00" in body and "Organizer: Anna Organizer" in body
    assert "Payment: Card, through Stripe" in body
    assert "not an official tax receipt" in body
