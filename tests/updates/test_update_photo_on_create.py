"""A new update can carry its first photo: saved together, or not at all."""

import re
from io import BytesIO

from PIL import Image
from sqlalchemy import func, select

from app.updates.models import FieldUpdate, UpdatePhoto
from tests.campaigns.test_campaigns_api import _jpeg_with_gps
from tests.factories import create_campaign, create_user, csrf_token, log_in

NEW = "/dashboard/c/palidzesim/updates/new"


async def _post(client, data: dict, photo: tuple | None):
    token = await csrf_token(client, NEW)
    files = {"photo": photo} if photo else {"photo": ("", b"", "application/octet-stream")}
    return await client.post(NEW, data={**data, "csrf_token": token}, files=files)


async def _counts(session) -> tuple[int, int]:
    updates = await session.scalar(select(func.count(FieldUpdate.id)))
    photos = await session.scalar(select(func.count(UpdatePhoto.id)))
    return updates, photos


async def test_new_update_is_published_with_its_photo(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner)
    await log_in(client, owner.email)
    form = (await client.get(NEW)).text
    assert 'enctype="multipart/form-data"' in form and 'name="photo"' in form
    data = {"title": "Monday: 1,200 diapers", "body": "Thanks!", "action": "publish"}
    data["alt_text"] = "Boxes of diapers in the hall"
    response = await _post(client, data, ("boxes.jpg", _jpeg_with_gps(), "image/jpeg"))
    assert response.status_code == 303, response.text
    assert await _counts(session) == (1, 1)
    page = (await client.get("/h/palidzesim/progress")).text
    src = re.search(r'<img[^>]+src="(/media/[0-9a-f]+\.jpg)"[^>]*alt="Boxes of diapers', page)
    assert src, "the published update shows its photo"
    served = Image.open(BytesIO((await client.get(src.group(1))).content))
    assert not served.getexif()  # camera and GPS data are gone


async def test_a_refused_photo_keeps_the_text_and_saves_nothing(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner)
    await log_in(client, owner.email)
    data = {"title": "Tuesday: milk arrived", "body": "**300** bottles", "action": "publish"}
    response = await _post(client, data, ("milk.jpg", b"GIF89a but not really", "image/jpeg"))
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="f-photo-error">([^<]+)</p>', response.text)
    assert error and "not an image we can read" in error.group(1)
    assert 'aria-invalid="true"' in response.text
    assert 'value="Tuesday: milk arrived"' in response.text and "**300** bottles" in response.text
    assert await _counts(session) == (0, 0)


async def test_text_errors_and_photo_errors_are_shown_together(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner)
    await log_in(client, owner.email)
    both = await _post(client, {"title": "", "action": "draft"}, ("x.jpg", b"nope", "image/jpeg"))
    assert both.status_code == 422
    assert 'id="f-title-error"' in both.text and 'id="f-photo-error"' in both.text
    # A good photo with a missing title: the person is told to choose the file again.
    good = await _post(
        client, {"title": "", "action": "draft"}, ("ok.jpg", _jpeg_with_gps(), "image/jpeg")
    )
    assert good.status_code == 422
    assert "choose it again" in good.text and 'id="f-photo-error"' not in good.text
    assert await _counts(session) == (0, 0)
    # No photo at all is fine: an update without a photo is saved as before.
    plain = await _post(client, {"title": "Wednesday", "action": "draft"}, None)
    assert plain.status_code == 303
    assert await _counts(session) == (1, 0)
