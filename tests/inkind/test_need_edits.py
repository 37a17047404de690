"""Changing a need's daily rate or total: the goods page form, the API, the history."""

from sqlalchemy import func, select

from app.accounts.models import Role
from app.campaigns.models import Membership
from app.db import utcnow
from app.formatting import format_day
from app.inkind.models import Need, NeedChange
from tests.factories import api_token, create_campaign, create_user, log_in, post_form
from tests.inkind.factories import create_need, pledge, volunteer

GOODS = "/dashboard/c/palidzesim/goods"


def today():
    return utcnow().date()


async def test_organizer_changes_the_daily_rate_and_the_history_shows_it(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)  # 300 a day
    await pledge(session, campaign, {diapers: 60}, today=today(), due_on=today())
    need_id = diapers.id
    await log_in(client, "owner-palidzesim@example.org")
    url = f"{GOODS}/needs/{need_id}/quantity"
    response = await post_form(
        client, url, {f"quantity_{need_id}": "250", f"note_{need_id}": "20 babies went home"}, GOODS
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Diapers, size 1: changed from 300 to 250 a day." in page.text  # the confirmation
    assert "110 newborns → 250 diapers a day" in page.text
    assert (
        f"Changed from 300 to 250 a day on {format_day(today())} by Anna Organizer"
        " · 20 babies went home" in page.text
    )
    # What is missing follows the new rate; the pledge stays as it was.
    needs = (await client.get("/api/v1/campaigns/palidzesim/needs")).json()
    assert (needs[0]["needed"], needs[0]["pledged"], needs[0]["missing"]) == (250, 60, 190)
    # The same value again changes nothing and adds no history.
    again = await post_form(client, url, {f"quantity_{need_id}": "250"}, GOODS)
    assert again.status_code == 303
    assert await session.scalar(select(func.count()).select_from(NeedChange)) == 1
    changes = list(await session.scalars(select(NeedChange)))
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [("per_day_units", 300, 250)]


async def test_a_bad_quantity_is_refused_next_to_its_form_and_changes_nothing(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    need_id = diapers.id
    await log_in(client, "owner-palidzesim@example.org")
    url = f"{GOODS}/needs/{need_id}/quantity"
    for typed, message in [
        ("0", "Must be at least 1."),
        ("many", "Must be a whole number."),
        ("", "Enter the new quantity, in units."),
        ("5000000", "Must be at most 1,000,000."),
    ]:
        response = await post_form(client, url, {f"quantity_{need_id}": typed}, GOODS)
        assert response.status_code == 422, typed
        assert response.text.count(message) == 1, (typed, response.text.count(message))
        assert f'id="f-quantity_{need_id}-error"' in response.text
        assert f'value="{typed}"' in response.text  # what was typed stays
        assert '<details class="need-edit" open>' in response.text
    assert (await session.get(Need, need_id)).per_day_units == 300
    assert await session.scalar(select(func.count()).select_from(NeedChange)) == 0


async def test_need_quantity_api_changes_the_right_figure_and_refuses_the_other(client, session):
    campaign = await create_campaign(session)
    owner = await create_user(session, email="boss@example.org", name="Boss")
    session.add(Membership(campaign_id=campaign.id, user_id=owner.id, role=Role.ORGANIZER))
    diapers = await create_need(session, campaign)
    blankets = await create_need(
        session, campaign, item="Blankets", unit="blankets", kind="one_off", target_units=200,
        per_day_units=None,
    )  # fmt: skip
    headers = await api_token(session, owner)
    helper_headers = await api_token(session, await volunteer(session, campaign))
    diapers_id, blankets_id, owner_id = diapers.id, blankets.id, owner.id  # refusals expire rows
    base = "/api/v1/campaigns/palidzesim/needs"
    daily = await client.patch(f"{base}/{diapers.id}", json={"per_day_units": 250}, headers=headers)
    assert daily.status_code == 200, daily.text
    assert (daily.json()["per_day_units"], daily.json()["needed"]) == (250, 250)
    total = await client.patch(f"{base}/{blankets.id}", json={"target_units": 150}, headers=headers)
    assert total.status_code == 200 and total.json()["target_units"] == 150
    wrong = await client.patch(f"{base}/{diapers_id}", json={"target_units": 10}, headers=headers)
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [
        {"field": "target_units", "message": "This need is counted per day: change per_day_units."}
    ]
    empty = await client.patch(f"{base}/{blankets_id}", json={}, headers=headers)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "target_units"
    bounds = await client.patch(f"{base}/{diapers_id}", json={"per_day_units": 0}, headers=headers)
    assert bounds.status_code == 422
    missing = await client.patch(f"{base}/99999", json={"per_day_units": 5}, headers=headers)
    assert missing.status_code == 404
    forbidden = await client.patch(
        f"{base}/{diapers_id}", json={"per_day_units": 1}, headers=helper_headers
    )
    assert forbidden.status_code == 403
    changes = list(await session.scalars(select(NeedChange).order_by(NeedChange.id)))
    assert [(c.field, c.old_value, c.new_value, c.changed_by_id) for c in changes] == [
        ("per_day_units", 300, 250, owner_id),
        ("target_units", 200, 150, owner_id),
    ]


async def test_volunteers_cannot_change_a_need(client, session):
    campaign = await create_campaign(session)
    need_id = (await create_need(session, campaign)).id
    await volunteer(session, campaign)
    await log_in(client, "vol@example.org")
    response = await post_form(
        client, f"{GOODS}/needs/{need_id}/quantity", {f"quantity_{need_id}": "1"},
        "/dashboard/c/palidzesim/desk",
    )  # fmt: skip
    assert response.status_code == 403
    assert (await session.get(Need, need_id)).per_day_units == 300
