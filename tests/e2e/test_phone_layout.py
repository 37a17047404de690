"""On a 360 px phone, in English and French, pages with goods figures never scroll sideways."""

from playwright.async_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.live_data import live_session
from tests.factories import DEFAULT_PASSWORD, create_campaign, create_user
from tests.inkind.factories import create_need, pledge


async def page_width(page) -> int:
    return await page.evaluate("document.documentElement.scrollWidth")


async def test_needs_and_goods_tables_fit_a_phone_in_both_languages(live_server, phone):
    async with live_session(live_server) as session:
        owner = await create_user(session, email="layout@example.org")
        campaign = await create_campaign(session, owner, hashtag="layoutriga")
        await create_need(
            session, campaign, item="Formula milk", unit="bottles", pack_label="box", pack_size=6
        )
        diapers = await create_need(session, campaign, max_per_pledge=120)
        await pledge(session, campaign, {diapers: 120})
    await phone.goto(f"{live_server.url}/login")
    await phone.get_by_label("Email").fill("layout@example.org")
    await phone.get_by_label("Password").fill(DEFAULT_PASSWORD)
    await phone.get_by_role("button", name="Log in").click()
    await expect(phone.get_by_role("heading", name="My campaigns")).to_be_visible()

    for lang in ("en", "fr"):
        await phone.goto(f"{live_server.url}/lang/{lang}?next=/h/layoutriga")
        await expect(phone.locator("table.days").first).to_be_visible()
        await screenshot(phone, f"landing-needs-phone-{lang}")
        assert await page_width(phone) <= 360, f"landing page scrolls sideways ({lang})"
        await phone.goto(f"{live_server.url}/dashboard/c/layoutriga/goods")
        await expect(phone.locator("table.data-table")).to_be_visible()
        await screenshot(phone, f"goods-dashboard-phone-{lang}")
        assert await page_width(phone) <= 360, f"goods page scrolls sideways ({lang})"
