import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from app.campaigns.models import Campaign, CampaignStatus
from tests.factories import create_campaign, create_user, log_in, post_form

NEW = "/dashboard/campaigns/new"


def meta(html: str, prop: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', html)
    assert match, f"no {prop} meta tag"
    return match.group(1)


async def test_landing_page_accepts_any_spelling_of_the_hashtag(client, session):
    await create_campaign(session, hashtag="palidzesim")
    for path in ("/h/palidzesim", "/h/PALIDZESIM", "/h/%23palidzesim", "/h/%23PalidzeSim"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "Diapers and milk for 110 newborns" in response.text


async def test_landing_page_has_story_share_links_qr_and_preview_tags(client, session):
    await create_campaign(session, hashtag="palidzesim")
    html = (await client.get("/h/palidzesim")).text
    assert "<strong>300 diapers</strong>" in html
    assert meta(html, "og:url") == "http://testserver/h/palidzesim"
    assert meta(html, "og:image").startswith("http://testserver/h/palidzesim/card.png?v=")
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "og:title") == "#palidzesim · Diapers and milk for 110 newborns"
    x_link = re.search(r'class="share-x" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(x_link).query)
    assert query["hashtags"] == ["palidzesim"]
    assert query["url"] == ["http://testserver/h/palidzesim"]
    assert (
        "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Ftestserver%2Fh%2Fpalidzesim"
        in html
    )
    assert 'class="share-whatsapp" href="https://wa.me/?text=' in html
    assert 'value="http://testserver/h/palidzesim" readonly' in html
    assert "€0.00 raised of €5,000.00" in html
    qr = await client.get("/h/palidzesim/qr.svg")
    assert qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.startswith("<svg") and "#palidzesim" in qr.text
    assert 'xmlns="http://www.w3.org/2000/svg"' in qr.text  # required for use in <img>


async def test_anonymous_landing_page_is_cacheable_and_sets_no_cookie(client, session):
    await create_campaign(session, hashtag="palidzesim")
    response = await client.get("/h/palidzesim")
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert "stale-while-revalidate" in response.headers["cache-control"]
    assert "set-cookie" not in response.headers


async def test_aliases_redirect_permanently_to_the_canonical_page(client, session):
    await create_campaign(
        session, hashtag="LoveArmyForSomalia", aliases=["NominatedForSomalia"], currency="EUR"
    )
    response = await client.get("/h/nominatedforsomalia")
    assert response.status_code == 301
    assert response.headers["location"] == "/h/LoveArmyForSomalia"


async def test_unknown_hashtag_is_a_404_page_with_the_search_box(client):
    response = await client.get("/h/nobodyusesthis")
    assert response.status_code == 404
    assert "No campaign uses the hashtag #nobodyusesthis." in response.text
    assert 'action="/search"' in response.text
    weird = await client.get("/h/not a hashtag!!")
    assert weird.status_code == 404


async def test_former_hashtag_box_still_jumps_to_the_landing_page(client, session):
    await create_campaign(session, hashtag="palidzesim")
    response = await client.get("/go", params={"tag": "#Palidzesim "})
    assert response.status_code == 303
    assert response.headers["location"] == "/h/palidzesim"
    empty = await client.get("/go", params={"tag": "  "})
    assert empty.headers["location"] == "/"


async def test_draft_paused_and_closed_pages(client, session):
    await create_campaign(session, hashtag="draftpage", status=CampaignStatus.DRAFT)
    await create_campaign(session, hashtag="pausedpage", status=CampaignStatus.PAUSED)
    await create_campaign(session, hashtag="closedpage", status=CampaignStatus.CLOSED)
    assert (await client.get("/h/draftpage")).status_code == 404
    assert "This campaign is paused" in (await client.get("/h/pausedpage")).text
    assert "This campaign is closed" in (await client.get("/h/closedpage")).text


async def test_home_lists_live_campaigns(client, session):
    await create_campaign(session, hashtag="shownonhome")
    await create_campaign(session, hashtag="hiddendraft", status=CampaignStatus.DRAFT)
    html = (await client.get("/")).text
    assert "#shownonhome" in html and "#hiddendraft" not in html


async def test_organizer_creates_edits_publishes_pauses_and_closes(client, session):
    await create_user(session, email="org@example.org")
    await log_in(client, "org@example.org")
    form = {
        "hashtag": "#palidzesim",
        "aliases": "#palidzesim2012, #riga",
        "title": "Diapers and milk",
        "beneficiary": "Riga infant shelter",
        "story": "Every day: **300 diapers**.",
        "currency": "eur",
        "goal": "5 000,50",
        "starts_on": "2026-11-22",
        "ends_on": "",
    }
    created = await post_form(client, NEW, form)
    assert created.status_code == 303, created.text
    edit_url = created.headers["location"]
    assert edit_url == "/dashboard/c/palidzesim/edit"
    campaign = await session.scalar(select(Campaign))
    assert campaign.goal_minor == 500_050 and campaign.currency == "EUR"
    assert campaign.aliases == ["palidzesim2012", "riga"]
    # The team sees its draft, with a private (uncached) page.
    draft = await client.get("/h/palidzesim")
    assert "Draft: only your team" in draft.text
    assert draft.headers["cache-control"] == "private, no-store"

    edited = await post_form(client, edit_url, {**form, "title": "Diapers and formula milk"})
    assert edited.status_code == 303
    await session.refresh(campaign)
    assert campaign.title == "Diapers and formula milk"

    for action in ("publish", "pause", "resume"):
        response = await post_form(
            client, "/dashboard/c/palidzesim/status", {"action": action}, form_page=edit_url
        )
        assert response.status_code == 303
    await session.refresh(campaign)
    assert campaign.status == "live"

    unconfirmed = await post_form(
        client, "/dashboard/c/palidzesim/status", {"action": "close"}, form_page=edit_url
    )
    assert unconfirmed.status_code == 303
    await session.refresh(campaign)
    assert campaign.status == "live"
    closed = await post_form(
        client,
        "/dashboard/c/palidzesim/status",
        {"action": "close", "confirm": "yes"},
        form_page=edit_url,
    )
    assert closed.status_code == 303
    await session.refresh(campaign)
    assert campaign.status == "closed"


async def test_campaign_form_shows_errors_and_keeps_what_was_typed(client, session):
    await create_user(session, email="typo@example.org")
    await log_in(client, "typo@example.org")
    response = await post_form(
        client,
        NEW,
        {
            "hashtag": "bad tag",
            "title": "My long title",
            "beneficiary": "",
            "currency": "EUR",
            "goal": "12abc",
        },
    )
    assert response.status_code == 422
    assert "only letters, digits and _" in response.text
    assert "Enter an amount like 5000 or 5000.50." in response.text
    assert 'value="My long title"' in response.text
    assert await session.scalar(select(Campaign)) is None


async def test_dashboard_requires_login_and_strangers_cannot_edit(client, session):
    await create_campaign(session, hashtag="notyours")
    anonymous = await client.get("/dashboard/c/notyours/edit")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    await create_user(session, email="stranger@example.org")
    await log_in(client, "stranger@example.org")
    assert (await client.get("/dashboard/c/notyours/edit")).status_code == 403


async def test_pages_speak_french_when_asked(client, session):
    await create_campaign(session, hashtag="palidzesim")
    html = (await client.get("/h/palidzesim", headers={"Accept-Language": "fr"})).text
    assert '<html lang="fr">' in html
    assert "Partager sur WhatsApp" in html
    assert "5\u202f000,00\xa0€" in html or "5 000,00 €" in html
    switched = await client.get("/lang/fr?next=/h/palidzesim")
    assert switched.status_code == 303 and switched.headers["location"] == "/h/palidzesim"
    assert "Partager sur WhatsApp" in (await client.get("/h/palidzesim")).text
