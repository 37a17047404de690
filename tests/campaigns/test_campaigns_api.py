from io import BytesIO

from PIL import Image
from sqlalchemy import func, select

from app.campaigns.models import Campaign, CampaignStatus
from tests.factories import api_token, create_campaign, create_user
from tests.test_money import spaces_to_ascii

VALID = {
    "hashtag": "#Palīdzēsim",
    "aliases": ["#palidzesim2012"],
    "title": "Diapers and milk for 110 newborns",
    "story": "We need **300 diapers** a day.<script>alert(1)</script>",
    "beneficiary": "Riga infant shelter",
    "currency": "eur",
    "goal_minor": 500000,
}


async def test_create_a_draft_then_publish(client, session):
    headers = await api_token(session, await create_user(session))
    response = await client.post("/api/v1/campaigns", json=VALID, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["hashtag"] == "Palīdzēsim"  # shown as the organizer wrote it
    assert body["aliases"] == ["palidzesim2012"]
    assert body["currency"] == "EUR" and body["status"] == "draft"
    assert "<strong>300 diapers</strong>" in body["story_html"]
    assert "<script" not in body["story_html"]
    assert response.headers["location"] == "/api/v1/campaigns/Pal%C4%ABdz%C4%93sim"

    # Drafts exist only for their team.
    assert (await client.get("/api/v1/campaigns/palīdzēsim")).status_code == 404
    assert (await client.get("/api/v1/campaigns/PALĪDZĒSIM", headers=headers)).status_code == 200

    published = await client.patch(
        "/api/v1/campaigns/palīdzēsim", json={"status": "live"}, headers=headers
    )
    assert published.json()["status"] == "live"
    assert published.json()["published_at"] is not None
    public = await client.get("/api/v1/campaigns/%23PALIDZESIM2012")
    assert public.status_code == 200 and public.json()["hashtag"] == "Palīdzēsim"


async def test_field_errors_are_problem_json(client, session):
    headers = await api_token(session, await create_user(session))
    bad = {
        **VALID,
        "hashtag": "two words",
        "currency": "EURO",
        "goal_minor": -5,
        "starts_on": "2026-12-10",
        "ends_on": "2026-12-01",
    }
    response = await client.post("/api/v1/campaigns", json=bad, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "only letters, digits and _" in errors["hashtag"]
    assert "ISO code" in errors["currency"]
    assert errors["goal_minor"] == "Must be at least 1."
    assert "end date" in errors["ends_on"]
    assert await session.scalar(select(func.count()).select_from(Campaign)) == 0


async def test_a_hashtag_belongs_to_one_active_campaign(client, session):
    await create_campaign(session, hashtag="palidzesim")
    headers = await api_token(session, await create_user(session, email="other@example.org"))
    clash = await client.post(
        "/api/v1/campaigns", json={**VALID, "hashtag": "PalidzeSim", "aliases": []}, headers=headers
    )
    assert clash.status_code == 409
    assert clash.json()["errors"][0]["field"] == "hashtag"
    assert "already used by another campaign" in clash.json()["detail"]


async def test_closing_frees_the_hashtag_and_keeps_the_page(client, session):
    old = await create_campaign(session, hashtag="helpchallenge", status=CampaignStatus.CLOSED)
    headers = await api_token(session, await create_user(session, email="new@example.org"))
    response = await client.post(
        "/api/v1/campaigns",
        json={**VALID, "hashtag": "HelpChallenge", "aliases": [], "currency": "XOF"},
        headers=headers,
    )
    assert response.status_code == 201
    assert old.status == "closed"
    # The hashtag now leads to the new campaign once it is live; the old one is not lost.
    await client.patch("/api/v1/campaigns/helpchallenge", json={"status": "live"}, headers=headers)
    current = await client.get("/api/v1/campaigns/helpchallenge")
    assert current.json()["currency"] == "XOF"


async def test_status_transitions_are_enforced(client, session):
    owner = await create_user(session)
    headers = await api_token(session, owner)
    await create_campaign(session, owner=owner, hashtag="lifecycle", status=CampaignStatus.DRAFT)
    paused = await client.patch(
        "/api/v1/campaigns/lifecycle", json={"status": "paused"}, headers=headers
    )
    assert paused.status_code == 409
    assert paused.json()["errors"][0]["field"] == "status"
    for status in ("live", "paused", "live", "closed"):
        ok = await client.patch(
            "/api/v1/campaigns/lifecycle", json={"status": status}, headers=headers
        )
        assert ok.status_code == 200, ok.text
    reopen = await client.patch(
        "/api/v1/campaigns/lifecycle", json={"status": "live"}, headers=headers
    )
    assert reopen.status_code == 409


async def test_only_the_team_can_change_a_campaign(client, session):
    await create_campaign(session, hashtag="teamonly")
    stranger = await api_token(session, await create_user(session, email="stranger@example.org"))
    response = await client.patch(
        "/api/v1/campaigns/teamonly", json={"title": "Hijacked"}, headers=stranger
    )
    assert response.status_code == 403


async def test_currency_is_fixed_once_published(client, session):
    owner = await create_user(session)
    headers = await api_token(session, owner)
    await create_campaign(session, owner=owner, hashtag="fixedcurrency")
    response = await client.patch(
        "/api/v1/campaigns/fixedcurrency", json={"currency": "USD"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "currency"


async def test_progress_is_public_and_zero_before_any_gift(client, session):
    await create_campaign(session, hashtag="HelpChallenge", currency="XOF", goal_minor=600_000)
    response = await client.get("/api/v1/campaigns/helpchallenge/progress")
    assert response.status_code == 200
    body = response.json()
    assert body["raised_minor"] == 0 and body["donors"] == 0 and body["percent"] == 0
    assert body["goal_minor"] == 600_000 and body["currency"] == "XOF"
    assert "public" in response.headers["cache-control"]
    french = await client.get(
        "/api/v1/campaigns/helpchallenge/progress", headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    )
    assert spaces_to_ascii(french.json()["goal_display"]) == "600 000 F CFA"


async def test_list_shows_live_campaigns_only(client, session):
    await create_campaign(session, hashtag="liveone")
    await create_campaign(session, hashtag="draftone", status=CampaignStatus.DRAFT)
    response = await client.get("/api/v1/campaigns?limit=10")
    tags = [item["hashtag"] for item in response.json()["items"]]
    assert tags == ["liveone"]
    assert (await client.get("/api/v1/campaigns?limit=1000")).status_code == 422


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (2400, 1200), "orange")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (56.0, 56.0, 0.0), 3: "E", 4: (24.0, 6.0, 0.0)}  # GPS IFD
    out = BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


async def test_cover_upload_strips_gps_and_resizes(client, session):
    owner = await create_user(session)
    headers = await api_token(session, owner)
    await create_campaign(session, owner=owner, hashtag="covered")
    raw = _jpeg_with_gps()
    assert Image.open(BytesIO(raw)).getexif().get_ifd(0x8825)  # the input does carry GPS
    response = await client.put(
        "/api/v1/campaigns/covered/cover",
        files={"cover": ("photo.jpg", raw, "image/jpeg")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    cover_url = response.json()["cover_url"]
    served = await client.get(cover_url.removeprefix("http://testserver"))
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    published = Image.open(BytesIO(served.content))
    assert published.size == (1600, 800)
    assert not published.getexif()  # no EXIF at all, so no GPS


async def test_a_text_file_renamed_jpg_is_refused(client, session):
    owner = await create_user(session)
    headers = await api_token(session, owner)
    await create_campaign(session, owner=owner, hashtag="fakeimage")
    response = await client.put(
        "/api/v1/campaigns/fakeimage/cover",
        files={"cover": ("photo.jpg", b"just text, not an image", "image/jpeg")},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "cover", "message": "This file is not an image we can read."}
    ]
