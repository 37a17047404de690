"""The donor's pages (form, demo checkout, thank you, wall) and the organizer's list and CSV."""

import csv
import io
import re

from sqlalchemy import func, select

from app.donations import service
from app.donations.models import Donation
from tests.donations.factories import assert_totals_match_ledger
from tests.factories import create_campaign, create_user, csrf_token, log_in, post_form

DONATE = "/h/palidzesim/donate"


def form_token(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


async def give_in_demo(client, amount="20", path=DONATE, **fields) -> str:
    """Fill the form, pay on the demo checkout; returns the thank-you page URL."""
    page = await client.get(path)
    data = {
        "csrf_token": form_token(page.text, "csrf_token"),
        "idempotency_key": form_token(page.text, "idempotency_key"),
        "amount": amount,
        **fields,
    }
    started = await client.post(path, data=data)
    assert started.status_code == 303, started.text
    checkout_url = started.headers["location"]
    assert checkout_url.startswith("/demo-checkout/")  # relative: whatever address was used
    checkout = await client.get(checkout_url)
    assert "Test — no money moves" in checkout.text
    paid = await client.post(
        checkout_url, data={"csrf_token": form_token(checkout.text, "csrf_token"), "action": "pay"}
    )
    assert paid.status_code == 303
    return paid.headers["location"]


async def test_landing_links_to_the_form_which_offers_suggested_amounts(client, session):
    await create_campaign(session)
    landing = await client.get("/h/palidzesim")
    assert 'href="/h/palidzesim/donate"' in landing.text
    page = await client.get(DONATE)
    assert page.status_code == 200
    for label in ("€10.00", "€20.00", "€50.00", "€100.00"):
        assert label in page.text
    assert 'name="website"' in page.text  # the honeypot
    assert "At least €1.00." in page.text


async def test_demo_gift_moves_the_progress_bar_and_shows_on_the_wall(client, session):
    campaign = await create_campaign(session)
    thanks = await give_in_demo(
        client, "20", donor_name="Līga", message="<b>Spēku!</b>", email="liga@example.org"
    )
    page = await client.get(thanks)
    assert "Your gift of €20.00 is confirmed. Thank you!" in page.text
    status = await client.get(thanks.replace("/thanks/", "/status/"))
    assert status.json()["status"] == "succeeded"
    assert status.headers["cache-control"].startswith("public")
    assert "liga@example.org" not in status.text
    landing = await client.get("/h/palidzesim")
    assert "€20.00 raised of €5,000.00" in landing.text and "1 donor" in landing.text
    await give_in_demo(client, "other", other_amount="7,50", anonymous="yes", donor_name="Hidden")
    wall = await client.get("/h/palidzesim/donors")
    assert wall.text.index("Anonymous") < wall.text.index("Līga")  # newest first
    assert "Hidden" not in wall.text and "liga@example.org" not in wall.text
    assert "&lt;b&gt;Spēku!&lt;/b&gt;" in wall.text and "<b>Spēku" not in wall.text
    assert await assert_totals_match_ledger(session, campaign.id) == (2750, 2)


async def test_donor_wall_is_paginated(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner)
    for index in range(21):
        gift = service.GiftInput(1000, donor_name=f"Donor {index:02d}")
        await service.record_offline(session, campaign, owner, gift, "cash", None)
    first = await client.get("/h/palidzesim/donors")
    assert "Donor 20" in first.text and "Donor 00" not in first.text
    assert 'href="?page=2"' in first.text
    second = await client.get("/h/palidzesim/donors?page=2")
    assert "Donor 00" in second.text and "Donor 20" not in second.text


async def test_cancelling_the_demo_checkout_counts_nothing(client, session):
    campaign = await create_campaign(session)
    page = await client.get(DONATE)
    token = form_token(page.text, "csrf_token")
    started = await client.post(
        DONATE, data={"csrf_token": token, "amount": "20", "idempotency_key": "x"}
    )
    cancelled = await client.post(
        started.headers["location"], data={"csrf_token": token, "action": "cancel"}
    )
    reference = started.headers["location"].rsplit("/", 1)[1]
    assert cancelled.headers["location"] == f"/h/palidzesim/donate?cancelled={reference}"
    assert "nothing was charged" in (await client.get(cancelled.headers["location"])).text
    assert await assert_totals_match_ledger(session, campaign.id) == (0, 0)


async def test_a_cancelled_checkout_says_so_once(client, session):
    await create_campaign(session)
    page = await client.get(DONATE)
    token = form_token(page.text, "csrf_token")
    started = await client.post(
        DONATE, data={"csrf_token": token, "amount": "20", "idempotency_key": "once"}
    )
    cancelled = await client.post(
        started.headers["location"], data={"csrf_token": token, "action": "cancel"}
    )
    form = await client.get(cancelled.headers["location"])
    assert form.text.count("nothing was charged") == 1


async def test_form_errors_keep_what_was_typed(client, session):
    await create_campaign(session)
    token = await csrf_token(client, DONATE)
    response = await client.post(
        DONATE,
        data={
            "csrf_token": token,
            "amount": "other",
            "other_amount": "0.50",
            "donor_name": "Jānis",
            "email": "not-an-email",
        },
    )
    assert response.status_code == 422
    assert "The smallest gift is €1.00." in response.text
    assert "Enter a valid email address." in response.text
    assert 'value="Jānis"' in response.text
    assert await session.scalar(select(func.count()).select_from(Donation)) == 0


async def test_the_amount_hint_is_written_the_visitor_s_way(client, session):
    await create_campaign(session)
    french = {"Accept-Language": "fr"}
    token = await csrf_token(client, DONATE)
    response = await client.post(
        DONATE,
        data={"csrf_token": token, "amount": "other", "other_amount": "vingt"},
        headers=french,
    )
    assert response.status_code == 422
    assert "Saisissez un montant d’au moins 1,00\u00a0€, comme 10,00." in response.text


async def test_amounts_are_read_as_people_type_them(client, session):
    await create_campaign(session)
    for typed, minor in ((" 25 € ", 2500), ("25,00", 2500), ("1,000", 100_000)):
        page = await client.get(DONATE)
        started = await client.post(
            DONATE,
            data={
                "csrf_token": form_token(page.text, "csrf_token"),
                "idempotency_key": form_token(page.text, "idempotency_key"),
                "amount": "other",
                "other_amount": typed,
            },
        )
        assert started.status_code == 303, started.text
        reference = started.headers["location"].rsplit("/", 1)[1]
        gift = await session.scalar(select(Donation).where(Donation.reference == reference))
        assert gift.amount_minor == minor, typed


async def test_a_too_small_amount_names_the_currency_s_own_minimum(client, session):
    await create_campaign(session, hashtag="HelpChallenge", currency="XOF")
    token = await csrf_token(client, "/h/HelpChallenge/donate")
    for typed, message in (
        ("cent", "Enter an amount of at least 500 F CFA, like 2000."),
        ("100", "The smallest gift is 500 F CFA."),
    ):
        response = await client.post(
            "/h/HelpChallenge/donate",
            data={"csrf_token": token, "amount": "other", "other_amount": typed},
        )
        assert response.status_code == 422
        assert message in response.text.replace("\u00a0", " ").replace("\u202f", " ")
    page = await client.get("/h/HelpChallenge/donate")
    assert "At least 500" in page.text.replace("\u00a0", " ")


async def test_form_needs_csrf_and_the_honeypot_stops_bots(client, session):
    await create_campaign(session)
    no_csrf = await client.post(DONATE, data={"amount": "20"})
    assert no_csrf.status_code == 403
    token = await csrf_token(client, DONATE)
    bot = await client.post(
        DONATE, data={"csrf_token": token, "amount": "20", "website": "http://spam"}
    )
    assert bot.status_code == 400
    assert await session.scalar(select(func.count()).select_from(Donation)) == 0


async def test_organizer_lists_filters_and_exports(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner)
    await give_in_demo(client, "20", donor_name="Līga", email="liga@example.org")
    await give_in_demo(client, "50", donor_name="=HYPERLINK(evil)")
    await log_in(client, owner.email)
    edit = await client.get("/dashboard/c/palidzesim/edit")
    assert 'href="/dashboard/c/palidzesim/donations"' in edit.text
    listing = await client.get("/dashboard/c/palidzesim/donations")
    assert "liga@example.org" in listing.text and "2 gifts" in listing.text
    filtered = await client.get("/dashboard/c/palidzesim/donations", params={"q": "liga"})
    assert "1 gift" in filtered.text and "HYPERLINK" not in filtered.text
    exported = await client.get("/dashboard/c/palidzesim/donations.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {row["amount"] for row in rows} == {"20.00", "50.00"}
    assert {row["donor_name"] for row in rows} == {"Līga", "'=HYPERLINK(evil)"}
    recorded = await post_form(
        client,
        "/dashboard/c/palidzesim/donations/offline",
        {"amount": "100", "method": "bank_transfer", "received_on": "2012-06-01"},
    )
    assert recorded.status_code == 303
    listing = await client.get("/dashboard/c/palidzesim/donations?provider=offline")
    assert "recorded by Anna Organizer" in listing.text and "1 gift" in listing.text


async def test_strangers_cannot_see_the_organizer_pages(client, session):
    await create_campaign(session)
    await create_user(session, email="stranger@example.org")
    await log_in(client, "stranger@example.org")
    for path in ("/dashboard/c/palidzesim/donations", "/dashboard/c/palidzesim/donations.csv"):
        assert (await client.get(path)).status_code == 403
