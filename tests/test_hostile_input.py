"""Hostile input stops at the edge: control characters, out-of-range numbers, oversized bodies.

Each of these reached the database (or the response encoder) and answered 500, most of them
only on PostgreSQL, which refuses NUL in text and 64-bit overflows in OFFSET.
"""

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import quote, unquote
from xml.etree import ElementTree

import pytest
from PIL import Image, ImageCms
from sqlalchemy import func, select

from app.campaigns.models import Campaign
from app.config import get_settings
from app.donations.models import Donation
from app.edge import MAX_FORM_BYTES
from app.inkind.models import Pledge
from app.media import MediaFile
from app.updates import service as updates
from app.updates import share
from app.updates.models import ExpenseReceipt
from tests.factories import api_token, create_campaign, create_user, log_in
from tests.inkind.factories import create_need

PROBLEM = "application/problem+json"


async def count(session, model) -> int:
    return await session.scalar(select(func.count()).select_from(model))


def fields(response) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


def png(size=(4, 4)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, "#0b6e4f").save(out, "PNG")
    return out.getvalue()


# --- Control characters ----------------------------------------------------------------------


async def test_a_control_character_in_an_address_is_not_found(client, session):
    await create_campaign(session, hashtag="palidzesim")
    for path in ("/h/pali%00dzesim", "/h/palidzesim%00", "/h/palidzesim%1b/progress"):
        page = await client.get(path)
        assert page.status_code == 404, (path, page.status_code)
        assert "text/html" in page.headers["content-type"]
        assert "There is nothing at this address." in page.text
    api = await client.get("/api/v1/campaigns/pali%00dzesim")
    assert api.status_code == 404
    assert api.headers["content-type"] == PROBLEM
    # The response still carries the usual headers (it went through the request context).
    assert api.headers["x-content-type-options"] == "nosniff"


async def test_a_control_character_in_a_query_string_is_a_field_error(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner, hashtag="palidzesim")
    headers = await api_token(session, owner)
    api = await client.get("/api/v1/campaigns/palidzesim/donations?q=Anna%00", headers=headers)
    assert api.status_code == 422
    assert api.headers["content-type"] == PROBLEM
    assert fields(api) == ["q"]
    assert "control character" in api.json()["errors"][0]["message"]

    page = await client.get("/go?tag=palidz%00esim")
    assert page.status_code == 422
    assert "text/html" in page.headers["content-type"]
    assert "Some fields need fixing" in page.text

    await log_in(client, "organizer@example.org")
    dashboard = await client.get("/dashboard/c/palidzesim/donations?q=%07")
    assert dashboard.status_code == 422
    # Tabs and newlines are ordinary text.
    assert (await client.get("/dashboard/c/palidzesim/donations?q=a%09b%0A")).status_code == 200


async def test_a_control_character_in_a_json_string_is_a_field_error(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="palidzesim")
    diapers_id = (await create_need(session, campaign)).id
    headers = await api_token(session, owner)

    line = {"need_id": diapers_id, "quantity": 3}
    pledge = {"donor_name": "Līga", "donor_phone": "+371\u0000", "lines": [line]}
    response = await client.post("/api/v1/campaigns/palidzesim/pledges", json=pledge)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert fields(response) == ["donor_phone"]

    gift = {"amount_minor": 1000, "message": "Paldies", "idempotency_key": "key\u0000"}
    response = await client.post("/api/v1/campaigns/palidzesim/donations", json=gift)
    assert response.status_code == 422, response.text
    assert fields(response) == ["idempotency_key"]

    new = {
        "hashtag": "helpchallenge",
        "title": "Mbour baby shelter",
        "story": "600,000 FCFA\u0000",
        "beneficiary": "Pouponnière de Mbour",
        "currency": "XOF",
        "aliases": ["ok", "bad\u001f"],
    }
    response = await client.post("/api/v1/campaigns", json=new, headers=headers)
    assert response.status_code == 422, response.text
    assert sorted(fields(response)) == ["aliases.1", "story"]
    # A lone surrogate cannot be stored as UTF-8 either.
    response = await client.post(
        "/api/v1/campaigns",
        content='{"hashtag": "helpchallenge", "title": "\\ud800 Mbour", "beneficiary": "Mbour",'
        ' "currency": "XOF"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert fields(response) == ["title"]
    token = await client.post(
        "/api/v1/tokens", json={"email": "a\u0000@example.org", "password": "x"}
    )
    assert token.status_code == 422 and fields(token) == ["email"]
    assert await count(session, Pledge) == 0
    assert await count(session, Donation) == 0
    assert await count(session, Campaign) == 1

    # Tabs and newlines in a story are text, and an escaped backslash is no escape.
    story = {**new, "aliases": [], "story": "Day 1:\n\tmilk \\u0000 \\b"}
    response = await client.post("/api/v1/campaigns", json=story, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["story"] == "Day 1:\n\tmilk \\u0000 \\b"


async def test_a_control_character_in_a_form_field_is_refused(client, session):
    campaign = await create_campaign(session, hashtag="palidzesim")
    diapers_id = (await create_need(session, campaign)).id
    page = await client.get("/h/palidzesim/pledge")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    data = {
        "csrf_token": token,
        "idempotency_key": key,
        "donor_name": "Līga",
        "donor_phone": "+371 2000\x00",
        f"qty_{diapers_id}": "3",
    }
    response = await client.post("/h/palidzesim/pledge", data=data)
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
    assert "Some fields need fixing" in response.text
    assert await count(session, Pledge) == 0
    login = await client.post(
        "/login", data={"csrf_token": token, "email": "anna\x00@example.org", "password": "x"}
    )
    assert login.status_code == 422
    assert "Some fields need fixing" in login.text


async def test_a_control_character_in_a_multipart_text_field_is_refused(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner, hashtag="palidzesim")
    headers = await api_token(session, owner)
    created = await client.post(
        "/api/v1/campaigns/palidzesim/updates",
        json={"title": "First 300 diapers delivered", "body": "Thank you", "publish": True},
        headers=headers,
    )
    update_id = created.json()["id"]
    response = await client.post(
        f"/api/v1/campaigns/palidzesim/updates/{update_id}/photos",
        files={"photo": ("shelter.png", png(), "image/png")},
        data={"alt_text": "Diapers\x00 on a shelf"},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert fields(response) == ["alt_text"]


# --- Out-of-range numbers --------------------------------------------------------------------


async def test_offsets_beyond_any_row_are_refused_on_every_list(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner, hashtag="palidzesim")
    headers = await api_token(session, owner)
    lists = (
        "/api/v1/campaigns",
        "/api/v1/campaigns/palidzesim/updates",
        "/api/v1/campaigns/palidzesim/donations",
    )
    for path in lists:
        for offset in ("9223372036854775808", "9223372036854775807", "-1"):
            response = await client.get(f"{path}?offset={offset}", headers=headers)
            assert response.status_code == 422, (path, offset, response.status_code)
            assert fields(response) == ["offset"]
        assert (await client.get(f"{path}?offset=0", headers=headers)).status_code == 200


# --- Oversized bodies ------------------------------------------------------------------------


async def raw_request(app, method: str, path: str, headers: dict, chunks: list[bytes]):
    """Drive the ASGI app directly: the status, the body, and how many chunks it read."""
    pending = list(chunks)
    read = 0
    sent = []

    async def receive():
        nonlocal read
        if not pending:
            return {"type": "http.disconnect"}
        read += 1
        return {"type": "http.request", "body": pending.pop(0), "more_body": bool(pending)}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    content_type = dict(start["headers"]).get(b"content-type", b"").decode()
    return start["status"], content_type, body, read


async def test_a_declared_oversized_body_is_refused_before_a_byte_is_read(app, session):
    await create_campaign(session, hashtag="palidzesim")
    chunk = b"x" * 65536
    big = str(250 * 1024 * 1024)
    status, content_type, body, read = await raw_request(
        app,
        "POST",
        "/api/v1/campaigns/palidzesim/donations",
        {"content-type": "application/json", "content-length": big},
        [chunk] * 4,
    )
    assert (status, read) == (413, 0)
    assert content_type == PROBLEM and b"at most 1 MB" in body

    # A 300 MB "upload" to the login form is refused before the CSRF check reads it.
    status, content_type, body, read = await raw_request(
        app,
        "POST",
        "/login",
        {"content-type": "multipart/form-data; boundary=xyz", "content-length": str(300 << 20)},
        [chunk] * 4,
    )
    assert (status, read) == (413, 0)
    assert content_type.startswith("text/html") and b"too large" in body


async def test_a_streamed_body_is_cut_off_at_the_limit(client, session):
    await create_campaign(session, hashtag="palidzesim")
    sent = 0

    async def endless_json():
        nonlocal sent
        yield b'{"amount_minor": 1000, "message": "'
        for _ in range(200):  # 12.5 MB if it were all read
            sent += 1
            yield b"x" * 65536

    response = await client.post(
        "/api/v1/campaigns/palidzesim/donations",
        content=endless_json(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert sent < 20  # stopped reading soon after 1 MB
    assert await count(session, Donation) == 0

    async def endless_form():
        yield b"email=anna%40example.org&password="
        for _ in range(200):
            yield b"x" * 65536

    login = await client.post(
        "/login",
        content=endless_form(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert login.status_code == 413
    assert "text/html" in login.headers["content-type"]


async def test_an_upload_may_be_larger_than_a_form_but_not_than_the_upload_limit(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner, hashtag="palidzesim")
    headers = await api_token(session, owner)
    two_mb = b"\x89PNG" + b"\x00" * (2 << 20)
    response = await client.put(
        "/api/v1/campaigns/palidzesim/cover",
        files={"cover": ("cover.png", two_mb, "image/png")},
        headers=headers,
    )
    assert response.status_code == 422  # read in full, and found not to be an image
    assert fields(response) == ["cover"]
    too_big = b"\x00" * (get_settings().max_upload_bytes + MAX_FORM_BYTES)
    response = await client.put(
        "/api/v1/campaigns/palidzesim/cover",
        files={"cover": ("cover.png", too_big, "image/png")},
        headers=headers,
    )
    assert response.status_code == 413


# --- Text in HTTP headers --------------------------------------------------------------------


def disposition_names(header: str) -> tuple[str, str]:
    """The ASCII fallback and the UTF-8 name (RFC 6266 / 8187) of a Content-Disposition."""
    fallback = re.search(r'filename="([^"]*)"', header).group(1)
    utf8 = re.search(r"filename\*=UTF-8''([^;\s]+)", header).group(1)
    return fallback, unquote(utf8)


async def test_csv_exports_of_any_hashtag_have_a_valid_filename(client, session):
    owner = await create_user(session)
    for hashtag in ("Palīdzēsim", "помощь", "援助"):
        await create_campaign(session, owner=owner, hashtag=hashtag)
    await log_in(client, "organizer@example.org")
    for hashtag in ("Palīdzēsim", "помощь", "援助"):
        for export in ("goods/pledges.csv", "goods/deliveries.csv", "donations.csv"):
            response = await client.get(f"/dashboard/c/{quote(hashtag)}/{export}")
            assert response.status_code == 200, (hashtag, export, response.status_code)
            header = response.headers["content-disposition"]
            assert header.isascii() and header.startswith("attachment; ")
            fallback, name = disposition_names(header)
            assert hashtag in name and name.endswith(".csv")
            assert fallback.endswith(".csv") and re.fullmatch(r"[A-Za-z0-9._-]+", fallback)


# --- Images keep no metadata -----------------------------------------------------------------

SECRET = b"Taken at 56.9496N 24.1052E by Jane Doe"


def photo_with_comment(kind: str) -> bytes:
    """A photo whose file carries a comment: a JPEG COM segment (and a colour profile), a GIF
    comment extension, a PNG text chunk, or a WebP with EXIF and XMP."""
    image = Image.new("RGB", (64, 48), "#0b6e4f")
    out = BytesIO()
    if kind == "jpeg":
        profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        image.save(out, "JPEG", comment=SECRET, quality=90, icc_profile=profile)
    elif kind == "gif":
        image.save(out, "GIF", comment=SECRET)
    elif kind == "png":
        from PIL import PngImagePlugin

        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", SECRET.decode())
        image.save(out, "PNG", pnginfo=text)
    else:
        exif = Image.Exif()
        exif[0x010E] = SECRET.decode()  # ImageDescription
        image.save(out, "WEBP", exif=exif, xmp=SECRET)
    data = out.getvalue()
    assert SECRET in data
    return data


async def test_no_comment_or_metadata_survives_in_stored_images(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner, hashtag="palidzesim")
    headers = await api_token(session, owner)
    update = await client.post(
        "/api/v1/campaigns/palidzesim/updates",
        json={"title": "Diapers delivered", "body": "Thank you", "publish": True},
        headers=headers,
    )
    update_id = update.json()["id"]
    served = []
    for index, kind in enumerate(("jpeg", "gif", "png", "webp")):
        raw = photo_with_comment(kind)
        cover = await client.put(
            "/api/v1/campaigns/palidzesim/cover",
            files={"cover": (f"cover.{kind}", raw, f"image/{kind}")},
            headers=headers,
        )
        assert cover.status_code == 200, cover.text
        served.append(cover.json()["cover_url"])
        photo = await client.post(
            f"/api/v1/campaigns/palidzesim/updates/{update_id}/photos",
            files={"photo": (f"shelter.{kind}", raw, f"image/{kind}")},
            data={"alt_text": "Diapers on a shelf"},
            headers=headers,
        )
        assert photo.status_code == 201, photo.text
        served += [p[key] for p in photo.json()["photos"] for key in ("url", "small_url")]
        expense = await client.post(
            "/api/v1/campaigns/palidzesim/expenses",
            json={
                "amount_minor": 43_000 + index,
                "currency": "EUR",
                "description": "300 bottles of formula milk",
                "spent_on": "2026-01-15",
                "receipt_public": True,
            },
            headers=headers,
        )
        receipt = await client.post(
            f"/api/v1/campaigns/palidzesim/expenses/{expense.json()['id']}/receipt",
            files={"receipt": (f"receipt.{kind}", raw, f"image/{kind}")},
            headers=headers,
        )
        assert receipt.status_code == 200, receipt.text
        served.append(receipt.json()["receipt_url"])
    for url in set(served):
        body = (await client.get(url.removeprefix("http://testserver"))).content
        assert body.startswith(b"\xff\xd8"), url  # a JPEG, built anew
        with Image.open(BytesIO(body)) as image:
            assert not {"comment", "exif", "xmp", "icc_profile"} & set(image.info), image.info
        assert SECRET not in body and b"Jane Doe" not in body, url
    stored = list(await session.scalars(select(MediaFile.data)))
    stored += list(await session.scalars(select(ExpenseReceipt.data)))
    assert stored and not any(b"Jane Doe" in data for data in stored)


# --- Text escaped for where it goes ------------------------------------------------------------

HOSTILE = '<img src=x onerror="alert(document.cookie)"> & <script>alert(1)</script>'


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


async def test_the_atom_feed_shows_a_hostile_retraction_reason_as_text(client, session):
    owner = await create_user(session, name='Jane <b>"Doe"</b>')
    campaign = await create_campaign(session, owner=owner, hashtag="palidzesim")
    update = await updates.create_update(
        session, campaign, owner, title="Photos <i>from</i> Riga", body="**300**",
        video_url="", publish=True,
    )  # fmt: skip
    await updates.retract(session, update, HOSTILE)
    response = await client.get("/h/palidzesim/updates.atom")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)  # well-formed XML
    atom = "{http://www.w3.org/2005/Atom}"
    entry = feed.find(f"{atom}entry")
    assert entry.find(f"{atom}title").text == "Photos <i>from</i> Riga"  # text, as typed
    assert entry.find(f"{atom}author/{atom}name").text == 'Jane <b>"Doe"</b>'
    content = entry.find(f"{atom}content")
    assert content.get("type") == "html"
    # What a feed reader renders: the HTML in the content. Only our own paragraph is markup.
    parser = _Tags()
    parser.feed(content.text)
    assert parser.tags == ["p"]
    assert html.unescape(content.text).count(HOSTILE) == 1


def test_the_feed_and_badge_stay_well_formed_whatever_the_text():
    now = datetime.now(UTC)
    entry = {
        "url": "http://testserver/h/x/updates/1",
        "title": "Milk\x0b arrived\x00",
        "published": now,
        "updated": now,
        "author": "Anna\x1b",
        "html": "<p>ok\ufffe</p>",
    }
    document = share.atom_feed(
        feed_url="http://testserver/h/x/updates.atom",
        page_url="http://testserver/h/x/progress",
        title="#x · Diapers\x08",
        updated=now,
        entries=[entry],
    )
    feed = ElementTree.fromstring(document)
    assert (
        feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title").text
        == "Milk arrived"
    )
    badge = ElementTree.fromstring(share.badge_svg('#a"b', "€1 <of> €5"))
    assert badge.get("aria-label") == '#a"b: €1 <of> €5'


# --- Cookies -------------------------------------------------------------------------------


@pytest.fixture
def https(monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://aidons.example")
    get_settings.cache_clear()
    assert get_settings().https
    yield
    get_settings.cache_clear()


def set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


async def test_every_cookie_is_secure_over_https(client, session, https):
    client.base_url = "https://testserver"  # the browser sends Secure cookies back over https
    campaign = await create_campaign(session, hashtag="palidzesim")
    diapers_id = (await create_need(session, campaign)).id
    language = set_cookies(await client.get("/lang/fr?next=/"))["aidons_lang"]
    assert "; secure" in language.lower()

    # A pledge's flash message carries its code.
    page = await client.get("/h/palidzesim/pledge")
    data = {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1),
        "donor_name": "Līga",
        f"qty_{diapers_id}": "3",
    }
    assert "; secure" in set_cookies(page)["aidons_csrf"].lower()
    pledged = await client.post("/h/palidzesim/pledge", data=data)
    assert pledged.status_code == 303
    flash = set_cookies(pledged)["aidons_flash"]
    assert "; secure" in flash.lower() and "; httponly" in flash.lower()
    shown = await client.get(pledged.headers["location"])
    cleared = set_cookies(shown)["aidons_flash"]
    assert "max-age=0" in cleared.lower() and "; secure" in cleared.lower()


async def test_cookies_work_over_plain_http_in_development(client):
    language = set_cookies(await client.get("/lang/fr?next=/"))["aidons_lang"]
    assert "secure" not in language.lower()


# --- null means "not given" ----------------------------------------------------------------


async def test_null_for_an_optional_field_means_not_given(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="palidzesim")
    diapers_id = (await create_need(session, campaign)).id
    headers = await api_token(session, owner)

    gift = {"amount_minor": 1000, "donor_name": None, "anonymous": None, "message": None}
    started = await client.post(
        "/api/v1/campaigns/palidzesim/donations",
        json={**gift, "email": None, "idempotency_key": None},
    )
    assert started.status_code == 201, started.text
    donation = await session.get(Donation, started.json()["id"])
    assert (donation.message, donation.donor_name, donation.anonymous) == ("", "", False)

    line = {"need_id": diapers_id, "quantity": 3, "per": None}
    pledge = {
        "donor_name": "Līga",
        "donor_email": None,
        "donor_phone": None,
        "lines": [line],
        "drop_off_point_id": None,
        "due_on": None,
    }
    pledged = await client.post("/api/v1/campaigns/palidzesim/pledges", json=pledge)
    assert pledged.status_code == 201, pledged.text
    assert pledged.json()["lines"][0]["units"] == 3

    new = {
        "hashtag": "helpchallenge",
        "title": "Mbour baby shelter",
        "beneficiary": "Pouponnière de Mbour",
        "currency": "XOF",
        "story": None,
        "place": None,
        "aliases": None,
        "goal_minor": None,
    }
    created = await client.post("/api/v1/campaigns", json=new, headers=headers)
    assert created.status_code == 201, created.text
    assert (created.json()["story"], created.json()["aliases"]) == ("", [])
    patched = await client.patch(
        "/api/v1/campaigns/helpchallenge",
        json={"title": None, "goal_minor": 600_000, "clear_goal": None, "status": None},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == "Mbour baby shelter"
    assert patched.json()["goal_minor"] == 600_000

    # A required field stays required.
    missing = await client.post(
        "/api/v1/campaigns/palidzesim/donations", json={"amount_minor": None}
    )
    assert missing.status_code == 422 and fields(missing) == ["amount_minor"]
    no_title = await client.post("/api/v1/campaigns", json={**new, "title": None}, headers=headers)
    assert no_title.status_code == 422 and fields(no_title) == ["title"]
