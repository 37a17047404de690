"""Out-of-range numbers and ids on goods pages and the API: a clear answer, never a 500."""

import csv
import io
import re

from sqlalchemy import func, select

from app.db import utcnow
from app.inkind.models import InkindEntry, Pledge
from tests.factories import api_token, create_campaign, create_user, csrf_token, log_in, post_form
from tests.inkind.factories import create_need, create_point, pledge

HUGE = "99999999999999999999"


def today():
    return utcnow().date()


async def form_data(client, **fields):
    page = await client.get("/h/palidzesim/pledge")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return {"csrf_token": token, "idempotency_key": key, "donor_name": "Līga", **fields}


async def count(session, model) -> int:
    return await session.scalar(select(func.count()).select_from(model))


async def test_pledge_form_refuses_quantities_beyond_the_limit_with_a_field_error(client, session):
    campaign = await create_campaign(session)
    diapers_id = (await create_need(session, campaign)).id  # ids outlive a refused request
    field = f"qty_{diapers_id}"
    for quantity, per, message in (
        (HUGE, "unit", "1,000,000"),
        ("3000000000", "unit", "1,000,000"),
        ("40000", "pack", "At most 90 diapers per pledge."),  # packs multiply: units count
    ):
        data = await form_data(client, **{field: quantity, f"per_{diapers_id}": per})
        response = await client.post("/h/palidzesim/pledge", data=data)
        assert response.status_code == 422, (quantity, per, response.status_code)
        assert f'id="f-{field}-error"' in response.text
        assert message in response.text
        assert f'value="{quantity}"' in response.text  # what the donor typed is kept
    assert await count(session, Pledge) == 0


async def test_api_pledge_in_packs_cannot_exceed_the_unit_limit(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    body = {"donor_name": "A", "lines": [{"need_id": diapers.id, "quantity": 40000, "per": "pack"}]}
    response = await client.post("/api/v1/campaigns/palidzesim/pledges", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "lines.0.quantity"
    assert await count(session, Pledge) == 0


async def test_donor_cannot_change_a_pledge_to_a_huge_quantity(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    result = await pledge(session, campaign, {diapers: 30}, today=today(), due_on=today())
    code, token, diapers_id = result.pledge.code, result.token, diapers.id
    entries = await count(session, InkindEntry)
    manage = f"/pledges/{code}?t={token}"
    for units in (HUGE, "3000000000", "1000001"):
        response = await post_form(
            client, f"/pledges/{code}/change", {"t": token, f"units_{diapers_id}": units}, manage
        )
        assert response.status_code == 422, (units, response.status_code)
        assert "At most 1,000,000." in response.text
    await session.refresh(result.pledge, ["lines"])
    assert result.pledge.lines[0].units == 30
    assert await count(session, InkindEntry) == entries


async def test_desk_correction_refuses_a_huge_number(client, session):
    campaign = await create_campaign(session)
    diapers_id = (await create_need(session, campaign)).id
    await log_in(client, "owner-palidzesim@example.org")
    desk = "/dashboard/c/palidzesim/desk"
    entries = await count(session, InkindEntry)
    for received in (HUGE, "3000000000"):
        data = {"need_id": str(diapers_id), "received": received, "why": "typo"}
        response = await post_form(client, f"{desk}/correction", data, f"{desk}/walk-in")
        assert response.status_code == 422, (received, response.status_code)
        assert "between -1,000,000 and 1,000,000" in response.text
    assert await count(session, InkindEntry) == entries


async def test_api_refuses_ids_no_row_can_have(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner)
    diapers = await create_need(session, campaign)
    headers = await api_token(session, owner)
    huge = 10**20
    pledges, line = "/api/v1/campaigns/palidzesim/pledges", {"need_id": diapers.id, "quantity": 1}
    donor = {"donor_name": "A", "lines": [line]}
    cases = [
        (pledges, {**donor, "lines": [{**line, "need_id": huge}]}, "lines.0.need_id"),
        (pledges, {**donor, "drop_off_point_id": huge}, "drop_off_point_id"),
        (pledges, {**donor, "slot_id": -huge}, "slot_id"),
        (
            "/api/v1/campaigns/palidzesim/deliveries",
            {"lines": [{"need_id": huge, "accepted_units": 1}]},
            "lines.0.need_id",
        ),
        (f"/api/v1/donations/{huge}/refunds", {"amount_minor": 100}, "donation_id"),
    ]
    for path, body, field in cases:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 422, (path, body, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]]
    assert await count(session, Pledge) == 0


async def test_goods_csv_leaves_empty_cells_empty(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    await create_point(session, campaign)
    await pledge(session, campaign, {diapers: 30}, today=today(), due_on=today())
    await log_in(client, "owner-palidzesim@example.org")
    response = await client.get("/dashboard/c/palidzesim/goods/pledges.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["donor_name"] == "Līga Bērziņa"
    assert rows[0]["donor_email"] == "" and rows[0]["slot"] == ""


async def test_a_double_tap_on_cancel_shows_the_cancelled_pledge_not_an_error(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    result = await pledge(session, campaign, {diapers: 30}, today=today(), due_on=today())
    code, token = result.pledge.code, result.token
    manage = f"/pledges/{code}?t={token}"
    data = {"t": token, "csrf_token": await csrf_token(client, manage)}
    first = await client.post(f"/pledges/{code}/cancel", data=data)
    second = await client.post(f"/pledges/{code}/cancel", data=data)  # the same form, again
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    page = await client.get(second.headers["location"])
    assert "This pledge is already cancelled." in page.text


async def test_pledge_form_asks_for_a_missing_name_in_plain_words(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    data = await form_data(client, **{f"qty_{diapers.id}": "3", "donor_name": ""})
    response = await client.post("/h/palidzesim/pledge", data=data)
    assert response.status_code == 422
    assert 'id="f-donor_name-error">This field is required.<' in response.text
    assert "at least 1 characters" not in response.text
