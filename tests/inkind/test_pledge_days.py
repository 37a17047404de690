"""The pledge form speaks of the chosen day: its figures (with and without JavaScript), the
days its drop-off point opens, and the page after pledging says what that day still lacks."""

import json
import re
from datetime import timedelta
from html import unescape

from sqlalchemy import func, select

from app.db import utcnow
from app.inkind import needs
from app.inkind.models import Pledge
from tests.factories import create_campaign
from tests.inkind.factories import create_need, create_slot, pledge


def today():
    return utcnow().date()


def next_weekday(iso_weekday: int, after_days: int = 0):
    day = today() + timedelta(days=after_days)
    while day.isoweekday() != iso_weekday:
        day += timedelta(days=1)
    return day


async def form_fields(page_text: str, **fields) -> dict:
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page_text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)
    return {"csrf_token": token, "idempotency_key": key, "donor_name": "Līga", **fields}


def missing_line(html: str, need_id: int) -> str:
    match = re.search(
        rf'id="f-qty_{need_id}-missing" data-missing=\'([^\']*)\'[^>]*>([^<]*)<', html
    )
    return match.group(2)


async def test_the_form_shows_what_the_chosen_day_lacks_not_today(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign, policy="hard_cap", max_per_pledge=300)
    tomorrow = today() + timedelta(days=1)
    await pledge(session, campaign, {diapers: 300}, today=today())
    await pledge(session, campaign, {diapers: 150}, today=today(), due_on=tomorrow)
    need_id, short = diapers.id, f"{tomorrow:%a} {tomorrow.day} {tomorrow:%b}"

    page = await client.get("/h/palidzesim/pledge")
    assert page.headers["cache-control"] == "private, no-cache"  # Back shows the same form
    assert missing_line(page.text, need_id).startswith(f"still missing on {today():%a}")
    assert missing_line(page.text, need_id).endswith(": 0 diapers")
    # With JavaScript: every day offered is in the page, the script picks the chosen one.
    embedded = re.search(rf'id="f-qty_{need_id}-missing" data-missing=\'([^\']*)\'', page.text)
    by_day = json.loads(unescape(embedded.group(1)))
    assert by_day[tomorrow.isoformat()] == (
        f"still missing on {short}: 150 diapers (5 × pack of 30)"
    )
    # Without JavaScript: the server renders the form again for that day, and pledges nothing.
    data = await form_fields(page.text, due_on=tomorrow.isoformat(), step="show_day")
    data[f"qty_{need_id}"] = "60"
    shown = await client.post("/h/palidzesim/pledge", data=data)
    assert shown.status_code == 200
    assert missing_line(shown.text, need_id) == (
        f"still missing on {short}: 150 diapers (5 × pack of 30)"
    )
    assert 'value="60"' in shown.text and f'value="{tomorrow.isoformat()}" ' in shown.text
    assert await session.scalar(select(func.count(Pledge.id))) == 2
    # A link can ask for a day too.
    linked = await client.get(f"/h/palidzesim/pledge?due_on={tomorrow.isoformat()}")
    assert missing_line(linked.text, need_id).endswith(": 150 diapers (5 × pack of 30)")

    # After pledging, the pledge's page says what that day still lacks, this pledge counted.
    data.pop("step")
    made = await client.post("/h/palidzesim/pledge", data=data)
    assert made.status_code == 303
    page = await client.get(made.headers["location"])
    assert f"With your pledge, still missing on {short}: 90 diapers (3 × pack of 30)" in page.text


async def test_days_the_drop_off_point_is_closed_are_not_offered_and_refused(
    client, session, smtp_server
):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    point = await needs.create_drop_off_point(
        session, campaign, "Riga shelter", "Brīvības iela 1", "Mon–Fri 9:00–19:00", "12345"
    )
    saturday, sunday = next_weekday(6), next_weekday(7)
    await create_slot(session, point, day=sunday)  # a slot opens its day
    need_id, point_id = diapers.id, point.id

    page = await client.get("/h/palidzesim/pledge")
    assert re.search(
        rf'<option value="{saturday.isoformat()}"[^>]*disabled>[^<]*\(closed\)', page.text
    )
    first_open = next(day for day in (today() + timedelta(days=n) for n in range(7))
                      if day.isoweekday() <= 5 or day == sunday)  # fmt: skip
    assert re.search(rf'<option value="{first_open.isoformat()}"[^>]*selected>', page.text)
    assert not re.search(rf'<option value="{sunday.isoformat()}"[^>]*disabled', page.text)
    data = await form_fields(
        page.text, due_on=saturday.isoformat(), donor_email="liga@example.org",
        drop_off_point_id=str(point_id), **{f"qty_{need_id}": "30"},
    )  # fmt: skip
    refused = await client.post("/h/palidzesim/pledge", data=data)
    assert refused.status_code == 422
    closed = r"Riga shelter is closed on Saturdays \([^)]*\)\. Choose a day it is open\."
    assert re.search(rf'id="f-due_on-error">{closed}', refused.text)
    assert await session.scalar(select(func.count(Pledge.id))) == 0
    data["due_on"] = sunday.isoformat()
    assert (await client.post("/h/palidzesim/pledge", data=data)).status_code == 303


async def test_an_outsized_quantity_is_refused_next_to_it_and_sixty_diapers_take_one_tap(
    client, session
):
    campaign = await create_campaign(session)
    need_id = (await create_need(session, campaign)).id
    page = await client.get("/h/palidzesim/pledge")
    assert "At most 90 diapers per pledge" in page.text
    data = await form_fields(page.text, **{f"qty_{need_id}": "4", f"per_{need_id}": "pack"})
    refused = await client.post("/h/palidzesim/pledge", data=data)
    assert refused.status_code == 422
    assert (
        f'id="f-qty_{need_id}-error">At most 90 diapers per pledge. For more, contact the '
        "organizers.</p>"
    ) in refused.text
    data[f"qty_{need_id}"] = "2"
    made = await client.post("/h/palidzesim/pledge", data=data)
    assert made.status_code == 303


async def test_back_then_the_same_form_again_shows_the_pledge_already_made(client, session):
    campaign = await create_campaign(session)
    need_id = (await create_need(session, campaign)).id
    page = await client.get("/h/palidzesim/pledge")
    data = await form_fields(page.text, **{f"qty_{need_id}": "60"})
    first = await client.post("/h/palidzesim/pledge", data=data)
    assert "Thank you! Your pledge code is" in (await client.get(first.headers["location"])).text
    data[f"qty_{need_id}"] = "30"  # changed their mind on the old page: still the same form
    again = await client.post("/h/palidzesim/pledge", data=data)
    assert again.headers["location"] == first.headers["location"]
    shown = await client.get(again.headers["location"])
    assert "You already pledged this — here it is." in shown.text
    assert "60 diapers (2 × pack of 30)" in shown.text
    assert await session.scalar(select(func.count(Pledge.id))) == 1
