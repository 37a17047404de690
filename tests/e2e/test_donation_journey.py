"""A donor on a phone gives to #HelpChallenge through the demo checkout (no Stripe keys)."""

import re

from playwright.async_api import expect
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import make_engine
from tests.e2e.conftest import screenshot
from tests.factories import create_campaign


async def _campaign_in_server_database(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            session = AsyncSession(bind=connection, expire_on_commit=False)
            await create_campaign(
                session,
                hashtag="HelpChallenge",
                title="Milk and diapers for the Mbour baby shelter",
                beneficiary="Mbour baby shelter",
                currency="XOF",
                goal_minor=600_000,
            )
            await session.flush()
    finally:
        await engine.dispose()


async def test_a_phone_donor_gives_and_sees_the_progress_bar_move(live_server, phone):
    await _campaign_in_server_database(live_server.database_url)
    donor = phone
    await donor.goto(f"{live_server.url}/h/HelpChallenge")
    await expect(donor.get_by_text("0 donors")).to_be_visible()
    await donor.get_by_role("link", name="Give money").click()

    await donor.get_by_label("Another amount (XOF)").fill("150 000")
    await donor.get_by_label("Your name (optional)").fill("Awa")
    await donor.get_by_label("A public message (optional)").fill("Courage à toute l'équipe !")
    await screenshot(donor, "donate-form-phone")
    assert await donor.evaluate("document.documentElement.scrollWidth") <= 360
    await donor.get_by_role("button", name="Continue to payment").click()

    await expect(donor.get_by_text("Test — no money moves")).to_be_visible()
    reference = re.search(r"/demo-checkout/([\w-]+)$", donor.url).group(1)

    # The thank-you page, opened while the gift is pending, follows it by itself.
    waiting = await donor.context.new_page()
    await waiting.goto(f"{live_server.url}/h/HelpChallenge/donate/thanks/{reference}")
    status = waiting.get_by_role("status")
    await expect(status).to_contain_text("is pending")

    await donor.get_by_role("button", name="Pay (test)").click()
    await expect(donor.get_by_role("status")).to_contain_text("is confirmed. Thank you!")
    await expect(status).to_contain_text("is confirmed. Thank you!", timeout=15_000)
    await screenshot(donor, "donate-thanks-phone")

    await donor.get_by_role("link", name="Back to #HelpChallenge").click()
    figures = donor.locator(".progress-figures")
    await expect(figures).to_contain_text("1 donor")
    assert re.search(r"150,000.F.CFA raised of .*600,000", await figures.inner_text())
    await expect(donor.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "25")
    await donor.get_by_role("link", name="See the donor wall").click()
    await expect(donor.get_by_text("Courage à toute l'équipe !")).to_be_visible()
    await expect(donor.get_by_text("Awa")).to_be_visible()
