"""An organizer posts a field update with a photo; a visitor on a phone sees it."""

import httpx
from playwright.async_api import expect

from tests.campaigns.test_campaigns_api import _jpeg_with_gps
from tests.e2e.conftest import screenshot

PASSWORD = "field updates prove it"


async def test_organizer_posts_an_update_with_a_photo_and_a_visitor_sees_it(
    live_server, desktop, phone, tmp_path
):
    live_server.cli(
        "create-organizer",
        "--email",
        "field@example.org",
        "--name",
        "Field team",
        "--password",
        PASSWORD,
    )
    async with httpx.AsyncClient(base_url=live_server.url) as api:
        token = (
            await api.post(
                "/api/v1/tokens", json={"email": "field@example.org", "password": PASSWORD}
            )
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        created = await api.post(
            "/api/v1/campaigns",
            headers=headers,
            json={
                "hashtag": "MbourShelter",
                "title": "Milk for the Mbour shelter",
                "beneficiary": "Mbour baby shelter",
                "currency": "XOF",
                "goal_minor": 600000,
            },
        )
        assert created.status_code == 201, created.text
        await api.patch("/api/v1/campaigns/MbourShelter", headers=headers, json={"status": "live"})

    organizer = desktop
    await organizer.goto(f"{live_server.url}/login?next=/dashboard/c/MbourShelter/updates/new")
    await organizer.get_by_label("Email (required)").fill("field@example.org")
    await organizer.get_by_label("Password (required)").fill(PASSWORD)
    await organizer.get_by_role("button", name="Log in").click()
    await organizer.get_by_label("Title (required)").fill("Monday: 40 tins of milk delivered")
    await organizer.get_by_label("What happened").fill(
        "The shelter received **40 tins** of formula."
    )
    await organizer.get_by_role("button", name="Publish").click()
    await expect(organizer.get_by_text("Update published.")).to_be_visible()

    photo = tmp_path / "tins.jpg"
    photo.write_bytes(_jpeg_with_gps())
    await organizer.get_by_label("Photo (JPEG, PNG, WebP or GIF, at most 8 MB)").set_input_files(
        str(photo)
    )
    await organizer.get_by_label("Describe the photo for people who cannot see it").fill(
        "Tins of milk on a table"
    )
    await organizer.get_by_role("button", name="Add the photo").click()
    await expect(organizer.get_by_text("Photo added; location data was removed.")).to_be_visible()

    visitor = phone
    await visitor.goto(f"{live_server.url}/h/mbourshelter")
    await visitor.get_by_role(
        "link", name="What your help became: results and field updates"
    ).click()
    await expect(
        visitor.get_by_role("heading", name="Monday: 40 tins of milk delivered")
    ).to_be_visible()
    await expect(visitor.locator(".update-body strong")).to_have_text("40 tins")
    image = visitor.get_by_role("img", name="Tins of milk on a table")
    await expect(image).to_be_visible()
    assert await image.evaluate("img => img.complete && img.naturalWidth === 640")
    width = await visitor.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    await screenshot(visitor, "progress-phone")
