"""Goods used or handed out: the use form and API, on hand, corrections, the ledger check."""

import re

from sqlalchemy import func, select, update

from app import ledgers
from app.db import utcnow
from app.inkind import ledger
from app.inkind.models import EntryKind, InkindEntry, InkindTotal, StockUse
from tests.factories import api_token, create_campaign, log_in, post_form
from tests.inkind.factories import create_need, deliver, volunteer

USE_PAGE = "/dashboard/c/palidzesim/desk/used"


def today():
    return utcnow().date()


async def goods_in(session, campaign, need, units):
    user = await volunteer(session, campaign, email=f"in{units}@example.org")
    lines = [{"need_id": need.id, "accepted_units": units}]
    await deliver(session, campaign, user, today(), lines=lines)


async def use_form(client) -> dict:
    page = await client.get(USE_PAGE)
    assert page.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return {"csrf_token": token, "idempotency_key": key}


async def test_volunteer_records_goods_used_once_and_progress_shows_what_is_on_hand(
    client, session
):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)  # 300 a day
    await goods_in(session, campaign, diapers, 900)
    await volunteer(session, campaign)
    await log_in(client, "vol@example.org")
    form = await use_form(client)
    assert "On hand: 900 diapers (30 × pack of 30)" in (await client.get(USE_PAGE)).text
    data = {**form, f"used_{diapers.id}": "240", "note": "night shift"}
    first = await client.post(USE_PAGE, data=data)
    second = await client.post(USE_PAGE, data=data)  # a double tap
    assert first.status_code == second.status_code == 303
    assert await session.scalar(select(func.count()).select_from(StockUse)) == 1
    entries = list(await session.scalars(select(InkindEntry).where(InkindEntry.kind == "used")))
    assert [(e.used_delta, e.note, e.day) for e in entries] == [(240, "night shift", today())]
    stock = await ledger.stock(session, [diapers.id])
    assert (stock[diapers.id].received, stock[diapers.id].used, stock[diapers.id].on_hand) == (
        900, 240, 660,
    )  # fmt: skip
    page = (await client.get("/h/palidzesim/progress")).text
    assert "900 diapers received" in page
    assert "240 diapers used or handed out" in page and "660 diapers on hand" in page
    # 660 on hand at 300 a day: two whole days, not the three that 900 received would say.
    assert "2 days of need covered by what is on hand (300 a day)" in page
    api = (await client.get("/api/v1/campaigns/palidzesim/progress")).json()
    assert api["outcomes"][0] | {} == {
        "item": "Diapers, size 1", "unit": "diapers", "received": 900, "used": 240,
        "on_hand": 660, "days_covered": 2,
    }  # fmt: skip


async def test_using_more_than_is_on_hand_is_refused_next_to_the_field(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    milk = await create_need(session, campaign, item="Formula milk", unit="bottles", pack_size=6)
    await goods_in(session, campaign, diapers, 100)
    diapers_id = diapers.id  # refused requests roll back, and expire what the session held
    await log_in(client, "owner-palidzesim@example.org")
    form = await use_form(client)
    cases = [
        ({f"used_{diapers.id}": "101"}, "Only 100 diapers are on hand"),
        ({f"used_{milk.id}": "5"}, "Only 0 bottles are on hand"),
        ({f"used_{diapers.id}": "lots"}, "Must be a whole number."),
        ({}, "Enter at least one quantity."),
        ({f"used_{diapers.id}": "5", "used_on": "2999-01-01"}, "cannot be used in the future"),
    ]
    for fields, message in cases:
        response = await client.post(USE_PAGE, data={**form, **fields})
        assert response.status_code == 422, (fields, response.status_code)
        assert response.text.count(message) == 1, (fields, message)
        # Typed values are kept.
        for value in fields.values():
            assert f'value="{value}"' in response.text
    assert await session.scalar(select(func.count()).select_from(StockUse)) == 0
    assert (await ledger.stock(session, [diapers_id]))[diapers_id].used == 0


async def test_use_api_records_once_and_refuses_more_than_on_hand(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    await goods_in(session, campaign, diapers, 300)
    user = await volunteer(session, campaign)
    headers = await api_token(session, user)
    diapers_id = diapers.id
    url = "/api/v1/campaigns/palidzesim/uses"
    body = {"lines": [{"need_id": diapers.id, "units": 120}], "idempotency_key": "use-0001"}
    first = await client.post(url, json=body, headers=headers)
    again = await client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    assert first.json()["lines"] == [{"need_id": diapers.id, "units": 120}]
    too_much = await client.post(
        url, json={"lines": [{"need_id": diapers.id, "units": 181}]}, headers=headers
    )
    assert too_much.status_code == 422
    assert too_much.json()["errors"][0]["field"] == "lines.0.units"
    assert "Only 180 diapers are on hand" in too_much.json()["errors"][0]["message"]
    unknown = await client.post(
        url, json={"lines": [{"need_id": 999, "units": 1}]}, headers=headers
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "lines.0.need_id"
    assert (await client.post(url, json=body)).status_code == 401
    assert (await ledger.stock(session, [diapers_id]))[diapers_id].used == 120


async def test_a_mistaken_use_is_corrected_by_a_new_entry(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    await goods_in(session, campaign, diapers, 300)
    diapers_id = diapers.id
    await log_in(client, "owner-palidzesim@example.org")
    form = await use_form(client)
    await client.post(USE_PAGE, data={**form, f"used_{diapers.id}": "250"})
    walk_in = "/dashboard/c/palidzesim/desk/walk-in"
    correction = "/dashboard/c/palidzesim/desk/correction"
    fields = {"need_id": str(diapers.id), "day": today().isoformat(), "why": "typed 250, was 25"}
    refused = await post_form(client, correction, {**fields, "used": "-300"}, walk_in)
    assert refused.status_code == 422 and refused.text.count("make the count negative") == 1
    done = await post_form(client, correction, {**fields, "used": "-225"}, walk_in)
    assert done.status_code == 303
    # Received −290 would leave less on hand (10) than the 25 used.
    too_far = await post_form(client, correction, {**fields, "received": "-290"}, walk_in)
    assert too_far.status_code == 422 and "Only 275 diapers are on hand" in too_far.text
    kinds = list(await session.scalars(select(InkindEntry.kind).order_by(InkindEntry.id)))
    assert kinds[-2:] == [EntryKind.USED, EntryKind.CORRECTION]
    assert (await ledger.stock(session, [diapers_id]))[diapers_id].used == 25


async def test_check_ledgers_reports_a_drifted_used_count(session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    await goods_in(session, campaign, diapers, 300)
    user = await volunteer(session, campaign)
    from app.inkind import stock

    data = stock.UseCreate(lines=[{"need_id": diapers.id, "units": 100}])
    await stock.record_use(session, campaign, user, data, today())
    assert await ledgers.check(session) == []
    await session.execute(
        update(InkindTotal)
        .where(InkindTotal.need_id == diapers.id)
        .values(used=InkindTotal.used + 7)
    )
    drifts = await ledgers.check(session)
    assert [str(d) for d in drifts] == [
        f"goods total need={diapers.id} day={today().isoformat()}: used cached 107 vs ledger 100"
    ]
    await session.execute(
        update(InkindTotal).where(InkindTotal.need_id == diapers.id).values(used=100)
    )
