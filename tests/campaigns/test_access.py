"""campaigns/access.py: roles → capabilities, and what each member sees of the team pages."""

import re
from pathlib import Path

import pytest

from app.accounts.models import Role
from app.campaigns import access
from app.campaigns.access import CAPABILITIES, UpdatePolicy, capabilities
from app.campaigns.models import CampaignStatus, Membership
from tests.factories import api_token, create_campaign, create_user, log_in

ROOT = Path(__file__).resolve().parents[2]


def test_organizers_may_do_everything_volunteers_only_the_desk():
    for role in (Role.OWNER, Role.ORGANIZER):
        assert capabilities(role) == set(CAPABILITIES)
    volunteer = capabilities(Role.VOLUNTEER)
    assert volunteer == {"can_see_team_pages", "can_log_deliveries", "can_see_private_receipts"}
    assert capabilities(None) == set()


@pytest.mark.parametrize(
    ("policy", "post", "publish"),
    [
        (UpdatePolicy(volunteers_can_post=False), False, False),
        (UpdatePolicy(volunteers_can_post=True, volunteer_posts_need_approval=True), True, False),
        (UpdatePolicy(volunteers_can_post=True, volunteer_posts_need_approval=False), True, True),
    ],
)
def test_the_campaigns_update_settings_decide_what_volunteers_may_post(policy, post, publish):
    granted = capabilities(Role.VOLUNTEER, policy)
    assert ("can_post_update" in granted, "can_publish_update" in granted) == (post, publish)
    assert "can_approve_updates" not in granted and "can_edit_any_update" not in granted
    # Organizers never depend on the settings.
    assert capabilities(Role.ORGANIZER, policy) == set(CAPABILITIES)


def test_an_unknown_capability_is_a_programming_error():
    viewer = access.CampaignAccess(campaign=None, user=None, role=None)
    with pytest.raises(KeyError):
        viewer.has("can_fly")


def test_only_the_access_module_compares_roles():
    """Routers, services and templates read capabilities, never role names."""
    compare = re.compile(
        r"\brole\s*[!=]=|\brole\s+(?:not\s+)?in\s+[\(\{\[\w]+\.|\brole\s+(?:not\s+)?in\s+[\(\{\[]"
        r"|\w*_ROLES\b|Role\.\w+\s*[!=]=|[!=]=\s*Role\."
    )
    allowed = {ROOT / "app" / "campaigns" / "access.py"}
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for pattern in ("app/**/*.py", "templates/**/*.html")
        for path in ROOT.glob(pattern)
        if path not in allowed
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if compare.search(line)
    ]
    assert offenders == []


async def _volunteer(session, hashtag="palidzesim", status=CampaignStatus.LIVE):
    campaign = await create_campaign(session, hashtag=hashtag, status=status)
    volunteer = await create_user(session, email="volunteer@example.org", name="Jānis")
    session.add(Membership(campaign_id=campaign.id, user_id=volunteer.id, role=Role.VOLUNTEER))
    await session.flush()
    return volunteer


async def test_a_volunteer_sees_the_desk_but_no_organizer_link_or_page(client, session):
    await _volunteer(session)
    await log_in(client, "volunteer@example.org")
    dashboard = (await client.get("/dashboard")).text
    assert "/dashboard/c/palidzesim/desk" in dashboard
    assert "/dashboard/c/palidzesim/edit" not in dashboard
    desk = (await client.get("/dashboard/c/palidzesim/desk")).text
    for organizer_page in ("/goods/points", "/goods/volunteers", "/edit", "/goods"):
        assert f'href="/dashboard/c/palidzesim{organizer_page}"' not in desk
    for path in (
        "/dashboard/c/palidzesim/edit",
        "/dashboard/c/palidzesim/goods",
        "/dashboard/c/palidzesim/goods/volunteers",
        "/dashboard/c/palidzesim/goods/pledges.csv",
        "/dashboard/c/palidzesim/donations",
        "/dashboard/c/palidzesim/donations.csv",
        "/dashboard/c/palidzesim/donations/offline",
        "/dashboard/c/palidzesim/expenses",
    ):
        assert (await client.get(path)).status_code == 403, path
    # Updates: the team list is open to them, writing only when the organizers allow it.
    updates = await client.get("/dashboard/c/palidzesim/updates")
    assert updates.status_code == 200 and "/updates/new" not in updates.text
    assert "/updates/settings" not in updates.text
    assert (await client.get("/dashboard/c/palidzesim/updates/new")).status_code == 403


async def test_the_organizer_sees_every_team_link(client, session):
    await create_campaign(session)
    await log_in(client, "owner-palidzesim@example.org")
    desk = (await client.get("/dashboard/c/palidzesim/desk")).text
    for page in ("/goods", "/goods/points", "/goods/volunteers", "/edit"):
        assert f'href="/dashboard/c/palidzesim{page}"' in desk
    updates = (await client.get("/dashboard/c/palidzesim/updates")).text
    assert "/updates/new" in updates and "/updates/settings" in updates


async def test_a_draft_is_not_found_outside_its_team_and_forbidden_pages_stay_403(client, session):
    volunteer = await _volunteer(session, hashtag="quietdraft", status=CampaignStatus.DRAFT)
    await create_campaign(session, hashtag="livecampaign")
    stranger = await create_user(session, email="stranger@example.org")
    stranger_headers = await api_token(session, stranger)
    volunteer_headers = await api_token(session, volunteer)

    assert (await client.get("/h/quietdraft")).status_code == 404
    assert (await client.get("/api/v1/campaigns/quietdraft")).status_code == 404
    response = await client.get("/api/v1/campaigns/quietdraft", headers=stranger_headers)
    assert response.status_code == 404
    assert (await client.get("/api/v1/campaigns/quietdraft", headers=volunteer_headers)).json()[
        "hashtag"
    ] == "quietdraft"
    await log_in(client, "stranger@example.org")
    assert (await client.get("/dashboard/c/quietdraft/desk")).status_code == 404
    assert (await client.get("/dashboard/c/livecampaign/desk")).status_code == 403
    assert (await client.get("/dashboard/c/livecampaign/updates")).status_code == 403
    refund = await client.post(
        "/api/v1/donations/999999/refunds", json={"amount_minor": 1}, headers=stranger_headers
    )
    assert refund.status_code == 404
