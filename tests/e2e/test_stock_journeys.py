"""A volunteer records goods used and the progress page shows received, used and on hand; an
organizer changes a need's daily rate and sees its history, and the upcoming pledges. At 390 px
and on a desktop, in English and in French."""

from datetime import timedelta

import pytest
from playwright.async_api import expect

from app.db import utcnow
from tests.e2e.conftest import screenshot
from tests.e2e.live_data import live_session
from tests.factories import DEFAULT_PASSWORD, create_campaign, create_user
from tests.inkind.factories import (
    create_need,
    create_point,
    create_slot,
    deliver,
    pledge,
    volunteer,
)

SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
RUNS = [("phone", "en"), ("phone", "fr"), ("desktop", "en"), ("desktop", "fr")]


@pytest.fixture
async def open_page(browser):
    contexts = []

    async def make(screen: str):
        context = await browser.new_context(**SCREENS[screen], locale="en-GB")
        contexts.append(context)
        return await context.new_page()

    yield make
    for context in contexts:
        await context.close()


async def log_in(page, url: str, email: str, lang: str) -> None:
    await page.goto(f"{url}/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="My campaigns")).to_be_visible()
    await page.goto(f"{url}/lang/{lang}?next=/")


async def fits(page, screen: str) -> None:
    if screen == "phone":
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize(("screen", "lang"), RUNS)
async def test_volunteer_records_goods_used_and_progress_shows_on_hand(
    live_server, open_page, screen, lang
):
    tag = f"usedriga{screen}{lang}"
    async with live_session(live_server) as session:
        campaign = await create_campaign(session, hashtag=tag)
        diapers = await create_need(session, campaign)  # 300 a day
        helper = await volunteer(session, campaign, email=f"vol-{tag}@example.org")
        lines = [{"need_id": diapers.id, "accepted_units": 600}]
        await deliver(session, campaign, helper, utcnow().date(), lines=lines)
        need_id = diapers.id
    page = await open_page(screen)
    await log_in(page, live_server.url, f"vol-{tag}@example.org", lang)
    await page.goto(f"{live_server.url}/dashboard/c/{tag}/desk")
    await page.locator(f'a[href="/dashboard/c/{tag}/desk/used"]').click()
    used = page.locator(f"#f-used_{need_id}")
    await expect(used).to_be_visible()
    on_hand = {"en": "On hand: 600 diapers", "fr": "En stock : 600 diapers"}[lang]
    await expect(page.get_by_text(on_hand)).to_be_visible()
    # Too many first: the error stands next to the field, once.
    await used.fill("700")
    await page.locator("form button[type=submit]").last.click()
    error = page.locator(f"#f-used_{need_id}-error")
    await expect(error).to_contain_text("600")
    await expect(page.locator(".error")).to_have_count(1)
    await fits(page, screen)
    await screenshot(page, f"goods-used-error-{screen}-{lang}")
    await used.fill("240")
    await page.get_by_label({"en": "Note (optional)", "fr": "Note (facultatif)"}[lang]).fill(
        "night shift"
    )
    await fits(page, screen)
    await screenshot(page, f"goods-used-form-{screen}-{lang}")
    await page.locator("form button[type=submit]").last.click()
    thanks = {"en": "Goods used recorded. Thank you!", "fr": "Biens utilisés enregistrés. Merci !"}
    await expect(page.get_by_text(thanks[lang])).to_be_visible()

    await page.goto(f"{live_server.url}/h/{tag}/progress")
    outcome = page.locator(".goods-outcome").first
    words = {
        "en": ("600 diapers received", "240 diapers used or handed out", "360 diapers on hand",
               "1 day of need covered by what is on hand"),
        "fr": ("600 diapers reçus", "240 diapers utilisés ou distribués", "360 diapers en stock",
               "1 jour de besoin couvert par le stock disponible"),
    }[lang]  # fmt: skip
    for text in words:
        await expect(outcome).to_contain_text(text)
    await fits(page, screen)
    await screenshot(page, f"progress-used-on-hand-{screen}-{lang}")


@pytest.mark.parametrize(("screen", "lang"), RUNS)
async def test_organizer_changes_the_daily_rate_and_sees_the_history(
    live_server, open_page, screen, lang
):
    tag = f"rateriga{screen}{lang}"
    today = utcnow().date()
    async with live_session(live_server) as session:
        owner = await create_user(session, email=f"owner-{tag}@example.org", name="Anna")
        campaign = await create_campaign(session, owner, hashtag=tag)
        diapers = await create_need(session, campaign, max_per_pledge=150)
        point = await create_point(session, campaign)
        slot = await create_slot(session, point, day=today + timedelta(days=1))
        for name, units, extra in [
            ("Līga Bērziņa", 60, {}),
            ("Andris Kalniņš", 90, {}),
            ("Marta Ozola", 120, {"slot_id": slot.id, "due_on": today + timedelta(days=1)}),
        ]:
            await pledge(
                session, campaign, {diapers: units}, today=today, donor_name=name,
                drop_off_point_id=point.id, **extra,
            )  # fmt: skip
        need_id = diapers.id
    page = await open_page(screen)
    await log_in(page, live_server.url, f"owner-{tag}@example.org", lang)
    await page.goto(f"{live_server.url}/dashboard/c/{tag}/goods")
    await page.locator(".need-edit summary").first.click()
    quantity = page.locator(f"#f-quantity_{need_id}")
    await expect(quantity).to_have_value("300")
    await quantity.fill("0")
    await page.locator(".need-edit button[type=submit]").first.click()
    await expect(page.locator(f"#f-quantity_{need_id}-error")).to_be_visible()
    await fits(page, screen)
    await screenshot(page, f"need-rate-error-{screen}-{lang}")
    await page.locator(f"#f-quantity_{need_id}").fill("250")
    await page.locator(f"#f-note_{need_id}").fill("20 babies went home")
    await page.locator(".need-edit button[type=submit]").first.click()
    history = page.locator(".need-history li").first
    expected = {"en": "Changed from 300 to 250 a day on", "fr": "Passé de 300 à 250 par jour le"}
    await expect(history).to_contain_text(expected[lang])
    await expect(history).to_contain_text("Anna · 20 babies went home")
    await fits(page, screen)
    await screenshot(page, f"need-rate-history-{screen}-{lang}")

    await page.locator(f'a[href="/dashboard/c/{tag}/goods/upcoming"]').first.click()
    await expect(page.locator(".upcoming-day")).to_have_count(2)
    await expect(page.locator(".upcoming-point").first).to_contain_text("150 diapers")
    await expect(page.get_by_text("Līga", exact=False).first).to_be_visible()
    await expect(page.get_by_text("Bērziņa")).to_have_count(0)
    await fits(page, screen)
    await screenshot(page, f"upcoming-pledges-{screen}-{lang}")
