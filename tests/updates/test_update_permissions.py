"""Who may change a field update once volunteers may post and their posts need approval.

A volunteer may change only their own updates that are not public yet (draft, waiting for
approval); an edit or a photo never goes public without an organizer. Organizers change anything.
"""

from io import BytesIO

import pytest
from httpx import ASGITransport, AsyncClient
from PIL import Image
from sqlalchemy import select

from app.accounts.models import Role
from app.campaigns.models import Membership
from app.updates.models import CampaignUpdateSettings, FieldUpdate, UpdatePhoto
from tests.factories import api_token, create_campaign, create_user, log_in, post_form

TAG = "palidzesim"


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (800, 600), "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
async def other_client(app):
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _team(session, *, need_approval=True):
    owner = await create_user(session, email="owner@example.org", name="Anna Organizer")
    campaign = await create_campaign(session, owner=owner, hashtag=TAG)
    headers = {"owner": await api_token(session, owner)}
    for name in ("volunteer", "other"):
        user = await create_user(session, email=f"{name}@example.org", name=name.title())
        session.add(Membership(campaign_id=campaign.id, user_id=user.id, role=Role.VOLUNTEER))
        headers[name] = await api_token(session, user)
    session.add(
        CampaignUpdateSettings(
            campaign_id=campaign.id,
            volunteers_can_post=True,
            volunteer_posts_need_approval=need_approval,
        )
    )
    await session.flush()
    return headers


async def _post(client, headers, title, publish=True) -> dict:
    response = await client.post(
        f"/api/v1/campaigns/{TAG}/updates",
        json={"title": title, "body": "Original text", "publish": publish},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _approve(owner_client, update_id: int) -> None:
    page = f"/dashboard/c/{TAG}/updates/{update_id}"
    response = await post_form(owner_client, f"{page}/status", {"action": "publish"}, page)
    assert response.status_code == 303, response.text


async def _edit(client, update_id: int, title: str, form_page: str | None = None):
    page = f"/dashboard/c/{TAG}/updates/{update_id}"
    return await post_form(
        client,
        page,
        {"title": title, "body": "Changed text", "video_url": ""},
        form_page=form_page or f"/dashboard/c/{TAG}/updates",
    )


async def _photo_page(client, update_id: int):
    page = f"/dashboard/c/{TAG}/updates/{update_id}"
    return await post_form(
        client,
        f"{page}/photos",
        {"alt_text": "Boxes"},
        form_page=f"/dashboard/c/{TAG}/updates",
        files={"photo": ("p.png", _png(), "image/png")},
    )


async def _photo_api(client, headers, update_id: int):
    return await client.post(
        f"/api/v1/campaigns/{TAG}/updates/{update_id}/photos",
        files={"photo": ("p.png", _png(), "image/png")},
        data={"alt_text": "Boxes"},
        headers=headers,
    )


async def _row(session, update_id: int) -> FieldUpdate:
    session.expire_all()
    return await session.scalar(select(FieldUpdate).where(FieldUpdate.id == update_id))


async def _photos(session, update_id: int) -> int:
    return len(list(await session.scalars(select(UpdatePhoto.id).filter_by(update_id=update_id))))


async def test_a_volunteer_cannot_change_what_is_already_public(client, other_client, session):
    headers = await _team(session)
    own = await _post(client, headers["volunteer"], "From the drop-off point")
    assert own["status"] == "pending"
    theirs = await _post(client, headers["owner"], "Milk bought")
    assert theirs["status"] == "published"
    await log_in(other_client, "owner@example.org")
    await _approve(other_client, own["id"])
    assert (await _row(session, own["id"])).status == "published"

    await log_in(client, "volunteer@example.org")
    for update_id in (own["id"], theirs["id"]):
        refused = await _edit(client, update_id, "Rewritten after approval")
        assert refused.status_code == 403, update_id
        assert "organizer" in refused.text
        assert (await _photo_page(client, update_id)).status_code == 403
        api = await _photo_api(client, headers["volunteer"], update_id)
        assert api.status_code == 403, api.text
        assert "organizer" in api.json()["detail"]
        row = await _row(session, update_id)
        assert row.title != "Rewritten after approval" and row.body_md == "Original text"
        assert await _photos(session, update_id) == 0

    public = (await client.get(f"/api/v1/campaigns/{TAG}/updates")).json()
    assert sorted(u["title"] for u in public) == ["From the drop-off point", "Milk bought"]
    assert all(u["photos"] == [] for u in public)

    # The edit page of a published update offers a volunteer neither the form nor photos.
    page = (await client.get(f"/dashboard/c/{TAG}/updates/{own['id']}")).text
    assert "Save changes" not in page and "Add the photo" not in page


async def test_a_volunteer_changes_only_their_own_updates_before_approval(
    client, other_client, session
):
    headers = await _team(session)
    own = await _post(client, headers["volunteer"], "Pending news")
    draft = await _post(client, headers["volunteer"], "Draft news", publish=False)
    others = await _post(client, headers["other"], "Someone else's news")
    owner_draft = await _post(client, headers["owner"], "Owner's draft", publish=False)
    await log_in(client, "volunteer@example.org")

    for update_id in (own["id"], draft["id"]):
        edited = await _edit(client, update_id, "Better title")
        assert edited.status_code == 303, edited.text
        assert (await _photo_page(client, update_id)).status_code == 303
    assert (await _photo_api(client, headers["volunteer"], own["id"])).status_code == 201
    pending = await _row(session, own["id"])
    assert (pending.title, pending.status) == ("Better title", "pending")  # still needs approval
    assert (await _row(session, draft["id"])).status == "draft"

    for update_id in (others["id"], owner_draft["id"]):
        assert (await _edit(client, update_id, "Hijacked")).status_code == 403
        assert (await _photo_page(client, update_id)).status_code == 403
        assert (await _photo_api(client, headers["volunteer"], update_id)).status_code == 403
        publish = await post_form(
            client,
            f"/dashboard/c/{TAG}/updates/{update_id}/status",
            {"action": "publish"},
            form_page=f"/dashboard/c/{TAG}/updates",
        )
        assert publish.status_code == 403
        row = await _row(session, update_id)
        assert row.title != "Hijacked" and row.status in ("draft", "pending")
        assert await _photos(session, update_id) == 0

    # Publishing their own draft sends it for approval; nothing is public yet.
    submitted = await post_form(
        client,
        f"/dashboard/c/{TAG}/updates/{draft['id']}/status",
        {"action": "publish"},
        form_page=f"/dashboard/c/{TAG}/updates",
    )
    assert submitted.status_code == 303
    assert (await _row(session, draft["id"])).status == "pending"
    assert (await client.get(f"/api/v1/campaigns/{TAG}/updates")).json() == []

    # Organizers change anything, including a volunteer's published update.
    await log_in(other_client, "owner@example.org")
    await _approve(other_client, own["id"])
    assert (await _edit(other_client, own["id"], "Checked by Anna")).status_code == 303
    assert (await _photo_page(other_client, own["id"])).status_code == 303
    assert (await _photo_api(other_client, headers["owner"], others["id"])).status_code == 201
    assert (await _row(session, own["id"])).title == "Checked by Anna"


async def test_without_approval_a_volunteer_still_changes_only_their_own(client, session):
    headers = await _team(session, need_approval=False)
    own = await _post(client, headers["volunteer"], "Published at once")
    assert own["status"] == "published"
    theirs = await _post(client, headers["owner"], "Owner's news")
    await log_in(client, "volunteer@example.org")
    assert (await _edit(client, own["id"], "Typo fixed")).status_code == 303
    assert (await _row(session, own["id"])).title == "Typo fixed"
    assert (await _edit(client, theirs["id"], "Hijacked")).status_code == 403
    assert (await _photo_api(client, headers["volunteer"], theirs["id"])).status_code == 403
