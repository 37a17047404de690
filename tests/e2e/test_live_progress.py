"""A page left open follows the campaign: figures change without a reload."""

import httpx
from playwright.async_api import expect

PASSWORD = "live figures for all"


async def test_open_landing_page_shows_a_new_gift_without_reload(live_server, phone):
    live_server.cli("create-organizer", "--email", "live@example.org", "--name", "Live",
                    "--password", PASSWORD)  # fmt: skip
    async with httpx.AsyncClient(base_url=live_server.url) as api:
        token = (
            await api.post(
                "/api/v1/tokens", json={"email": "live@example.org", "password": PASSWORD}
            )
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        await api.post("/api/v1/campaigns", headers=headers, json={
            "hashtag": "LiveFigures", "title": "Live figures", "beneficiary": "Shelter",
            "currency": "EUR", "goal_minor": 100_000})  # fmt: skip
        await api.patch("/api/v1/campaigns/LiveFigures", headers=headers, json={"status": "live"})

        await phone.goto(f"{live_server.url}/h/LiveFigures")
        figures = phone.locator(".progress-figures")
        await expect(figures).to_have_text("€0.00 raised of €1,000.00 · 0 donors")

        gift = await api.post(
            "/api/v1/campaigns/LiveFigures/donations/offline",
            headers=headers,
            json={"amount_minor": 25_000, "donor_name": "Cash box", "method": "cash"},
        )
        assert gift.status_code == 201, gift.text

    reloads = []
    phone.on("load", lambda: reloads.append(1))
    # The script refreshes every 20 s and whenever the tab becomes visible again.
    await phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    await expect(figures).to_have_text("€250.00 raised of €1,000.00 · 1 donor")
    await expect(phone.locator(".progress-percent")).to_have_text("25% of the goal")
    await expect(phone.locator(".bar-fill")).to_have_class("bar-fill bar-25")
    assert reloads == []
