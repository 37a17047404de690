"""A donor pledges for tomorrow and sees tomorrow's figure, changes the quantity, cancels after
the confirmation step; Back then the same form again shows the pledge already made. At 390 px
and on a desktop, in English and French."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect
from sqlalchemy import func, select

from app.db import utcnow
from app.inkind.models import Pledge
from tests.e2e.live_data import live_session
from tests.factories import create_campaign
from tests.inkind.factories import create_need, create_point, pledge

SHOTS = Path(os.environ.get("AIDONS_PLEDGE_SHOTS", "/tmp/shots-pledges"))
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
WORDS = {
    "en": {
        "locale": "en-GB", "pledge": "Pledge", "name": "Your name (required)",
        "missing_tomorrow": "still missing on {day}: 150 diapers (5 × pack of 30)",
        "after": "With your pledge, still missing on {day}: 90 diapers (3 × pack of 30)",
        "save": "Save changes", "updated": "Your pledge is updated.",
        "cancel": "Cancel my pledge", "yes": "Yes, cancel my pledge",
        "cancelled": "This pledge is cancelled. Nothing to bring.",
        "already": "You already pledged this — here it is.",
    },
    "fr": {
        "locale": "fr-FR", "pledge": "Promettre", "name": "Votre nom (obligatoire)",
        "missing_tomorrow": "manque encore le {day} : 150 couches (5 × paquet de 30)",
        "after": "Avec votre promesse, manque encore le {day} : 90 couches (3 × paquet de 30)",
        "save": "Enregistrer", "updated": "Votre promesse est modifiée.",
        "cancel": "Annuler ma promesse", "yes": "Oui, annuler ma promesse",
        "cancelled": "Cette promesse est annulée. Rien à apporter.",
        "already": "Vous avez déjà fait cette promesse — la voici.",
    },
}  # fmt: skip


@pytest.fixture
def shots_dir():
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
async def page_for(browser, shots_dir):
    contexts = []

    async def open_page(width: str, lang: str):
        context = await browser.new_context(
            viewport=WIDTHS[width], locale=WORDS[lang]["locale"], has_touch=width == "phone"
        )
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()


async def shot(page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def fits(page, width: str) -> None:
    scroll = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTHS[width]["width"], scroll


async def seed(live_server, tag: str, lang: str):
    """Today covered, tomorrow lacking 150: the figure the form must show is tomorrow's."""
    today = utcnow().date()
    async with live_session(live_server) as session:
        campaign = await create_campaign(session, hashtag=tag)
        unit = "couches" if lang == "fr" else "diapers"
        pack = "paquet" if lang == "fr" else "pack"
        diapers = await create_need(
            session, campaign, unit=unit, pack_label=pack, policy="hard_cap", max_per_pledge=300
        )
        await create_point(session, campaign)
        await pledge(session, campaign, {diapers: 300}, today=today)
        await pledge(session, campaign, {diapers: 150}, today=today, due_on=today + timedelta(1))
        diapers.max_per_pledge = None  # back to the default: 90 per pledge
        return campaign.id, diapers.id


def short_day(day, lang: str) -> str:
    from babel.dates import format_date

    return format_date(day, "EEE d MMM", locale=lang)


@pytest.mark.parametrize("width", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_pledge_for_tomorrow_change_it_then_cancel_with_a_confirmation(
    live_server, page_for, width, lang
):
    words, tag = WORDS[lang], f"later{width}{lang}"
    _campaign_id, need_id = await seed(live_server, tag, lang)
    tomorrow = utcnow().date() + timedelta(days=1)
    page = await page_for(width, lang)

    await page.goto(f"{live_server.url}/h/{tag}/pledge")
    missing = page.locator(f"#f-qty_{need_id}-missing")
    await expect(missing).to_contain_text(": 0 ")  # today is covered
    await expect(page.get_by_role("button", name=re.compile("day"))).to_have_count(0)  # JS on
    await page.locator("#f-due_on").select_option(tomorrow.isoformat())
    await expect(missing).to_have_text(
        words["missing_tomorrow"].format(day=short_day(tomorrow, lang))
    )
    await page.locator(f"#f-qty_{need_id}").fill("2")
    await page.locator(f"#f-per_{need_id}").select_option("pack")
    await page.get_by_label(words["name"]).fill("Līga")
    await fits(page, width)
    await shot(page, f"form-tomorrow-{width}-{lang}")
    await page.get_by_role("button", name=words["pledge"], exact=True).click()

    await expect(page.locator(".pledge-code")).to_be_visible()
    await expect(
        page.get_by_text(words["after"].format(day=short_day(tomorrow, lang)))
    ).to_be_visible()
    await fits(page, width)
    await shot(page, f"manage-{width}-{lang}")

    await page.locator(f'[id="f-units.{need_id}"]').fill("3")
    await page.get_by_role("button", name=words["save"]).click()
    await expect(page.get_by_text(words["updated"])).to_be_visible()
    await expect(page.locator(".pledge-lines")).to_contain_text("90")

    await page.get_by_role("link", name=words["cancel"]).click()
    await expect(page.get_by_role("button", name=words["yes"])).to_be_visible()
    await fits(page, width)
    await shot(page, f"cancel-step-{width}-{lang}")
    await page.get_by_role("button", name=words["yes"]).click()
    await expect(page.get_by_text(words["cancelled"])).to_be_visible()
    await expect(page.get_by_role("link", name=words["cancel"])).to_have_count(0)
    await shot(page, f"cancelled-{width}-{lang}")


@pytest.mark.parametrize(("width", "lang"), [("phone", "en"), ("desktop", "fr")])
async def test_back_then_pledge_again_shows_the_pledge_already_made(
    live_server, page_for, width, lang
):
    words, tag = WORDS[lang], f"back{width}{lang}"
    campaign_id, need_id = await seed(live_server, tag, lang)
    page = await page_for(width, lang)
    await page.goto(f"{live_server.url}/h/{tag}/pledge")
    await page.locator("#f-due_on").select_option((utcnow().date() + timedelta(1)).isoformat())
    await page.locator(f"#f-qty_{need_id}").fill("60")
    await page.get_by_label(words["name"]).fill("Marta")
    await page.get_by_role("button", name=words["pledge"], exact=True).click()
    await expect(page.locator(".pledge-code")).to_be_visible()
    code = (await page.locator(".pledge-code").text_content()).strip()

    await page.go_back()
    await expect(page.locator(f"#f-qty_{need_id}")).to_have_value("60")
    await page.get_by_role("button", name=words["pledge"], exact=True).click()
    await expect(page.get_by_text(words["already"])).to_be_visible()
    assert (await page.locator(".pledge-code").text_content()).strip() == code
    await fits(page, width)
    await shot(page, f"already-pledged-{width}-{lang}")
    async with live_session(live_server) as session:
        count = select(func.count(Pledge.id)).where(
            Pledge.campaign_id == campaign_id, Pledge.donor_name == "Marta"
        )
        assert await session.scalar(count) == 1
