"""The upcoming pledges page: by day, drop-off point and slot, with what to expect."""

import re
from datetime import timedelta

from app.db import utcnow
from app.formatting import format_day
from app.inkind import closing
from tests.factories import create_campaign, log_in
from tests.inkind.factories import (
    create_need,
    create_point,
    create_slot,
    deliver,
    pledge,
    volunteer,
)

PAGE = "/dashboard/c/palidzesim/goods/upcoming"


def today():
    return utcnow().date()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_upcoming_pledges_are_grouped_by_day_point_and_slot_with_totals(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign, max_per_pledge=300)
    milk = await create_need(session, campaign, item="Formula milk", unit="bottles", pack_size=6)
    shelter = await create_point(session, campaign, name="Riga shelter")
    church = await create_point(session, campaign, name="St. John's church")
    tomorrow = today() + timedelta(days=1)
    morning = await create_slot(session, shelter, day=tomorrow)
    made = {}
    for name, lines, extra in [
        ("Līga Bērziņa", {diapers: 60}, {"drop_off_point_id": shelter.id}),
        ("Andris Kalniņš", {diapers: 30, milk: 12}, {"drop_off_point_id": shelter.id}),
        ("Marta Ozola", {milk: 6}, {"drop_off_point_id": church.id}),
        ("Jānis", {diapers: 90}, {"drop_off_point_id": shelter.id, "slot_id": morning.id}),
        ("Pēteris Cancelled", {diapers: 300}, {"drop_off_point_id": shelter.id}),
        ("Ilze Brought", {diapers: 30}, {"drop_off_point_id": shelter.id}),
    ]:
        due = tomorrow if name == "Jānis" else today()
        result = await pledge(session, campaign, lines, today=today(), due_on=due, **extra)
        made[name] = result.pledge
    await closing.cancel(session, made["Pēteris Cancelled"], actor="team")
    user = await volunteer(session, campaign)
    await deliver(
        session, campaign, user, today(), pledge_code=made["Ilze Brought"].code, full=True
    )
    codes = {name: p.code for name, p in made.items()}

    await log_in(client, "vol@example.org")  # volunteers see it, not only organizers
    response = await client.get(PAGE)
    assert response.status_code == 200
    text = text_of(response.text)
    # Today first, then tomorrow; in a day, points by name; in a point, slots by time.
    order = [
        format_day(today(), "full"), "Riga shelter",
        "To expect: Diapers, size 1: 90 diapers (3 × pack of 30) · Formula milk: 12 bottles",
        codes["Līga Bērziņa"],
        codes["Andris Kalniņš"], "St. John's church", codes["Marta Ozola"],
        format_day(tomorrow, "full"), "Riga shelter", "10:00–12:00", codes["Jānis"],
    ]  # fmt: skip
    position = 0
    for part in order:  # each one after the one before
        position = text.index(part.replace("'", "&#39;"), position) + 1
    # First names only, each linked to the desk page of the pledge.
    assert "Līga" in text and "Bērziņa" not in text and "Kalniņš" not in text
    for name in ("Līga Bērziņa", "Andris Kalniņš", "Marta Ozola", "Jānis"):
        assert f'href="/dashboard/c/palidzesim/desk/p/{codes[name]}"' in response.text
    # Cancelled and fully brought pledges are no longer expected.
    assert codes["Pēteris Cancelled"] not in text and codes["Ilze Brought"] not in text
    assert response.text.count('class="badge status-pledged"') == 4


async def test_no_upcoming_pledge_says_so(client, session):
    await create_campaign(session)
    await log_in(client, "owner-palidzesim@example.org")
    response = await client.get(PAGE)
    assert response.status_code == 200
    assert "No pledge is expected in the coming days." in response.text


async def test_upcoming_pledges_are_for_the_team_only(client, session):
    await create_campaign(session)
    assert (await client.get(PAGE)).status_code in (303, 401)


async def test_a_pledge_whose_day_passed_is_listed_as_late_until_it_expires(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    late = (await pledge(session, campaign, {diapers: 60}, today=today())).pledge
    gone = (await pledge(session, campaign, {diapers: 30}, today=today())).pledge
    # Their days passed (a pledge cannot be made for the past): one yesterday, one long ago.
    late.due_on = today() - timedelta(days=1)
    gone.due_on = today() - timedelta(days=30)
    codes = (late.code, gone.code)
    await session.flush()
    await log_in(client, "owner-palidzesim@example.org")
    text = text_of((await client.get(PAGE)).text)
    assert f"{format_day(today() - timedelta(days=1), 'full')} · late" in text
    assert codes[0] in text and codes[1] not in text
