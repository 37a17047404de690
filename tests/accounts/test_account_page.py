"""The account page: name, password, signed-in devices and API tokens."""

import re

from sqlalchemy import select

from app.accounts.devices import device_summary
from app.accounts.models import ApiToken, User
from tests.factories import DEFAULT_PASSWORD, api_token, create_user, log_in, post_form

FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


async def test_the_account_page_needs_a_login_and_is_linked_from_the_header(client, session):
    response = await client.get("/account")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/account"
    await create_user(session, email="me@example.org")
    await log_in(client, "me@example.org")
    page = await client.get("/dashboard")
    assert 'href="/account"' in page.text and "My account" in page.text
    account = await client.get("/account")
    assert account.headers["cache-control"] == "private, no-store"
    assert "me@example.org" in account.text


async def test_change_name_keeps_what_was_typed_when_refused(client, session):
    user = await create_user(session, email="name@example.org")
    await log_in(client, "name@example.org")
    empty = await post_form(client, "/account/name", {"display_name": "   "}, "/account")
    assert empty.status_code == 422 and "Tell us your name" in empty.text
    saved = await post_form(
        client, "/account/name", {"display_name": " Riga  shelter "}, "/account"
    )
    assert saved.status_code == 303
    await session.refresh(user)
    assert user.display_name == "Riga shelter"
    assert "Your name is saved." in (await client.get("/account")).text


async def test_change_password_asks_the_current_one_and_signs_out_the_others(
    client, client_at, session
):
    await create_user(session, email="pw@example.org")
    async with client_at("203.0.113.20") as phone:
        await log_in(phone, "pw@example.org")
        await log_in(client, "pw@example.org")
        wrong = await post_form(
            client, "/account/password",
            {"current_password": "not it at all", "new_password": "a brand new sentence"},
            "/account",
        )  # fmt: skip
        assert wrong.status_code == 422 and "This is not your current password." in wrong.text
        weak = await post_form(
            client, "/account/password",
            {"current_password": DEFAULT_PASSWORD, "new_password": "short"}, "/account",
        )  # fmt: skip
        assert weak.status_code == 422 and "Use at least 10 characters." in weak.text
        assert (await phone.get("/account")).status_code == 200  # nothing changed yet
        done = await post_form(
            client, "/account/password",
            {"current_password": DEFAULT_PASSWORD, "new_password": "a brand new sentence"},
            "/account",
        )  # fmt: skip
        assert done.status_code == 303
        assert (await client.get("/account")).status_code == 200  # this device stays in
        assert (await phone.get("/account")).status_code == 303  # the other one is out
    client.cookies.clear()
    await log_in(client, "pw@example.org", "a brand new sentence")


async def test_sessions_are_listed_with_this_device_and_can_be_revoked(client, client_at, session):
    await create_user(session, email="devices@example.org")
    async with client_at("203.0.113.21") as phone, client_at("203.0.113.22") as tablet:
        phone.headers["user-agent"] = FIREFOX_ANDROID
        tablet.headers["user-agent"] = SAFARI_IPHONE
        await log_in(phone, "devices@example.org")
        await log_in(tablet, "devices@example.org")
        await log_in(client, "devices@example.org")
        page = (await client.get("/account")).text
        assert "Firefox on Android" in page and "Safari on iPhone" in page
        assert page.count("this device") == 1
        revoke_paths = re.findall(r'action="(/account/sessions/\d+/revoke)"', page)
        assert len(revoke_paths) == 2  # not this device: it has "Log out"
        # This device first, then the others newest first: the tablet, then the phone.
        _tablet_path, phone_path = revoke_paths
        response = await post_form(client, phone_path, {}, "/account")
        assert response.status_code == 303
        assert (await phone.get("/account")).status_code == 303
        assert (await tablet.get("/account")).status_code == 200
        again = await post_form(client, phone_path, {}, "/account")
        assert again.status_code == 404
        everywhere = await post_form(client, "/account/sessions/revoke-others", {}, "/account")
        assert everywhere.status_code == 303
        assert (await tablet.get("/account")).status_code == 303
        still_in = await client.get("/account")
        assert still_in.status_code == 200 and "Every other device is signed out." in still_in.text


async def test_one_cannot_revoke_someone_elses_session(client, client_at, session):
    await create_user(session, email="a@example.org")
    await create_user(session, email="b@example.org")
    async with client_at("203.0.113.23") as other:
        await log_in(other, "b@example.org")
        other_page = (await other.get("/account")).text
        [] = re.findall(r'action="(/account/sessions/\d+/revoke)"', other_page)
        await log_in(client, "a@example.org")
        from app.accounts.models import UserSession

        b_session = await session.scalar(
            select(UserSession).join(User).where(User.email == "b@example.org")
        )
        response = await post_form(
            client, f"/account/sessions/{b_session.id}/revoke", {}, "/account"
        )
        assert response.status_code == 404
        assert (await other.get("/account")).status_code == 200


async def test_api_tokens_are_created_shown_once_and_revoked(client, session):
    await create_user(session, email="tokens@example.org")
    await log_in(client, "tokens@example.org")
    assert "No API token yet." in (await client.get("/account")).text
    created = await post_form(client, "/account/tokens", {"token_name": "CSV export"}, "/account")
    assert created.status_code == 201
    secret = re.search(r'id="new-token" type="text" value="(aid_[^"]+)"', created.text).group(1)
    assert "it will not be shown again" in created.text
    assert created.headers["cache-control"] == "private, no-store"
    listed = (await client.get("/account")).text
    assert "CSV export" in listed and f"{secret[:10]}…" in listed and secret not in listed
    headers = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/v1/tokens", headers=headers)).status_code == 200
    token = await session.scalar(select(ApiToken))
    revoked = await post_form(client, f"/account/tokens/{token.id}/revoke", {}, "/account")
    assert revoked.status_code == 303
    assert (await client.get("/api/v1/tokens", headers=headers)).status_code == 401
    assert "No API token yet." in (await client.get("/account")).text


async def test_the_api_lists_and_revokes_the_accounts_own_tokens(client, session):
    user = await create_user(session, email="api-list@example.org")
    other = await create_user(session, email="other@example.org")
    headers = await api_token(session, user)
    await api_token(session, user)
    foreign = await api_token(session, other)
    listed = await client.get("/api/v1/tokens", headers=headers)
    assert listed.status_code == 200
    body = listed.json()
    assert len(body) == 2 and {t["name"] for t in body} == {"tests"}
    assert all(t["prefix"].startswith("aid_") and len(t["prefix"]) == 10 for t in body)
    assert all("token" not in t and "token_hash" not in t for t in body)
    foreign_id = (await client.get("/api/v1/tokens", headers=foreign)).json()[0]["id"]
    refused = await client.delete(f"/api/v1/tokens/{foreign_id}", headers=headers)
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    in_use = headers["Authorization"].removeprefix("Bearer ")[:10]
    [spare] = [t["id"] for t in body if t["prefix"] != in_use]
    assert (await client.delete(f"/api/v1/tokens/{spare}", headers=headers)).status_code == 204
    remaining = (await client.get("/api/v1/tokens", headers=headers)).json()
    assert [t["prefix"] for t in remaining] == [in_use]


def test_device_summaries_read_like_a_person_would_say_them():
    assert device_summary(FIREFOX_ANDROID) == "Firefox on Android"
    assert device_summary(SAFARI_IPHONE) == "Safari on iPhone"
    edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36 Edg/126.0"
    assert device_summary(edge) == "Edge on Windows"
    assert device_summary("") == "Unknown device"
    assert device_summary("curl/8.5.0") == "curl/8.5.0"
