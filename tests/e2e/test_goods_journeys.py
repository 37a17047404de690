"""On a phone: a donor pledges diapers and cancels; a volunteer joins and logs deliveries."""

import re

from playwright.async_api import expect

from app.db import utcnow
from app.inkind import volunteers
from tests.e2e.conftest import screenshot
from tests.e2e.live_data import live_session
from tests.factories import create_campaign, create_user
from tests.inkind.factories import create_need, create_point, pledge


async def no_horizontal_scroll(page) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360


async def test_donor_pledges_packs_from_a_phone_then_cancels(live_server, phone):
    async with live_session(live_server) as session:
        campaign = await create_campaign(session, hashtag="diapersriga")
        diapers = await create_need(session, campaign)
        await create_need(
            session, campaign, item="Formula milk", unit="bottles", pack_label="box", pack_size=6
        )
        await create_point(session, campaign)
        need_id = diapers.id
    await phone.goto(f"{live_server.url}/h/diapersriga")
    await expect(phone.get_by_text("110 newborns → 300 diapers a day")).to_be_visible()
    await phone.get_by_role("link", name="Pledge goods").click()
    await expect(phone.get_by_role("heading", name="Pledge goods")).to_be_visible()
    await phone.locator(f"#f-qty_{need_id}").fill("3")
    await phone.locator(f"#f-per_{need_id}").select_option("pack")
    await phone.get_by_label("Your name (required)").fill("Līga")
    await no_horizontal_scroll(phone)
    await screenshot(phone, "pledge-form-phone")
    await phone.get_by_role("button", name="Pledge", exact=True).click()

    await expect(phone.get_by_role("heading", name="Your pledge")).to_be_visible()
    code = (await phone.locator(".pledge-code").text_content()).strip()
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code)
    await expect(phone.get_by_text(f"Thank you! Your pledge code is {code}.")).to_be_visible()
    await expect(phone.get_by_text("90 diapers (3 × pack of 30)")).to_be_visible()
    await expect(phone.get_by_text("Riga shelter")).to_be_visible()
    await no_horizontal_scroll(phone)
    await screenshot(phone, "pledge-confirmation-phone")
    manage_url = phone.url

    await phone.goto(f"{live_server.url}/h/diapersriga")
    card = phone.locator(f'[data-need-id="{need_id}"]')
    await expect(card.locator(".fig-pledged")).to_have_text("90 diapers (3 × pack of 30)")
    await phone.goto(manage_url)
    await phone.get_by_role("link", name="Cancel my pledge").click()
    await phone.get_by_role("button", name="Yes, cancel my pledge").click()
    await expect(phone.get_by_text("Your pledge is cancelled. Thank you anyway!")).to_be_visible()
    await expect(phone.locator(".badge")).to_have_text("cancelled")
    await phone.goto(f"{live_server.url}/h/diapersriga")
    await phone.reload()  # the landing page may be cached for a few seconds; a reload revalidates
    await expect(card.locator(".fig-pledged")).to_have_text("0 diapers")


async def test_volunteer_joins_by_link_and_logs_a_pledge_and_a_walk_in(live_server, phone):
    today = utcnow().date()
    async with live_session(live_server) as session:
        owner = await create_user(session, email="anna@riga.example")
        campaign = await create_campaign(session, owner=owner, hashtag="milkriga")
        diapers = await create_need(session, campaign, max_per_pledge=120)
        result = await pledge(session, campaign, {diapers: 120}, today=today, donor_name="Marta")
        await create_user(session, email="janis@riga.example", name="Jānis")
        raw = await volunteers.create_invite(session, campaign, owner)
        code, need_id = result.pledge.code, diapers.id

    await phone.goto(f"{live_server.url}/invite/{raw}")
    await phone.get_by_role("link", name="Sign in to accept").click()
    await phone.get_by_label("Email (required)").fill("janis@riga.example")
    await phone.get_by_label("Password (required)").fill("a long and happy password")
    await phone.get_by_role("button", name="Log in and join the team").click()
    await expect(phone.get_by_text("Welcome to the team of #milkriga!")).to_be_visible()

    await phone.get_by_label("Pledge code or donor's name").fill(code.lower())
    await phone.get_by_role("button", name="Find").click()
    await expect(phone.get_by_text(f"{code} · Marta")).to_be_visible()
    await no_horizontal_scroll(phone)
    await screenshot(phone, "desk-search-phone")
    await phone.get_by_role("button", name="Everything arrived").click()
    await expect(phone.get_by_text(f"Pledge {code} received in full. Thank you!")).to_be_visible()

    await phone.get_by_role("link", name="Walk-in gift (no pledge) or correction").click()
    await phone.locator(f"#f-accepted_{need_id}").fill("40")
    await phone.locator(f"#f-refused_{need_id}").fill("5")
    await phone.locator(f"#f-reason_{need_id}").select_option("opened")
    await no_horizontal_scroll(phone)
    await phone.get_by_role("button", name="Record the gift").click()
    await expect(phone.get_by_text("Walk-in gift recorded. Thank you!")).to_be_visible()

    await phone.goto(f"{live_server.url}/h/milkriga")
    card = phone.locator(f'[data-need-id="{need_id}"]')
    await expect(card.locator(".fig-received")).to_have_text("160 diapers")
    await expect(card.locator(".fig-missing")).to_have_text("140 diapers")
