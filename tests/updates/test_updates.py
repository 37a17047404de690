import xml.etree.ElementTree as ET
from io import BytesIO

from PIL import Image
from sqlalchemy import func, select

from app.accounts.models import Role
from app.campaigns.models import Membership
from app.updates.models import FieldUpdate, UpdateRevision
from tests.campaigns.test_campaigns_api import _jpeg_with_gps
from tests.factories import api_token, create_campaign, create_user, log_in, post_form

ATOM = "{http://www.w3.org/2005/Atom}"


async def organizer_and_campaign(session, hashtag="palidzesim"):
    owner = await create_user(session, email=f"owner-{hashtag}@example.org")
    campaign = await create_campaign(session, owner=owner, hashtag=hashtag)
    return owner, campaign, await api_token(session, owner)


async def post_update(client, headers, tag="palidzesim", **fields):
    body = {
        "title": "Monday: 1,200 diapers received",
        "body": "Thank you **all**.",
        "publish": True,
    }
    response = await client.post(
        f"/api/v1/campaigns/{tag}/updates", json={**body, **fields}, headers=headers
    )
    return response


async def test_published_update_reaches_page_api_and_feed(client, session):
    _owner, _campaign, headers = await organizer_and_campaign(session)
    response = await post_update(
        client,
        headers,
        body="Milk bought. <script>alert(1)</script> **300 bottles**",
        video_url="https://www.youtube.com/watch?v=abc123",
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "published"
    assert (
        "<script" not in created["body_html"]
        and "<strong>300 bottles</strong>" in created["body_html"]
    )

    page = await client.get("/h/palidzesim/progress")
    assert "Monday: 1,200 diapers received" in page.text
    assert "Watch the video on YouTube" in page.text
    assert "<script>alert" not in page.text
    assert 'type="application/atom+xml"' in page.text

    feed = await client.get("/h/palidzesim/updates.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text == "http://testserver/h/palidzesim/updates.atom"
    assert root.find(f"{ATOM}updated").text
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Monday: 1,200 diapers received"
    link = entry.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver/h/palidzesim/updates/{created['id']}"
    assert "<strong>300 bottles</strong>" in entry.find(f"{ATOM}content").text
    assert (await client.get(link.removeprefix("http://testserver"))).status_code == 200


async def test_drafts_stay_private_until_published(client, session):
    _owner, _campaign, headers = await organizer_and_campaign(session)
    draft = (await post_update(client, headers, title="Draft news", publish=False)).json()
    assert draft["status"] == "draft"
    assert "Draft news" not in (await client.get("/h/palidzesim/progress")).text
    assert (await client.get(f"/h/palidzesim/updates/{draft['id']}")).status_code == 404
    assert (await client.get("/api/v1/campaigns/palidzesim/updates")).json() == []


async def test_bad_input_is_refused_and_nothing_is_stored(client, session):
    _owner, _campaign, headers = await organizer_and_campaign(session)
    for video in (
        "javascript:alert(1)",
        "http://www.youtube.com/watch?v=1",
        "https://evil.example/v",
    ):
        response = await post_update(client, headers, video_url=video)
        assert response.status_code == 422, video
        assert response.json()["errors"][0]["field"] == "video_url"
    short = await post_update(client, headers, title="x")
    assert short.json()["errors"][0]["field"] == "title"
    assert await session.scalar(select(func.count()).select_from(FieldUpdate)) == 0


async def test_strangers_cannot_post(client, session):
    await organizer_and_campaign(session)
    stranger = await api_token(session, await create_user(session, email="x@example.org"))
    assert (await post_update(client, stranger)).status_code == 403


async def test_volunteer_updates_wait_for_approval_when_required(client, session):
    owner, campaign, _headers = await organizer_and_campaign(session)
    volunteer = await create_user(session, email="volunteer@example.org")
    session.add(Membership(campaign_id=campaign.id, user_id=volunteer.id, role=Role.VOLUNTEER))
    volunteer_headers = await api_token(session, volunteer)
    owner_email = owner.email  # the refused request rolls back and expires loaded objects
    assert (await post_update(client, volunteer_headers)).status_code == 403  # not allowed yet

    await log_in(client, owner_email)
    settings_url = "/dashboard/c/palidzesim/updates/settings"
    await post_form(
        client,
        settings_url,
        {"volunteers_can_post": "yes", "need_approval": "yes"},
        form_page="/dashboard/c/palidzesim/updates",
    )
    pending = (await post_update(client, volunteer_headers, title="From the drop-off point")).json()
    assert pending["status"] == "pending"
    assert (
        "From the drop-off point"
        not in (await client.get("/api/v1/campaigns/palidzesim/updates")).text
    )

    edit_page = f"/dashboard/c/palidzesim/updates/{pending['id']}"
    approved = await post_form(
        client, f"{edit_page}/status", {"action": "publish"}, form_page=edit_page
    )
    assert approved.status_code == 303
    public = (await client.get("/api/v1/campaigns/palidzesim/updates")).json()
    assert [u["title"] for u in public] == ["From the drop-off point"]
    assert public[0]["author"] == "Anna Organizer"


async def test_edits_keep_history_and_retraction_leaves_a_notice(client, session):
    owner, _campaign, headers = await organizer_and_campaign(session)
    created = (await post_update(client, headers, title="1,200 diapers", body="First text")).json()
    await log_in(client, owner.email)
    edit_page = f"/dashboard/c/palidzesim/updates/{created['id']}"
    edited = await post_form(
        client, edit_page, {"title": "1,100 diapers", "body": "Corrected count", "video_url": ""}
    )
    assert edited.status_code == 303
    revisions = list(await session.scalars(select(UpdateRevision)))
    assert [(r.title, r.body_md) for r in revisions] == [("1,200 diapers", "First text")]
    assert "before this edit, the title was “1,200 diapers”" in (await client.get(edit_page)).text

    no_reason = await post_form(
        client, f"{edit_page}/status", {"action": "retract", "reason": ""}, form_page=edit_page
    )
    assert no_reason.status_code == 303
    assert (await client.get("/api/v1/campaigns/palidzesim/updates")).json()[0][
        "status"
    ] == "published"
    await post_form(
        client,
        f"{edit_page}/status",
        {"action": "retract", "reason": "Wrong shelter in the photos"},
        form_page=edit_page,
    )
    public = (await client.get("/api/v1/campaigns/palidzesim/updates")).json()[0]
    assert public["status"] == "retracted" and public["body"] == ""
    assert public["retraction_reason"] == "Wrong shelter in the photos"
    client.cookies.clear()
    page = (await client.get("/h/palidzesim/progress")).text
    assert "Retracted" in page and "Wrong shelter in the photos" in page
    assert "Corrected count" not in page


async def test_photos_lose_gps_and_come_in_two_sizes(client, session):
    _owner, _campaign, headers = await organizer_and_campaign(session)
    created = (await post_update(client, headers)).json()
    response = await client.post(
        f"/api/v1/campaigns/palidzesim/updates/{created['id']}/photos",
        files={"photo": ("shelter.jpg", _jpeg_with_gps(), "image/jpeg")},
        data={"alt_text": "Boxes of diapers in the shelter"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    photo = response.json()["photos"][0]
    large = Image.open(
        BytesIO((await client.get(photo["url"].removeprefix("http://testserver"))).content)
    )
    small = Image.open(
        BytesIO((await client.get(photo["small_url"].removeprefix("http://testserver"))).content)
    )
    assert large.size == (1600, 800) and small.size == (640, 320)
    assert not large.getexif() and not small.getexif()
    fake = await client.post(
        f"/api/v1/campaigns/palidzesim/updates/{created['id']}/photos",
        files={"photo": ("x.jpg", b"not an image at all", "image/jpeg")},
        headers=headers,
    )
    assert fake.status_code == 422
    page = (await client.get("/h/palidzesim/progress")).text
    assert 'alt="Boxes of diapers in the shelter"' in page


async def test_an_edit_refused_for_an_unknown_expense_saves_nothing(client, session):
    owner, _campaign, headers = await organizer_and_campaign(session)
    owner_email = owner.email
    created = (await post_update(client, headers, title="1,200 diapers", body="First text")).json()
    await log_in(client, owner_email)
    edit_page = f"/dashboard/c/palidzesim/updates/{created['id']}"
    refused = await post_form(
        client,
        edit_page,
        {"title": "Changed", "body": "Changed text", "video_url": "", "expense_ids": "999999"},
    )
    assert refused.status_code == 422
    assert await session.scalar(select(func.count()).select_from(UpdateRevision)) == 0
    public = (await client.get("/api/v1/campaigns/palidzesim/updates")).json()[0]
    assert (public["title"], public["body"]) == ("1,200 diapers", "First text")
