from sqlalchemy import func, select

from app.accounts.models import User, UserSession
from tests.factories import DEFAULT_PASSWORD, create_user, csrf_token, log_in, post_form


async def test_signup_logs_the_organizer_in(client, session):
    response = await post_form(
        client,
        "/signup",
        {"email": "Anna@Example.org", "password": DEFAULT_PASSWORD, "display_name": "Anna"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    cookie = response.headers["set-cookie"]
    assert "aidons_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    user = await session.scalar(select(User).where(User.email == "anna@example.org"))
    assert user is not None and user.password_hash.startswith("$argon2")
    dashboard = await client.get("/dashboard")
    assert dashboard.status_code == 200
    assert "My campaigns" in dashboard.text


async def test_signup_explains_each_problem_and_creates_nothing(client, session):
    await create_user(session, email="taken@example.org")
    response = await post_form(
        client, "/signup", {"email": "not-an-email", "password": "short", "display_name": ""}
    )
    assert response.status_code == 422
    assert "Enter a valid email address." in response.text
    assert "Use at least 10 characters." in response.text
    assert "Tell us your name" in response.text
    duplicate = await post_form(
        client,
        "/signup",
        {"email": "taken@example.org", "password": DEFAULT_PASSWORD, "display_name": "Bob"},
    )
    assert duplicate.status_code == 422
    assert "already exists" in duplicate.text
    assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_common_passwords_are_refused(client):
    response = await post_form(
        client,
        "/signup",
        {"email": "c@example.org", "password": "password123", "display_name": "C"},
    )
    assert "too easy to guess" in response.text


async def test_login_failure_does_not_say_which_part_was_wrong(client, session):
    await create_user(session, email="known@example.org")
    wrong_password = await post_form(
        client, "/login", {"email": "known@example.org", "password": "nope nope nope"}
    )
    unknown_email = await post_form(
        client, "/login", {"email": "unknown@example.org", "password": "nope nope nope"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert "Email or password is incorrect." in wrong_password.text
    assert "Email or password is incorrect." in unknown_email.text
    assert "aidons_session" not in wrong_password.headers.get("set-cookie", "")


async def test_logout_revokes_the_server_side_session(client, session):
    await create_user(session, email="out@example.org")
    await log_in(client, "out@example.org")
    stolen_cookie = client.cookies.get("aidons_session")
    response = await post_form(client, "/logout", {}, form_page="/dashboard")
    assert response.status_code == 303
    revoked = await session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.revoked_at.is_not(None))
    )
    assert revoked == 1
    client.cookies.set("aidons_session", stolen_cookie)
    again = await client.get("/dashboard")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/login?next=")


async def test_forms_without_a_valid_csrf_token_are_refused(client, session):
    await create_user(session, email="csrf@example.org")
    await csrf_token(client, "/login")  # the browser has a CSRF cookie...
    response = await client.post(
        "/login",
        data={"email": "csrf@example.org", "password": DEFAULT_PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "Traceback" not in response.text


async def test_login_redirects_only_within_the_site(client, session):
    await create_user(session, email="next@example.org")
    response = await post_form(
        client,
        "/login",
        {"email": "next@example.org", "password": DEFAULT_PASSWORD, "next": "https://evil.example"},
    )
    assert response.headers["location"] == "/dashboard"


async def test_successful_logins_do_not_count_toward_the_limit(client, session):
    # A team sharing one account at a drop-off point logs in again and again.
    await create_user(session, email="shared@example.org")
    for _ in range(15):
        response = await post_form(
            client, "/login", {"email": "shared@example.org", "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 303
        client.cookies.delete("aidons_session")
