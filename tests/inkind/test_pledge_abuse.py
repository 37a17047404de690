"""The two measured ways to block a need, replayed: one request pledging a whole capped need a
year ahead, and one address filling a daily capped need for 30 days. Neither works any more,
and a real donor pledges afterwards; a 60-diaper pledge stays one request."""

import re
from datetime import timedelta

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select

from app import ratelimit
from app.db import utcnow
from app.inkind import ledger, pledge_limits, pledges
from app.inkind.models import Pledge, PledgeStatus
from app.outbox import OutboxEmail
from tests.factories import create_campaign
from tests.inkind.factories import create_need, create_point

URL = "/api/v1/campaigns/palidzesim/pledges"


def today():
    return utcnow().date()


@pytest.fixture
def clock(monkeypatch):
    """The rate-limit clock, moved by hand: now[0] += 601 opens a new 10-minute window."""
    now = [1_800_000_300.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    return now


@pytest.fixture
async def donor(app):
    """A real donor, from another address than the abuser."""
    transport = ASGITransport(app=app, raise_app_exceptions=False, client=("198.51.100.23", 4321))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def pledged_on(session, need_id: int, day) -> int:
    """Pledged for a daily need on that day (plain ids: a refused request expires objects)."""
    totals = await ledger.totals(session, [need_id], [day])
    return totals.get((need_id, day), ledger.Totals()).pledged


async def test_one_request_can_no_longer_take_a_whole_capped_need_a_year_ahead(
    client, donor, session, sessionmaker, smtp_server
):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign, policy="hard_cap")  # 300 a day, packs of 30
    await create_point(session, campaign)
    need_id, year_ahead = diapers.id, today() + timedelta(days=365)
    grab = {"donor_name": "X", "lines": [{"need_id": need_id, "quantity": 300}],
            "due_on": year_ahead.isoformat()}  # fmt: skip

    refused = await client.post(URL, json=grab)
    assert refused.status_code == 422
    errors = {e["field"]: e["message"] for e in refused.json()["errors"]}
    assert errors["lines.0.quantity"] == (
        "At most 90 diapers per pledge. For more, contact the organizers."
    )
    assert errors["due_on"].startswith("To pledge more than 3 days ahead, give your email")

    # The most it can do now: 90, held for 24 hours until confirmed from the emailed link.
    grab["lines"][0]["quantity"], grab["donor_email"] = 90, "grab@example.org"
    held = await client.post(URL, json=grab)
    assert held.status_code == 201
    assert held.json()["hold_expires_at"] is not None
    assert await pledged_on(session, need_id, year_ahead) == 90

    # A real donor pledges for that day too (before: "already covered").
    real = {"donor_name": "Līga", "donor_email": "liga@example.org",
            "due_on": year_ahead.isoformat(),
            "lines": [{"need_id": need_id, "quantity": 2, "per": "pack"}]}  # fmt: skip
    assert (await donor.post(URL, json=real)).status_code == 201

    # Nobody confirmed the grab: after 24 hours the job releases it, the ledger says so.
    await session.commit()
    released = await pledges.release_expired_holds(sessionmaker, utcnow() + timedelta(hours=25))
    assert released == 2  # the real donor did not confirm either
    assert await pledged_on(session, need_id, year_ahead) == 0
    statuses = await session.scalars(select(Pledge.status).order_by(Pledge.id))
    assert list(statuses) == [PledgeStatus.EXPIRED, PledgeStatus.EXPIRED]


async def test_one_address_can_no_longer_fill_a_daily_need_for_30_days(
    client, donor, session, sessionmaker, smtp_server, clock
):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign, policy="hard_cap")
    await create_point(session, campaign)
    need_id, days = diapers.id, [today() + timedelta(days=n) for n in range(30)]

    def grab(day, quantity):
        return {"donor_name": "X", "donor_email": "x@example.org", "due_on": day.isoformat(),
                "lines": [{"need_id": need_id, "quantity": quantity}]}  # fmt: skip

    # As measured: the whole day's need, one day after the other.
    statuses = [(await client.post(URL, json=grab(day, 300))).status_code for day in days]
    assert statuses == [422] * 30

    # The most each pledge may take, day after day, waiting out the 10-minute limit: the
    # daily limit per need and address stops it at 20 pledges.
    clock[0] += 601
    statuses = []
    for day in days[:25]:
        statuses.append((await client.post(URL, json=grab(day, 90))).status_code)
    assert statuses == [201] * 20 + [429] * 5
    last = await client.post(URL, json=grab(days[25], 90))
    assert last.status_code == 429 and int(last.headers["retry-after"]) > 0
    assert last.json()["errors"][0]["message"].startswith("Many pledges for Diapers, size 1")
    assert await session.scalar(select(func.count(Pledge.id))) == 20

    # At most 90 of 300 on any day; the 16 days past the next 3 are held, and unconfirmed,
    # released after 24 hours: what stays is 90 a day on 4 days.
    for day in days[:20]:
        assert await pledged_on(session, need_id, day) == 90
    await session.commit()
    assert await pledges.release_expired_holds(sessionmaker, utcnow() + timedelta(hours=25)) == 16
    assert [await pledged_on(session, need_id, day) for day in days[:6]] == [90] * 4 + [0] * 2

    # A real donor, from another address, pledges 60 diapers in one request, on any day.
    for day in (days[0], days[10]):
        body = {"donor_name": "Līga", "donor_email": "liga@example.org", "due_on": day.isoformat(),
                "lines": [{"need_id": need_id, "quantity": 2, "per": "pack"}]}  # fmt: skip
        assert (await donor.post(URL, json=body)).status_code == 201
    assert await pledged_on(session, need_id, days[0]) == 150


async def test_the_daily_limit_counts_pledges_made_not_attempts(client, session, clock):
    campaign = await create_campaign(session)
    capped_id = (await create_need(session, campaign, policy="hard_cap", per_day_units=60)).id
    body = {"donor_name": "Bo", "lines": [{"need_id": capped_id, "quantity": 60}]}
    assert (await client.post(URL, json=body)).status_code == 201
    for _n in range(3):  # covered: refused, and not counted against this address
        assert (await client.post(URL, json=body)).status_code == 409
    used = await ratelimit.count(session, f"pledge:need:{capped_id}:ip:127.0.0.1", 86_400)
    assert used == 1 < pledge_limits.PLEDGES_PER_CLIENT_PER_NEED_PER_DAY


async def test_a_held_pledge_is_confirmed_only_from_the_emailed_link(
    client, session, sessionmaker, smtp_server
):
    campaign = await create_campaign(session)
    need_id = (await create_need(session, campaign)).id
    await create_point(session, campaign)
    day = today() + timedelta(days=10)
    body = {"donor_name": "Līga", "donor_email": "liga@example.org", "due_on": day.isoformat(),
            "lines": [{"need_id": need_id, "quantity": 60}]}  # fmt: skip
    made = (await client.post(URL, json=body)).json()
    code, manage = made["code"], made["manage_url"].removeprefix("http://testserver")
    email = await session.scalar(
        select(OutboxEmail).where(OutboxEmail.to_address == "liga@example.org")
    )
    assert email.subject == f"Confirm your pledge {code} for #palidzesim"
    link = re.search(r"http://testserver(/pledges/\S+/confirm\?\S+)", email.body_text).group(1)
    page = await client.get(manage)
    assert "Waiting for your confirmation." in page.text
    assert "/confirm?" not in page.text  # the page someone else may see cannot confirm

    confirm_page = await client.get(link)
    assert confirm_page.status_code == 200 and "Confirm my pledge" in confirm_page.text
    token = re.search(r'name="t" value="([^"]+)"', confirm_page.text).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', confirm_page.text).group(1)
    wrong = await client.post(
        f"/pledges/{code}/confirm", data={"t": token, "c": "guess", "csrf_token": csrf}
    )
    assert wrong.status_code == 403
    secret = re.search(r'name="c" value="([^"]+)"', confirm_page.text).group(1)
    done = await client.post(
        f"/pledges/{code}/confirm", data={"t": token, "c": secret, "csrf_token": csrf}
    )
    assert done.status_code == 303
    after = await client.get(done.headers["location"])
    assert "Your pledge is confirmed. Thank you!" in after.text
    assert "Waiting for your confirmation." not in after.text
    await session.commit()
    assert await pledges.release_expired_holds(sessionmaker, utcnow() + timedelta(days=2)) == 0
    assert await pledged_on(session, need_id, day) == 60


async def test_far_ahead_without_email_or_without_a_mail_server_is_refused_plainly(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    body = {"donor_name": "Bo", "donor_email": "bo@example.org",
            "due_on": (today() + timedelta(days=4)).isoformat(),
            "lines": [{"need_id": diapers.id, "quantity": 30}]}  # fmt: skip
    response = await client.post(URL, json=body)  # no SMTP_URL in tests: no link can be sent
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        "Pledges can be made for today and the next 3 days only. Choose an earlier day."
    )
    body["due_on"] = (today() + timedelta(days=3)).isoformat()
    made = await client.post(URL, json=body)
    assert made.status_code == 201 and made.json()["hold_expires_at"] is None
