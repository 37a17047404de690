"""The team's campaign pages: cover image, draft preview, one navigation, card figures."""

import re
from datetime import timedelta
from io import BytesIO

from PIL import Image
from sqlalchemy import event

from app.accounts.models import Role
from app.campaigns.models import Campaign, CampaignStatus, Membership
from app.db import utcnow
from app.donations import service as donations
from app.inkind import needs as needs_service
from app.inkind.models import Pledge, PledgeStatus
from app.inkind.schemas import NeedCreate
from tests.factories import create_campaign, create_user, csrf_token, log_in


def _png(color="navy", size=(900, 500)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


async def _upload_cover(client, tag: str, raw: bytes, name="cover.png"):
    token = await csrf_token(client, f"/dashboard/c/{tag}/edit")
    return await client.post(
        f"/dashboard/c/{tag}/cover",
        data={"csrf_token": token},
        files={"cover": (name, raw, "image/png")},
    )


async def test_cover_is_added_replaced_and_removed(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="covered")
    campaign_id = campaign.id
    await log_in(client, owner.email)

    added = await _upload_cover(client, "covered", _png("navy"))
    assert added.status_code == 303
    first = (await client.get(added.headers["location"])).text
    assert "Cover image added." in first
    first_url = re.search(r'class="cover-preview" src="([^"]+)"', first).group(1)
    assert first_url in (await client.get("/h/covered")).text

    replaced = await _upload_cover(client, "covered", _png("orange"))
    page = (await client.get(replaced.headers["location"])).text
    assert "Cover image replaced." in page
    second_url = re.search(r'class="cover-preview" src="([^"]+)"', page).group(1)
    assert second_url != first_url

    token = await csrf_token(client, "/dashboard/c/covered/edit")
    removed = await client.post("/dashboard/c/covered/cover/remove", data={"csrf_token": token})
    assert removed.status_code == 303
    assert "Cover image removed." in (await client.get(removed.headers["location"])).text
    session.expire_all()
    assert (await session.get(Campaign, campaign_id)).cover_id is None
    assert second_url not in (await client.get("/h/covered")).text


async def test_a_refused_cover_is_explained_next_to_the_field(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="covered")
    campaign_id = campaign.id
    await log_in(client, owner.email)
    response = await _upload_cover(client, "covered", b"%PDF-1.4 not an image", "cover.png")
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="f-cover-error">([^<]+)</p>', response.text)
    assert error and "not an image we can read" in error.group(1)
    assert 'aria-describedby="f-cover-hint f-cover-error"' in response.text
    assert 'value="Diapers and milk for 110 newborns"' in response.text  # the form is intact
    empty = await _upload_cover(client, "covered", b"", "")
    assert empty.status_code == 422 and "Choose an image file first." in empty.text
    session.expire_all()
    assert (await session.get(Campaign, campaign_id)).cover_id is None


async def test_draft_preview_is_the_landing_page_for_the_team_only(client, session):
    owner = await create_user(session)
    await create_campaign(session, owner=owner, hashtag="soon", status=CampaignStatus.DRAFT)
    await create_campaign(session, owner=owner, hashtag="already")
    await create_user(session, email="stranger@example.org")
    owner_email = owner.email

    anonymous = await client.get("/dashboard/c/soon/preview")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    await log_in(client, "stranger@example.org")
    assert (await client.get("/dashboard/c/soon/preview")).status_code == 404
    assert (await client.get("/dashboard/c/already/preview")).status_code == 403

    client.cookies.clear()
    await log_in(client, owner_email)
    response = await client.get("/dashboard/c/soon/preview")
    assert response.status_code == 200
    html = response.text
    assert "Preview — not published." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert "private" in response.headers["cache-control"]
    assert "Diapers and milk for 110 newborns" in html and "The story" in html
    # As a visitor will see it: no team button, no team navigation, nothing to give to yet.
    assert "Edit this campaign" not in html and 'class="team-nav"' not in html
    assert 'href="/h/soon/donate"' not in html
    assert 'href="/dashboard/c/soon/edit"' in html  # the way back to editing
    assert "Preview the page" in (await client.get("/dashboard/c/soon/edit")).text


async def _nav_links(client, path: str) -> dict[str, str | None]:
    html = (await client.get(path)).text
    nav = re.search(r'<nav class="team-nav".*?</nav>', html, re.S)
    assert nav, f"no campaign navigation on {path}"
    links = re.findall(r'<li><a href="([^"]+)"( aria-current="(\w+)")?>([^<]+)</a></li>', nav[0])
    return {label: current or None for _href, _attr, current, label in links}


async def test_every_team_page_has_the_one_navigation_for_the_viewers_role(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="navtag")
    volunteer = await create_user(session, email="volunteer@example.org")
    session.add(Membership(campaign_id=campaign.id, user_id=volunteer.id, role=Role.VOLUNTEER))
    await session.flush()
    volunteer_email = volunteer.email
    await log_in(client, owner.email)
    base = "/dashboard/c/navtag"
    pages = ["/edit", "/donations", "/updates", "/updates/new", "/expenses", "/goods"]
    pages += ["/goods/points", "/goods/volunteers", "/desk", "/desk/walk-in", "/donations/offline"]
    pages += ["/goods/upcoming"]
    for page in pages:
        links = await _nav_links(client, base + page)
        assert list(links) == [
            "Campaign", "Preview", "Gifts", "Field updates", "Spending", "Needs",
            "Drop-off points", "Volunteers", "Drop-off desk", "Upcoming pledges",
        ], page  # fmt: skip
    # The open page is marked, and only it: a sub-page marks its section.
    points = await _nav_links(client, base + "/goods/points")
    assert points["Drop-off points"] == "page"
    assert [label for label, current in points.items() if current] == ["Drop-off points"]
    assert (await _nav_links(client, base + "/desk/walk-in"))["Drop-off desk"] == "true"
    # Any spelling of the hashtag in the address finds the same page.
    assert (await _nav_links(client, "/dashboard/c/NAVTAG/goods"))["Needs"] == "page"
    upcoming = await _nav_links(client, base + "/goods/upcoming")
    assert [label for label, current in upcoming.items() if current] == ["Upcoming pledges"]
    # Public pages have no team navigation.
    assert 'class="team-nav"' not in (await client.get("/h/navtag")).text

    client.cookies.clear()
    await log_in(client, volunteer_email)
    links = await _nav_links(client, base + "/desk")
    assert list(links) == ["Preview", "Field updates", "Drop-off desk", "Upcoming pledges"]
    assert links["Drop-off desk"] == "page"


def _count_queries(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    return statements, lambda: event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _add_goods(session, campaign, pledges_due_in_days: list[int]):
    """A daily need of 300 diapers, and pledges due that many days from today."""
    await needs_service.create_need(
        session,
        campaign,
        NeedCreate(item="Diapers", unit="diapers", kind="daily", per_day_units=300),
    )
    for n, days in enumerate(pledges_due_in_days):
        session.add(
            Pledge(
                campaign_id=campaign.id,
                code=f"C{campaign.id:03d}{n:03d}",
                manage_token_hash=f"{campaign.id}-{n}",
                donor_name="Anna",
                donor_name_key="anna",
                due_on=utcnow().date() + timedelta(days=days),
                status=PledgeStatus.PLEDGED,
            )
        )
    await session.flush()


async def test_dashboard_cards_show_figures_in_a_fixed_number_of_queries(client, session, engine):
    owner = await create_user(session)
    first = await create_campaign(session, owner=owner, hashtag="first", goal_minor=500_000)
    gift = donations.GiftInput(12_000, donor_name="Anna")
    await donations.record_offline(session, first, owner, gift, "cash", None)
    await _add_goods(session, first, [0, 1, -1])  # today and tomorrow count, yesterday not
    await log_in(client, owner.email)

    statements, stop = _count_queries(engine)
    try:
        one = await client.get("/dashboard")
        with_one = len(statements)
        for n in range(3):
            other = await create_campaign(session, owner=owner, hashtag=f"other{n}")
            await _add_goods(session, other, [2])
        statements.clear()
        many = await client.get("/dashboard")
        with_four = len(statements)
    finally:
        stop()
    assert one.status_code == many.status_code == 200
    assert with_four == with_one, "the dashboard's queries grow with the number of campaigns"
    assert with_one <= 8, statements
    card = re.search(r'<li class="campaign-card">.*?#first.*?</li>\s*</ul>', many.text, re.S)
    assert card, many.text
    assert "€120.00 raised of €5,000.00 · 1 donor" in card[0]
    assert "Goods received: 0 of 300 needed" in card[0]
    assert "2 pledges of goods to come" in card[0]
