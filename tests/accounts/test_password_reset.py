"""Forgot password: a single-use link by email, the same answer for every address."""

from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import AccountToken, UserSession
from app.db import utcnow
from app.outbox import deliver_due
from tests.accounts.mail import link_in, queued
from tests.factories import DEFAULT_PASSWORD, create_user, log_in, post_form

NEW_PASSWORD = "three hundred bottles of milk"


async def ask_reset(client, email: str):
    return await post_form(client, "/forgot-password", {"email": email})


async def test_the_login_page_leads_to_the_reset_form(client, smtp_server):
    login = await client.get("/login")
    assert 'href="/forgot-password"' in login.text and "Forgot password?" in login.text
    form = await client.get("/forgot-password?email=anna@example.org")
    assert form.status_code == 200 and 'value="anna@example.org"' in form.text


async def test_known_and_unknown_addresses_get_the_same_answer(
    client, session, smtp_server, sessionmaker
):
    await create_user(session, email="anna@example.org")
    known = await ask_reset(client, "Anna@Example.org")
    unknown = await ask_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    # Same browser, same page: only the address typed differs.
    assert known.text.replace("Anna@Example.org", "X") == unknown.text.replace(
        "nobody@example.org", "X"
    )
    assert "Check your email." in known.text
    [message] = await queued(session)
    assert message.to_address == "anna@example.org"
    assert message.subject == "Reset your Aidons password"
    stored = await session.scalar(select(AccountToken))
    assert stored.token_hash not in message.body_text  # only the hash is kept
    assert link_in(message, "/reset/").removeprefix("/reset/") not in stored.token_hash
    # The mail server is only called later, by the outbox job.
    assert smtp_server.messages == []
    await session.commit()
    assert await deliver_due(sessionmaker) == 1
    assert smtp_server.messages[0]["To"] == "anna@example.org"


async def test_a_reset_link_sets_the_password_once_and_signs_out_everywhere(
    client, client_at, session, smtp_server
):
    user = await create_user(session, email="reset@example.org")
    async with client_at("203.0.113.50") as laptop:
        await log_in(laptop, "reset@example.org")
        await ask_reset(client, "reset@example.org")
        await ask_reset(client, "reset@example.org")
        first, second = [link_in(m, "/reset/") for m in await queued(session)]

        form = await client.get(second)
        assert form.status_code == 200 and "Choose a new password" in form.text
        assert form.headers["cache-control"] == "private, no-store"
        too_short = await post_form(client, second, {"password": "short"}, second)
        assert too_short.status_code == 422 and "Use at least 10 characters." in too_short.text
        done = await post_form(client, second, {"password": NEW_PASSWORD}, second)
        assert done.status_code == 303 and done.headers["location"] == "/dashboard"
        assert "aidons_session=" in done.headers["set-cookie"]
        dashboard = await client.get("/dashboard")
        assert "Your new password is set." in dashboard.text

        # The laptop that was signed in is signed out; the new password works, the old one not.
        assert (await laptop.get("/dashboard")).status_code == 303
        await session.refresh(user)
        assert user.email_verified  # following the link proved the address
    for link in (second, first):  # used, and its sibling spent with it
        again = await client.get(link)
        assert again.status_code == 410
        assert "This link was already used." in again.text
        assert 'href="/forgot-password"' in again.text
    client.cookies.clear()
    old = {"email": "reset@example.org", "password": DEFAULT_PASSWORD}
    refused = await post_form(client, "/login", old)
    assert refused.status_code == 400
    await log_in(client, "reset@example.org", NEW_PASSWORD)


async def test_an_expired_or_unknown_link_says_so_and_offers_a_new_one(
    client, session, smtp_server
):
    await create_user(session, email="late@example.org")
    await ask_reset(client, "late@example.org")
    [message] = await queued(session)
    link = link_in(message, "/reset/")
    token = await session.scalar(select(AccountToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    await session.commit()
    expired = await client.get(link)
    assert expired.status_code == 410 and "a password reset link works for one hour" in expired.text
    posted = await post_form(client, link, {"password": NEW_PASSWORD}, "/forgot-password")
    assert posted.status_code == 410
    unknown = await client.get("/reset/not-a-real-token")
    assert unknown.status_code == 404 and "This link is not valid." in unknown.text
    assert "Ask for a new link" in unknown.text


async def test_reset_requests_are_limited_per_address_and_per_client(
    client, client_at, session, smtp_server
):
    await create_user(session, email="flood@example.org")
    for _ in range(5):
        response = await ask_reset(client, "flood@example.org")
        assert response.status_code == 200 and "Check your email." in response.text
    # Three emails an hour at most for one address: nobody fills a stranger's inbox.
    assert len(await queued(session, "flood@example.org")) == 3
    async with client_at("198.51.100.60") as bot:
        statuses = [(await ask_reset(bot, f"x{i}@example.org")).status_code for i in range(21)]
    assert statuses == [200] * 20 + [429]


async def test_a_malformed_address_is_pointed_out(client, smtp_server):
    response = await ask_reset(client, "not an email")
    assert response.status_code == 422 and "Enter a valid email address." in response.text


async def test_without_a_mail_server_the_page_says_who_can_help(client, session):
    await create_user(session, email="nomail@example.org")
    page = await client.get("/forgot-password")
    assert "not set up to send email" in page.text and 'action="/forgot-password"' not in page.text
    assert await session.scalar(select(func.count()).select_from(AccountToken)) == 0


async def test_sessions_of_other_accounts_are_untouched(client, session, smtp_server):
    await create_user(session, email="one@example.org")
    await create_user(session, email="two@example.org")
    async with _logged_in(client, "two@example.org"):
        pass
    await ask_reset(client, "one@example.org")
    link = link_in((await queued(session))[0], "/reset/")
    await post_form(client, link, {"password": NEW_PASSWORD}, link)
    open_sessions = await session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.revoked_at.is_(None))
    )
    assert open_sessions == 2  # two@'s session, and the new one of one@


class _logged_in:
    def __init__(self, client, email):
        self.client, self.email = client, email

    async def __aenter__(self):
        await log_in(self.client, self.email)

    async def __aexit__(self, *exc):
        self.client.cookies.delete("aidons_session")
