"""An organizer signs up, creates and publishes #palidzesim; a visitor opens it on a phone."""

from playwright.async_api import expect

from tests.e2e.conftest import screenshot


async def test_organizer_publishes_and_a_phone_visitor_sees_the_campaign(
    live_server, desktop, phone
):
    organizer = desktop
    await organizer.goto(f"{live_server.url}/signup")
    await organizer.get_by_label("Your name or your group's name (required)").fill(
        "Riga volunteers"
    )
    await organizer.get_by_label("Email (required)").fill("riga@example.org")
    await organizer.get_by_label("Password (required)").fill("three hundred diapers a day")
    await organizer.get_by_role("button", name="Create my account").click()
    await expect(organizer.get_by_role("heading", name="My campaigns")).to_be_visible()

    await organizer.get_by_role("link", name="New campaign").click()
    await organizer.get_by_label("Hashtag (required)", exact=True).fill("#palidzesim")
    await organizer.get_by_label("Title (required)").fill("Diapers and milk for 110 newborns")
    await organizer.get_by_label("Who benefits (required)").fill("Riga infant shelter")
    await organizer.get_by_label("Story", exact=True).fill(
        "The shelter needs **300 diapers** and 300 bottles of formula every day."
    )
    await organizer.get_by_label("Currency (required)").fill("EUR")
    await organizer.get_by_label("Money goal (optional)").fill("5000")
    await organizer.get_by_role("button", name="Create the draft").click()
    await expect(organizer.get_by_text("Draft saved.")).to_be_visible()
    await organizer.get_by_role("button", name="Publish").click()
    await expect(organizer.get_by_text("Your campaign is live.")).to_be_visible()

    visitor = phone
    await visitor.goto(f"{live_server.url}/h/PALIDZESIM")
    await expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Diapers and milk for 110 newborns"
    )
    await expect(visitor.locator(".story strong")).to_have_text("300 diapers")
    await expect(visitor.get_by_role("link", name="Share on WhatsApp")).to_be_visible()
    await expect(visitor.get_by_role("link", name="Share on X")).to_have_attribute(
        "href",
        "https://twitter.com/intent/tweet?text=Diapers+and+milk+for+110+newborns"
        f"&url=http%3A%2F%2F127.0.0.1%3A{live_server.url.rsplit(':', 1)[1]}%2Fh%2Fpalidzesim"
        "&hashtags=palidzesim",
    )
    qr_code = visitor.get_by_role("img", name="QR code linking to this page")
    await expect(qr_code).to_be_visible()
    assert await qr_code.evaluate("img => img.complete && img.naturalWidth > 0")
    og_url = await visitor.locator('meta[property="og:url"]').get_attribute("content")
    assert og_url == f"{live_server.url}/h/palidzesim"
    og_image = await visitor.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image.startswith("http://127.0.0.1:")
    # Nothing overflows a 360 px screen.
    width = await visitor.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    await screenshot(visitor, "landing-phone")
