"""A volunteer invitation link says who invites you to what, and signing in or up accepts it."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Role, User
from app.campaigns.models import CampaignStatus, Membership
from app.db import utcnow
from app.inkind import volunteers
from app.inkind.models import VolunteerInvite
from tests.factories import DEFAULT_PASSWORD, create_campaign, create_user, log_in, post_form
from tests.inkind.factories import create_point


async def invitation(session, **campaign_fields):
    owner = await create_user(session, email="anna@riga.example", name="Anna Bērziņa")
    campaign = await create_campaign(session, owner=owner, **campaign_fields)
    await create_point(session, campaign)
    raw = await volunteers.create_invite(session, campaign, owner)
    return campaign, raw


async def role(session, email: str, campaign) -> str | None:
    return await session.scalar(
        select(Membership.role)
        .join(User)
        .where(User.email == email, Membership.campaign_id == campaign.id)
    )


async def test_the_link_says_who_invites_you_to_what_without_logging_in(client, session):
    _campaign, raw = await invitation(session)
    page = await client.get(f"/invite/{raw}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    assert (
        "Anna Bērziņa invites you to log deliveries for #palidzesim — "
        "Diapers and milk for 110 newborns"
    ) in page.text
    assert "Riga shelter" in page.text  # the drop-off point
    assert f'href="/login?invite={raw}"' in page.text and "Sign in to accept" in page.text
    assert f'href="/signup?invite={raw}"' in page.text and "Create a volunteer account" in page.text


async def test_signing_up_from_the_link_makes_a_volunteer_who_lands_on_the_desk(client, session):
    campaign, raw = await invitation(session)
    form = await client.get(f"/signup?invite={raw}")
    assert "Create a volunteer account" in form.text
    assert "You are joining #palidzesim as a volunteer" in form.text
    assert "people who run campaigns" not in form.text
    assert "organizer account" not in form.text
    assert f'name="invite" value="{raw}"' in form.text
    refused = await post_form(
        client, "/signup",
        {"email": "inese@example.org", "password": "short", "display_name": "Inese", "invite": raw},
    )  # fmt: skip
    assert refused.status_code == 422 and "You are joining #palidzesim" in refused.text
    done = await post_form(
        client, "/signup",
        {"email": "inese@example.org", "password": DEFAULT_PASSWORD, "display_name": "Inese",
         "invite": raw},
    )  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == "/dashboard/c/palidzesim/desk"
    assert await role(session, "inese@example.org", campaign) == Role.VOLUNTEER
    desk = await client.get("/dashboard/c/palidzesim/desk")
    assert desk.status_code == 200 and "Welcome to the team of #palidzesim!" in desk.text


async def test_signing_in_from_the_link_accepts_it(client, session):
    campaign, raw = await invitation(session)
    await create_user(session, email="janis@example.org", name="Jānis")
    login = await client.get(f"/login?invite={raw}")
    assert "Sign in to join #palidzesim" in login.text
    assert "Anna Bērziņa invites you" in login.text
    assert f'href="/signup?invite={raw}"' in login.text
    typo = {"email": "janis@example.org", "password": "nope nope nope", "invite": raw}
    wrong = await post_form(client, "/login", typo)
    assert wrong.status_code == 400 and f'name="invite" value="{raw}"' in wrong.text
    right = {"email": "janis@example.org", "password": DEFAULT_PASSWORD, "invite": raw}
    done = await post_form(client, "/login", right)
    assert done.headers["location"] == "/dashboard/c/palidzesim/desk"
    assert await role(session, "janis@example.org", campaign) == Role.VOLUNTEER
    invite = await session.scalar(select(VolunteerInvite))
    await session.refresh(invite)
    assert invite.accepted_count == 1


async def test_a_signed_in_person_joins_with_one_button_and_a_member_is_told(client, session):
    campaign, raw = await invitation(session)
    await create_user(session, email="maris@example.org", name="Māris")
    await log_in(client, "maris@example.org")
    page = await client.get(f"/invite/{raw}")
    assert "Join the team" in page.text and "You are signed in as Māris" in page.text
    joined = await post_form(client, f"/invite/{raw}", {}, f"/invite/{raw}")
    assert joined.headers["location"] == "/dashboard/c/palidzesim/desk"
    again = await client.get(f"/invite/{raw}")
    assert "You are already on the team of #palidzesim." in again.text
    assert 'href="/dashboard/c/palidzesim/desk"' in again.text
    # The organizer opening their own link is a member too: no second membership.
    client.cookies.clear()
    await log_in(client, "anna@riga.example")
    assert "already on the team" in (await client.get(f"/invite/{raw}")).text
    assert await role(session, "anna@riga.example", campaign) == Role.OWNER


async def test_expired_revoked_closed_and_unknown_links_each_say_why(client, session):
    campaign, raw = await invitation(session)
    invite = await session.scalar(select(VolunteerInvite))
    invite.expires_at = utcnow() - timedelta(minutes=1)
    await session.commit()
    expired = await client.get(f"/invite/{raw}")
    assert expired.status_code == 410 and "This invitation link expired on" in expired.text
    assert "Ask Anna Bērziņa for a new link." in expired.text
    assert 'href="/h/palidzesim"' in expired.text
    # Following the sign-in link of a dead invitation leads back to this explanation.
    login = await client.get(f"/login?invite={raw}")
    assert login.status_code == 303 and login.headers["location"] == f"/invite/{raw}"

    invite.expires_at = utcnow() + timedelta(days=1)
    invite.revoked_at = utcnow()
    await session.commit()
    revoked = await client.get(f"/invite/{raw}")
    assert revoked.status_code == 410 and "withdrew this invitation" in revoked.text

    invite.revoked_at = None
    from app.campaigns import service as campaigns

    await session.refresh(campaign)
    await campaigns.change_status(session, campaign, CampaignStatus.CLOSED)
    await session.commit()
    closed = await client.get(f"/invite/{raw}")
    assert closed.status_code == 410 and "it no longer takes volunteers" in closed.text

    unknown = await client.get("/invite/not-a-real-link")
    assert unknown.status_code == 404 and "This invitation link is not valid." in unknown.text


async def test_an_invitation_that_dies_during_signup_still_creates_the_account(client, session):
    campaign, raw = await invitation(session)
    form_token_page = f"/signup?invite={raw}"
    from tests.factories import csrf_token

    token = await csrf_token(client, form_token_page)
    invite = await session.scalar(select(VolunteerInvite))
    invite.revoked_at = utcnow()
    await session.commit()
    response = await client.post(
        "/signup",
        data={"email": "lat@example.org", "password": DEFAULT_PASSWORD, "display_name": "Late",
              "invite": raw, "csrf_token": token},
    )  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == f"/invite/{raw}"
    assert await role(session, "lat@example.org", campaign) is None
    page = await client.get(f"/invite/{raw}")
    assert "withdrew this invitation" in page.text
