"""WCAG 2.2 A/AA checks by axe-core, in Chromium, on the demo's public, donor and team pages."""

import re

import pytest
from axe_playwright_python.async_playwright import Axe

from app.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.dbutil import sibling_database_url
from tests.e2e.conftest import PHONE, running_server

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
TAG = "/h/palidzesim"
PUBLIC_PAGES = [
    "/",
    TAG,
    f"{TAG}/donate",
    f"{TAG}/pledge",
    f"{TAG}/progress",
    f"{TAG}/donors",
    f"{TAG}/embed",
    "/login",
    "/signup",
    "/forgot-password",
    "/reset/not-a-valid-token",
    "/search?q=riga",
    "/search?q=nothing-matches-this",
    "/h/no-such-campaign",
]
TEAM = "/dashboard/c/palidzesim"
TEAM_PAGES = [
    "/dashboard",
    "/dashboard/campaigns/new",
    f"{TEAM}/edit",
    f"{TEAM}/goods",
    f"{TEAM}/goods/points",
    f"{TEAM}/goods/volunteers",
    f"{TEAM}/desk",
    f"{TEAM}/desk/walk-in",
    f"{TEAM}/updates",
    f"{TEAM}/updates/new",
    f"{TEAM}/expenses",
    f"{TEAM}/donations",
    f"{TEAM}/donations/offline",
    f"{TEAM}/preview",
    f"{TEAM}/goods/upcoming",
    f"{TEAM}/desk/used",
    "/account",
]
LOCALES = {"en": "en-GB", "fr": "fr-FR"}


@pytest.fixture(scope="module")
def demo_server(migrated_database):
    with running_server(sibling_database_url(migrated_database, "e2e_axe")) as server:
        server.cli("demo")
        yield server


async def violations(page) -> list[str]:
    results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        f"{page.url} [{v['id']}] {v['help']}: "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
    ]


async def check(page, url: str, found: list[str]) -> None:
    response = await page.goto(url)
    assert response.status < 500, url
    found += await violations(page)


async def log_in(page, base: str) -> None:
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", DEMO_EMAIL)
    await page.fill("input[name=password]", DEMO_PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(re.compile(r"/dashboard"))


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("device", ["phone", "desktop"])
async def test_public_and_donor_pages_have_no_wcag_violations(
    demo_server, browser, language, device
):
    size = PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 900}}
    context = await browser.new_context(**size, locale=LOCALES[language])
    page = await context.new_page()
    found: list[str] = []
    try:
        for path in PUBLIC_PAGES:
            await check(page, demo_server.url + path, found)
        progress = await page.goto(demo_server.url + f"{TAG}/progress")
        assert progress.ok
        update = page.locator(f"a[href^='{TAG}/updates/']").first
        await check(page, demo_server.url + await update.get_attribute("href"), found)
        # The donor's path: the form, the (demo) checkout, the thank-you page.
        await page.goto(demo_server.url + f"{TAG}/donate")
        await page.locator(".amount-choice label").first.click()
        await page.locator("form.donate button[type=submit], form button[type=submit]").last.click()
        await page.wait_for_url(re.compile(r"/demo-checkout/"))
        found += await violations(page)
        await page.locator(".action-buttons button.primary").click()
        await page.wait_for_url(re.compile(r"/donate/thanks/"))
        found += await violations(page)
        reference = page.url.rsplit("/", 1)[1]
        await check(page, f"{demo_server.url}/receipts/{reference}", found)
    finally:
        await context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", LOCALES)
async def test_team_pages_have_no_wcag_violations(demo_server, browser, language):
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale=LOCALES[language]
    )
    page = await context.new_page()
    found: list[str] = []
    try:
        await log_in(page, demo_server.url)
        for path in TEAM_PAGES:
            await check(page, demo_server.url + path, found)
    finally:
        await context.close()
    assert not found, "\n".join(found)
