"""Back from a cancelled checkout, the form still holds what the donor typed; the URL holds
only the gift's reference."""

import re
from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from app.donations.models import Donation
from tests.donations.test_pages import DONATE, form_token, give_in_demo
from tests.factories import create_campaign

TYPED = {
    "donor_name": "Līga Ozola",
    "message": "Spēku jums!",
    "email": "liga@example.org",
    "anonymous": "yes",
}


def field_value(html: str, name: str) -> str:
    tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html).group(0)
    if tag.startswith("<textarea"):
        return re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', html).group(1)
    return re.search(r'value="([^"]*)"', tag).group(1)


def checked_presets(html: str) -> list[str]:
    return re.findall(r'name="amount" value="([^"]+)" checked', html)


async def start_on_the_form(client, amount: str, other_amount: str = "", **typed) -> str:
    """Post the form; returns the checkout address the donor is sent to."""
    page = await client.get(DONATE)
    data = {
        "csrf_token": form_token(page.text, "csrf_token"),
        "idempotency_key": form_token(page.text, "idempotency_key"),
        "amount": amount,
        "other_amount": other_amount,
        **typed,
    }
    started = await client.post(DONATE, data=data)
    assert started.status_code == 303, started.text
    return started.headers["location"]


async def cancel_demo(client, checkout: str) -> str:
    page = await client.get(checkout)
    cancelled = await client.post(
        checkout, data={"csrf_token": form_token(page.text, "csrf_token"), "action": "cancel"}
    )
    assert cancelled.status_code == 303
    return cancelled.headers["location"]


async def test_the_demo_cancel_brings_back_everything_typed(client, session):
    await create_campaign(session)
    checkout = await start_on_the_form(client, "other", "7.50", **TYPED)
    back = await cancel_demo(client, checkout)
    reference = checkout.rsplit("/", 1)[1]
    assert back == f"/h/palidzesim/donate?cancelled={reference}"  # no name, email or amount

    form = await client.get(back)
    html = form.text
    assert html.count("Payment cancelled: nothing was charged.") == 1
    assert field_value(html, "other_amount") == "7.50"
    assert checked_presets(html) == []  # one amount looks chosen: the one typed
    assert field_value(html, "donor_name") == "Līga Ozola"
    assert field_value(html, "email") == "liga@example.org"
    assert "Spēku jums!" in html
    assert re.search(r'name="anonymous" value="yes"\s+checked', html)
    assert form.headers["cache-control"] == "private, no-store"
    assert form.headers["referrer-policy"] == "no-referrer"

    # Paying this time is a new gift (a fresh key), not the cancelled one come back.
    again = await start_on_the_form(client, "other", field_value(html, "other_amount"), **TYPED)
    assert again != checkout
    amounts = await session.scalars(select(Donation.status).order_by(Donation.id))
    assert list(amounts) == ["expired", "pending"]


async def test_a_preset_amount_comes_back_as_the_chosen_preset_in_french(client, session):
    await create_campaign(session)
    client.headers["Accept-Language"] = "fr-FR"
    checkout = await start_on_the_form(client, "50.00")
    html = (await client.get(await cancel_demo(client, checkout))).text
    assert "Paiement annulé : rien n’a été débité." in html
    assert checked_presets(html) == ["50.00"]
    assert field_value(html, "other_amount") == ""
    assert (
        field_value(html, "donor_name") == "" and "checked" not in html.split("f-anonymous")[1][:80]
    )

    checkout = await start_on_the_form(client, "other", "12,5")
    html = (await client.get(await cancel_demo(client, checkout))).text
    assert field_value(html, "other_amount") == "12,50" and checked_presets(html) == []


async def test_stripe_cancel_url_names_the_gift_and_the_form_refills(client, session, fake_stripe):
    await create_campaign(session)
    checkout = await start_on_the_form(client, "other", "35", **TYPED)
    assert checkout.startswith("https://checkout.stripe.com/")
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    cancel_url = call.params["cancel_url"]
    donation = await session.scalar(select(Donation))
    assert cancel_url == f"http://testserver/h/palidzesim/donate?cancelled={donation.reference}"
    html = (await client.get(cancel_url.removeprefix("http://testserver"))).text
    assert "Payment cancelled: nothing was charged." in html
    assert field_value(html, "other_amount") == "35"
    assert field_value(html, "email") == "liga@example.org"


async def test_only_a_recent_unpaid_gift_of_this_campaign_refills_the_form(client, session):
    await create_campaign(session)
    await create_campaign(session, hashtag="HelpChallenge", currency="XOF", goal_minor=600_000)
    paid = (await give_in_demo(client, "20", **TYPED)).rsplit("/", 1)[1]
    old = (await start_on_the_form(client, "other", "9", **TYPED)).rsplit("/", 1)[1]
    gift = await session.scalar(select(Donation).where(Donation.reference == old))
    gift.created_at = utcnow() - timedelta(days=2)
    await session.flush()
    elsewhere = await start_on_the_form(client, "other", "9", **TYPED)

    for path in (
        f"{DONATE}?cancelled={paid}",  # paid: its receipt is the place for it
        f"{DONATE}?cancelled={old}",
        f"/h/HelpChallenge/donate?cancelled={elsewhere.rsplit('/', 1)[1]}",
        f"{DONATE}?cancelled=no-such-gift",
        f"{DONATE}?cancelled=1",
    ):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert "Payment cancelled: nothing was charged." in page.text
        assert "liga@example.org" not in page.text and "Līga" not in page.text, path
    too_long = await client.get(f"{DONATE}?cancelled={'x' * 65}")
    assert too_long.status_code == 422
