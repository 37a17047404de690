import xml.etree.ElementTree as ET
from io import BytesIO

from PIL import Image

from tests.campaigns.test_campaign_pages import meta
from tests.factories import api_token, create_campaign, create_user


async def give_offline(client, headers, tag: str, amount_minor: int) -> None:
    response = await client.post(
        f"/api/v1/campaigns/{tag}/donations/offline",
        json={"amount_minor": amount_minor, "donor_name": "Cash box", "method": "cash"},
        headers=headers,
    )
    assert response.status_code == 201, response.text


async def setup(session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner, hashtag="palidzesim", goal_minor=500_000)
    return await api_token(session, owner)


async def test_widget_is_frameable_cacheable_and_cookie_free(client, session):
    headers = await setup(session)
    await give_offline(client, headers, "palidzesim", 125_000)
    response = await client.get("/h/palidzesim/embed", headers={"Cookie": "aidons_flash=x.y"})
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers
    assert response.headers["cache-control"].startswith("public")
    assert "€1,250.00 raised of €5,000.00 · 1 donor" in response.text
    assert "bar-25" in response.text
    landing = await client.get("/h/palidzesim")
    assert landing.headers["x-frame-options"] == "DENY"


async def test_badge_is_valid_svg_with_the_figures(client, session):
    headers = await setup(session)
    await give_offline(client, headers, "palidzesim", 50_000)
    response = await client.get("/h/palidzesim/badge.svg")
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["#palidzesim", "€500.00 raised of €5,000.00 · 1 donor"]


async def test_share_card_shows_progress_and_follows_it(client, session):
    headers = await setup(session)
    first_html = (await client.get("/h/palidzesim")).text
    first_url = meta(first_html, "og:image")
    card = await client.get(first_url.removeprefix("http://testserver"))
    assert card.headers["content-type"] == "image/png"
    assert Image.open(BytesIO(card.content)).size == (1200, 630)
    etag = card.headers["etag"]
    again = await client.get("/h/palidzesim/card.png", headers={"If-None-Match": etag})
    assert again.status_code == 304

    await give_offline(client, headers, "palidzesim", 250_000)
    second_url = meta((await client.get("/h/palidzesim")).text, "og:image")
    assert second_url != first_url  # networks re-fetch the preview when progress changes
    new_card = await client.get("/h/palidzesim/card.png", headers={"If-None-Match": etag})
    assert new_card.status_code == 200 and new_card.content != card.content
