"""New accounts confirm their address by a link; a change of address waits for its link."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import AccountToken, User
from app.db import utcnow
from tests.accounts.mail import link_in, queued
from tests.factories import DEFAULT_PASSWORD, create_user, log_in, post_form


async def sign_up(client, email="new@example.org"):
    return await post_form(
        client, "/signup", {"email": email, "password": DEFAULT_PASSWORD, "display_name": "Nora"}
    )


async def test_signup_sends_a_link_that_confirms_the_address(client, session, smtp_server):
    assert (await sign_up(client)).status_code == 303
    dashboard = await client.get("/dashboard")
    assert "Your email address new@example.org is not confirmed yet" in dashboard.text
    [message] = await queued(session)
    assert message.to_address == "new@example.org"
    assert message.subject == "Confirm your email address for Aidons"
    link = link_in(message, "/verify-email/")
    followed = await client.get(link)
    assert followed.status_code == 303 and followed.headers["location"] == "/account"
    account = await client.get("/account")
    assert "Thank you: your email address is confirmed." in account.text
    assert "email not verified" not in account.text
    user = await session.scalar(select(User).where(User.email == "new@example.org"))
    await session.refresh(user)
    assert user.email_verified
    assert "not confirmed yet" not in (await client.get("/dashboard")).text
    again = await client.get(link)
    assert again.status_code == 410 and "already used" in again.text


async def test_unverified_account_sees_a_resend_button_limited_per_hour(
    client, session, smtp_server
):
    await sign_up(client, "resend@example.org")
    account = await client.get("/account")
    assert "email not verified" in account.text and "Resend the confirmation link" in account.text
    for _ in range(3):
        sent = await post_form(client, "/account/verify/resend", {}, "/account")
        assert sent.status_code == 303
    assert len(await queued(session, "resend@example.org")) == 4  # the signup's and three more
    refused = await post_form(client, "/account/verify/resend", {}, "/account")
    assert refused.status_code == 303
    assert "several links in the last hour" in (await client.get("/account")).text
    assert len(await queued(session, "resend@example.org")) == 4
    # Any of the links works; the others are spent with it.
    links = [link_in(m, "/verify-email/") for m in await queued(session)]
    assert (await client.get(links[1])).status_code == 303
    assert (await client.get(links[3])).status_code == 410


async def test_an_expired_link_offers_a_new_one(client, session, smtp_server):
    await sign_up(client, "slow@example.org")
    link = link_in((await queued(session))[0], "/verify-email/")
    token = await session.scalar(select(AccountToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    await session.commit()
    response = await client.get(link)
    assert response.status_code == 410 and "This link has expired." in response.text
    assert 'href="/account"' in response.text


async def test_a_new_address_is_used_only_once_its_link_is_followed(client, session, smtp_server):
    user = await create_user(session, email="old@example.org")
    await create_user(session, email="taken@example.org")
    await log_in(client, "old@example.org")
    wrong = await post_form(
        client, "/account/email",
        {"email": "new@example.org", "current_password": "not my password"}, "/account",
    )  # fmt: skip
    assert wrong.status_code == 422 and "This is not your current password." in wrong.text
    assert 'value="new@example.org"' in wrong.text
    taken = await post_form(
        client, "/account/email",
        {"email": "taken@example.org", "current_password": DEFAULT_PASSWORD}, "/account",
    )  # fmt: skip
    assert taken.status_code == 422 and "Another account already uses" in taken.text
    asked = await post_form(
        client, "/account/email",
        {"email": "New@Example.org", "current_password": DEFAULT_PASSWORD}, "/account",
    )  # fmt: skip
    assert asked.status_code == 303
    page = await client.get("/account")
    assert "Waiting for you to follow the link sent to new@example.org" in page.text
    await session.refresh(user)
    assert user.email == "old@example.org"
    [message] = await queued(session, "new@example.org")
    assert (await client.get(link_in(message, "/verify-email/"))).status_code == 303
    await session.refresh(user)
    assert user.email == "new@example.org" and user.email_verified
    [notice] = await queued(session, "old@example.org")
    assert "now uses new@example.org instead of old@example.org" in notice.body_text
    assert "Your account now uses new@example.org." in (await client.get("/account")).text
    client.cookies.clear()
    await log_in(client, "new@example.org")


async def test_accounts_made_by_the_server_are_verified(session):
    from app.accounts import service
    from app.demo import DEMO_EMAIL, load_demo

    user, _created = await load_demo(session)
    assert user.email == DEMO_EMAIL and user.email_verified
    made = await service.sign_up(session, "cli@example.org", DEFAULT_PASSWORD, "CLI", verified=True)
    assert made.email_verified


async def test_without_a_mail_server_nobody_is_asked_to_confirm(client, session):
    await sign_up(client, "quiet@example.org")
    assert "not confirmed yet" not in (await client.get("/dashboard")).text
    account = await client.get("/account")
    assert "cannot be confirmed by a link" in account.text
    assert "Resend the confirmation link" not in account.text
