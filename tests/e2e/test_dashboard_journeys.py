"""Organizers on a 390 px phone and a desktop, in English and French: cover and draft preview,
an update with its photo, the one dashboard navigation; visitors searching from the home page."""

import re

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect

from tests.campaigns.test_campaigns_api import _jpeg_with_gps
from tests.e2e.conftest import screenshot
from tests.e2e.live_data import live_session
from tests.factories import DEFAULT_PASSWORD, create_campaign, create_user
from tests.inkind.factories import create_need

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
LOCALES = {"en": "en-GB", "fr": "fr-FR"}


async def axe_violations(page) -> list[str]:
    results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        f"{page.url} [{v['id']}] {v['help']}: " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


async def page_width(page) -> int:
    return await page.evaluate("document.documentElement.scrollWidth")


async def log_in(page, url: str, email: str) -> None:
    await page.goto(f"{url}/login")
    await page.locator("#f-email").fill(email)
    await page.locator("#f-password").fill(DEFAULT_PASSWORD)
    await page.locator("form[action='/login'] button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))


async def test_organizer_adds_a_cover_and_previews_the_draft(live_server, browser, tmp_path):
    async with live_session(live_server) as session:
        await create_user(session, email="cover@example.org")
    photo = tmp_path / "shelter.jpg"
    photo.write_bytes(_jpeg_with_gps())
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_bytes(b"this is a text file")

    for lang, locale in LOCALES.items():
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        page = await context.new_page()
        await log_in(page, live_server.url, "cover@example.org")
        tag = f"coverriga{lang}"
        await page.goto(f"{live_server.url}/dashboard/campaigns/new")
        await page.locator("#f-hashtag").fill(tag)
        await page.locator("#f-title").fill("Diapers for 110 newborns in Riga")
        await page.locator("#f-beneficiary").fill("Riga infant shelter")
        await page.locator("#f-place").fill("Rīga, Latvia")
        await page.locator("#f-story").fill("The shelter needs **300 diapers** a day.")
        await page.locator("form[action='/dashboard/campaigns/new'] button.primary").click()
        await expect(page).to_have_url(re.compile(rf"/dashboard/c/{tag}/edit$"))
        await expect(page.locator("#f-time_zone")).to_have_value("Europe/Riga")

        # A file that is not an image: told next to the field, nothing else lost.
        await page.locator("#f-cover").set_input_files(str(not_an_image))
        await page.locator("form[action$='/cover'] button").click()
        await expect(page.locator("#f-cover-error")).to_be_visible()
        await expect(page.locator("#f-title")).to_have_value("Diapers for 110 newborns in Riga")
        await screenshot(page, f"dashboard-cover-error-{lang}")

        await page.locator("#f-cover").set_input_files(str(photo))
        await page.locator("form[action$='/cover'] button").click()
        await expect(page.locator("img.cover-preview")).to_be_visible()
        assert not await axe_violations(page)

        await page.locator(f"a[href='/dashboard/c/{tag}/preview']").first.click()
        await expect(page.locator(".preview-banner")).to_be_visible()
        await expect(page.locator("img.cover")).to_be_visible()
        await expect(page.locator(".team-nav")).to_have_count(0)
        assert await page.locator("meta[name=robots]").get_attribute("content") == (
            "noindex, nofollow"
        )
        await screenshot(page, f"dashboard-preview-desktop-{lang}")
        assert not await axe_violations(page)

        phone_context = await browser.new_context(**PHONE_390, locale=locale)
        phone = await phone_context.new_page()
        await log_in(phone, live_server.url, "cover@example.org")
        await phone.goto(f"{live_server.url}/dashboard/c/{tag}/preview")
        await expect(phone.locator(".preview-banner")).to_be_visible()
        await screenshot(phone, f"dashboard-preview-phone-{lang}")
        assert await page_width(phone) <= 390
        # The public does not see the draft at all.
        anonymous = await browser.new_context(locale=locale)
        visitor = await anonymous.new_page()
        response = await visitor.goto(f"{live_server.url}/h/{tag}")
        assert response.status == 404
        for opened in (anonymous, phone_context, context):
            await opened.close()


async def test_update_is_posted_with_its_photo_from_a_phone(live_server, browser, tmp_path):
    async with live_session(live_server) as session:
        owner = await create_user(session, email="photo@example.org")
        await create_campaign(session, owner, hashtag="photoriga")
    photo = tmp_path / "boxes.jpg"
    photo.write_bytes(_jpeg_with_gps())
    broken = tmp_path / "boxes.png"
    broken.write_bytes(b"\x89PNG but broken")

    for lang, locale in LOCALES.items():
        context = await browser.new_context(**PHONE_390, locale=locale)
        page = await context.new_page()
        await log_in(page, live_server.url, "photo@example.org")
        await page.goto(f"{live_server.url}/dashboard/c/photoriga/updates/new")
        await page.locator("#f-title").fill(f"Monday ({lang}): 1,200 diapers arrived")
        await page.locator("#f-body").fill("Thank you **all**.")
        await page.locator("#f-photo").set_input_files(str(broken))
        await page.locator("button[value=publish]").click()
        await expect(page.locator("#f-photo-error")).to_be_visible()
        await expect(page.locator("#f-title")).to_have_value(
            f"Monday ({lang}): 1,200 diapers arrived"
        )
        await screenshot(page, f"update-photo-error-phone-{lang}")
        assert await page_width(page) <= 390

        await page.locator("#f-photo").set_input_files(str(photo))
        await page.locator("#f-alt_text").fill("Boxes of diapers in the hall")
        await page.locator("button[value=publish]").click()
        await expect(page).to_have_url(re.compile(r"/updates/\d+$"))
        await expect(page.get_by_role("img", name="Boxes of diapers in the hall")).to_be_visible()
        await screenshot(page, f"update-photo-saved-phone-{lang}")

        await page.goto(f"{live_server.url}/h/photoriga/progress")
        image = page.get_by_role("img", name="Boxes of diapers in the hall").first
        await expect(image).to_be_visible()
        # Published at a time said in Riga's zone, not UTC.
        meta = page.locator(".update .meta time").first
        assert re.search(r" EES?T$", (await meta.inner_text()).strip())
        await context.close()


async def test_visitors_search_from_the_home_page(live_server, browser):
    async with live_session(live_server) as session:
        await create_campaign(
            session,
            hashtag="Palīdzēsim",
            title="Autiņbiksītes un piens Rīgā",
            beneficiary="Rīgas zīdaiņu nams",
            place="Rīga, Latvija",
        )
        await create_campaign(
            session,
            hashtag="MbourMilk",
            title="Milk for the Mbour shelter",
            beneficiary="Mbour baby shelter",
            place="Mbour, Senegal",
        )

    for lang, locale in LOCALES.items():
        context = await browser.new_context(**PHONE_390, locale=locale)
        page = await context.new_page()
        await page.goto(live_server.url)
        box = page.locator("#search-q")
        await box.fill("ZIDAINU nams")  # "zīdaiņu", typed without accents
        await box.press("Enter")
        await expect(page).to_have_url(re.compile(r"/search\?q=ZIDAINU"))
        cards = page.locator(".campaign-card h2")
        await expect(cards).to_have_text(["Autiņbiksītes un piens Rīgā"])
        await screenshot(page, f"search-results-phone-{lang}")
        assert await page_width(page) <= 390
        assert not await axe_violations(page)

        await page.locator("#search-q").fill("nothing like this")
        await page.locator("#search-q").press("Enter")
        await expect(page.locator("h1")).to_contain_text("nothing like this")
        await expect(page.locator(".empty")).to_be_visible()
        await screenshot(page, f"search-empty-phone-{lang}")

        await page.locator("#search-q").fill("#PALĪDZĒSIM")
        await page.locator("#search-q").press("Enter")
        await expect(page).to_have_url(re.compile(r"/h/Pal%C4%ABdz%C4%93sim$"))
        await context.close()


async def test_the_dashboard_navigation_fits_a_390px_phone(live_server, browser):
    async with live_session(live_server) as session:
        owner = await create_user(session, email="nav@example.org")
        campaign = await create_campaign(session, owner, hashtag="navriga")
        await create_need(session, campaign)

    for lang, locale in LOCALES.items():
        context = await browser.new_context(**PHONE_390, locale=locale)
        page = await context.new_page()
        await log_in(page, live_server.url, "nav@example.org")
        await screenshot(page, f"dashboard-cards-phone-{lang}")
        assert await page_width(page) <= 390
        for path in ("/goods/points", "/donations", "/updates", "/desk", "/edit"):
            await page.goto(f"{live_server.url}/dashboard/c/navriga{path}")
            nav = page.locator("nav.team-nav")
            await expect(nav).to_be_visible()
            current = nav.locator("a[aria-current=page]")
            await expect(current).to_have_count(1)
            assert await current.get_attribute("href") == f"/dashboard/c/navriga{path}"
            assert await page_width(page) <= 390, f"{path} scrolls sideways ({lang})"
            for box in [await link.bounding_box() for link in await nav.locator("a").all()]:
                assert box["height"] >= 24 and box["width"] >= 24, box
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        await screenshot(page, f"dashboard-nav-phone-{lang}")
        assert not await axe_violations(page)
        await page.goto(f"{live_server.url}/dashboard/c/navriga/goods/points")
        await screenshot(page, f"dashboard-nav-points-phone-{lang}")
        assert not await axe_violations(page)
        await page.goto(f"{live_server.url}/dashboard")
        assert not await axe_violations(page)
        await context.close()
