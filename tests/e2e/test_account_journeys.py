"""Password reset and volunteer invitation, on a 390 px phone and a desktop, in English and
French: a real server with a mail server, real Chromium, screenshots and an axe check."""

import re

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect
from sqlalchemy import select

from app.inkind import volunteers
from app.outbox import OutboxEmail
from tests.dbutil import sibling_database_url
from tests.e2e.conftest import SCREENSHOTS, running_server, screenshot
from tests.e2e.live_data import live_session
from tests.factories import create_campaign, create_user
from tests.inkind.factories import create_point
from tests.smtp import running_smtp_server

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
WORDS = {
    "en": {
        "forgot": "Forgot password?", "email": "Email (required)", "send": "Send me a link",
        "check": "Check your email.", "new": "New password (required)",
        "save": "Save my new password", "saved": "Your new password is set.",
        "used": "This link was already used.", "ask": "Ask for a new link",
        "invites": "Anna Bērziņa invites you to log deliveries for #{tag}",
        "create": "Create a volunteer account", "name": "Your name (required)",
        "password": "Password (required)", "join": "Create my account and join",
        "welcome": "Welcome to the team of #{tag}!", "expired": "This invitation link expired on",
    },
    "fr": {
        "forgot": "Mot de passe oublié ?", "email": "E-mail (obligatoire)",
        "send": "M’envoyer un lien", "check": "Consultez vos e-mails.",
        "new": "Nouveau mot de passe (obligatoire)",
        "save": "Enregistrer mon nouveau mot de passe",
        "saved": "Votre nouveau mot de passe est enregistré.",
        "used": "Ce lien a déjà servi.", "ask": "Demander un nouveau lien",
        "invites": "Anna Bērziņa vous invite à enregistrer les dépôts pour #{tag}",
        "create": "Créer un compte bénévole", "name": "Votre nom (obligatoire)",
        "password": "Mot de passe (obligatoire)", "join": "Créer mon compte et rejoindre l’équipe",
        "welcome": "Bienvenue dans l’équipe de #{tag} !",
        "expired": "Ce lien d’invitation a expiré le",
    },
}  # fmt: skip
SCREENS = [("phone", PHONE_390, "en"), ("phone", PHONE_390, "fr"),
           ("desktop", DESKTOP, "en"), ("desktop", DESKTOP, "fr")]  # fmt: skip


@pytest.fixture(scope="module")
def mail_server(migrated_database):
    """The server with a mail server: reset and confirmation links are queued for it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with running_smtp_server() as smtp:
        url = sibling_database_url(migrated_database, "e2e_accounts")
        with running_server(url, SMTP_URL=smtp.url) as server:
            yield server


async def open_page(browser, options: dict, locale: str):
    context = await browser.new_context(**options, locale="fr-FR" if locale == "fr" else "en-GB")
    return context, await context.new_page()


async def check(page, name: str, width: int) -> None:
    """No horizontal scroll, no axe violation, and a screenshot to look at."""
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    await screenshot(page, name)


async def latest_link(server, to: str, path: str) -> str:
    async with live_session(server) as session:
        body = await session.scalar(
            select(OutboxEmail.body_text)
            .where(OutboxEmail.to_address == to)
            .order_by(OutboxEmail.id.desc())
            .limit(1)
        )
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", body).group(1)


@pytest.mark.parametrize(("device", "options", "locale"), SCREENS)
async def test_a_forgotten_password_is_reset_from_the_emailed_link(
    mail_server, browser, device, options, locale
):
    words, width = WORDS[locale], options["viewport"]["width"]
    email = f"reset-{device}-{locale}@example.org"
    async with live_session(mail_server) as session:
        await create_user(session, email=email, name="Līga")
    context, page = await open_page(browser, options, locale)
    try:
        await page.goto(f"{mail_server.url}/login")
        await page.get_by_role("link", name=words["forgot"]).click()
        await page.get_by_label(words["email"]).fill(email)
        await check(page, f"reset-1-ask-{device}-{locale}", width)
        await page.get_by_role("button", name=words["send"]).click()
        await expect(page.get_by_text(words["check"])).to_be_visible()
        await check(page, f"reset-2-sent-{device}-{locale}", width)

        link = await latest_link(mail_server, email, "/reset/")
        await page.goto(mail_server.url + link)
        await page.get_by_label(words["new"]).fill("short")
        await page.get_by_role("button", name=words["save"]).click()
        await check(page, f"reset-3-too-short-{device}-{locale}", width)
        await page.get_by_label(words["new"]).fill("three hundred bottles of milk")
        await page.get_by_role("button", name=words["save"]).click()
        await expect(page.get_by_text(words["saved"])).to_be_visible()
        assert page.url.endswith("/dashboard")
        await check(page, f"reset-4-done-{device}-{locale}", width)

        await page.goto(mail_server.url + link)
        await expect(page.get_by_text(words["used"])).to_be_visible()
        await expect(page.get_by_role("link", name=words["ask"])).to_be_visible()
        await check(page, f"reset-5-used-{device}-{locale}", width)
    finally:
        await context.close()


@pytest.mark.parametrize(("device", "options", "locale"), SCREENS)
async def test_an_invited_volunteer_signs_up_and_lands_on_the_desk(
    mail_server, browser, device, options, locale
):
    words, width = WORDS[locale], options["viewport"]["width"]
    tag = f"milk{device}{locale}"
    async with live_session(mail_server) as session:
        owner = await create_user(
            session, email=f"anna-{device}-{locale}@riga.example", name="Anna Bērziņa"
        )
        campaign = await create_campaign(session, owner=owner, hashtag=tag)
        await create_point(session, campaign)
        raw = await volunteers.create_invite(session, campaign, owner)
        stale = await volunteers.create_invite(session, campaign, owner)
        await volunteers.revoke_invite(
            session, campaign, (await volunteers.active_invites(session, campaign))[0].id
        )
    context, page = await open_page(browser, options, locale)
    try:
        await page.goto(f"{mail_server.url}/invite/{raw}")
        await expect(page.get_by_text(words["invites"].format(tag=tag))).to_be_visible()
        await expect(page.get_by_text("Riga shelter")).to_be_visible()
        await check(page, f"invite-1-landing-{device}-{locale}", width)
        await page.get_by_role("link", name=words["create"]).click()
        await expect(page.get_by_role("heading", name=words["create"])).to_be_visible()
        await page.get_by_label(words["name"]).fill("Inese")
        await page.get_by_label(words["email"]).fill(f"inese-{device}-{locale}@example.org")
        await page.get_by_label(words["password"]).fill("a long and happy password")
        await check(page, f"invite-2-signup-{device}-{locale}", width)
        await page.get_by_role("button", name=words["join"]).click()
        await expect(page.get_by_text(words["welcome"].format(tag=tag))).to_be_visible()
        assert page.url.endswith(f"/dashboard/c/{tag}/desk")
        await check(page, f"invite-3-desk-{device}-{locale}", width)

        await page.goto(f"{mail_server.url}/invite/{stale}")
        await expect(page.locator("h1")).to_have_count(1)
        await check(page, f"invite-4-revoked-{device}-{locale}", width)
    finally:
        await context.close()


@pytest.mark.parametrize(("device", "options", "locale"), SCREENS[::3])
async def test_the_account_page_on_a_phone_and_a_desktop(
    mail_server, browser, device, options, locale
):
    width = options["viewport"]["width"]
    email = f"account-{device}-{locale}@example.org"
    async with live_session(mail_server) as session:
        await create_user(session, email=email, name="Jānis")
    context, page = await open_page(browser, options, locale)
    try:
        await page.goto(f"{mail_server.url}/login")
        await page.locator("#f-email").fill(email)
        await page.locator("#f-password").fill("a long and happy password")
        await page.locator("form[action='/login'] button[type=submit]").click()
        await page.goto(f"{mail_server.url}/account")
        await page.locator("#f-token_name").fill("spreadsheet export")
        await page.locator("form[action='/account/tokens'] button").click()
        await expect(page.locator("#new-token")).to_have_value(re.compile("^aid_"))
        await check(page, f"account-{device}-{locale}", width)
    finally:
        await context.close()
