"""The goods API: needs, pledges (idempotent), pledge lookup, deliveries, progress."""

from datetime import timedelta

from sqlalchemy import func, select

from app.db import utcnow
from app.inkind.models import Pledge
from tests.factories import api_token, create_campaign, create_user
from tests.inkind.factories import create_need, pledge, volunteer


def today():
    return utcnow().date()


async def test_needs_api_lists_figures_and_organizers_add_needs(client, session):
    campaign = await create_campaign(session)
    owner = await create_user(session, email="boss@example.org")
    from app.accounts.models import Role
    from app.campaigns.models import Membership

    session.add(Membership(campaign_id=campaign.id, user_id=owner.id, role=Role.ORGANIZER))
    headers = await api_token(session, owner)
    body = {"item": "Formula milk", "unit": "bottles", "kind": "daily", "per_day_units": 300,
            "reason": "110 newborns", "priority": 1}  # fmt: skip
    response = await client.post("/api/v1/campaigns/palidzesim/needs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    milk = response.json()
    assert (milk["needed"], milk["missing"], len(milk["days"])) == (300, 300, 7)
    bad = await client.post(
        "/api/v1/campaigns/palidzesim/needs",
        json={**body, "per_day_units": 0}, headers=headers,
    )  # fmt: skip
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"] == [{"field": "per_day_units", "message": "Must be at least 1."}]
    anonymous = await client.post("/api/v1/campaigns/palidzesim/needs", json=body)
    assert anonymous.status_code == 401
    listed = (await client.get("/api/v1/campaigns/palidzesim/needs")).json()
    assert [n["item"] for n in listed] == ["Formula milk"]


async def test_api_pledge_is_idempotent_and_checks_caps(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign, policy="hard_cap", per_day_units=50)
    need_id = diapers.id
    body = {"donor_name": "Anna", "donor_email": "anna@example.org",
            "lines": [{"need_id": need_id, "quantity": 1, "per": "pack"}],
            "idempotency_key": "a-random-uuid-0001"}  # fmt: skip
    first = await client.post("/api/v1/campaigns/palidzesim/pledges", json=body)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["status"] == "pledged" and created["lines"][0]["units"] == 30
    assert created["manage_url"].startswith(f"http://testserver/pledges/{created['code']}?t=")
    again = await client.post("/api/v1/campaigns/palidzesim/pledges", json=body)
    assert again.status_code == 200 and again.json()["manage_url"] == created["manage_url"]
    assert await session.scalar(select(func.count()).select_from(Pledge)) == 1

    over = await client.post(
        "/api/v1/campaigns/palidzesim/pledges",
        json={"donor_name": "Bo", "lines": [{"need_id": need_id, "quantity": 21}]},
    )
    assert over.status_code == 409
    problem = over.json()
    assert problem["detail"] == "Some of this is already covered. Here is what is still needed."
    assert problem["errors"] == [
        {"field": "lines.0.quantity",
         "message": "Only 20 diapers are still needed: pledge 20 or fewer."}
    ]  # fmt: skip
    for lines, field in (
        ([{"need_id": need_id, "quantity": 0}], "lines.0.quantity"),
        ([{"need_id": need_id, "quantity": -3}], "lines.0.quantity"),
        ([{"need_id": 424242, "quantity": 3}], "lines.0.need_id"),
        ([], "lines"),
    ):
        response = await client.post(
            "/api/v1/campaigns/palidzesim/pledges", json={"donor_name": "Cy", "lines": lines}
        )
        assert response.status_code == 422, lines
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert await session.scalar(select(func.count()).select_from(Pledge)) == 1


async def test_pledge_lookup_for_donor_team_and_strangers(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    result = await pledge(session, campaign, {diapers: 10}, today=today(), donor_phone="+37120")
    code, token = result.pledge.code, result.token
    member = await volunteer(session, campaign)
    team_headers = await api_token(session, member)
    other = await create_campaign(session, hashtag="HelpChallenge")
    stranger = await volunteer(session, other, email="stranger@example.org")
    stranger_headers = await api_token(session, stranger)

    as_donor = await client.get(f"/api/v1/pledges/{code}", params={"t": token})
    assert as_donor.status_code == 200 and as_donor.json()["donor_phone"] == "+37120"
    as_team = await client.get(f"/api/v1/pledges/{code}", headers=team_headers)
    assert as_team.status_code == 200 and as_team.json()["donor_phone"] == "+37120"
    assert (
        await client.get(f"/api/v1/pledges/{code}", headers=stranger_headers)
    ).status_code == 403
    assert (await client.get(f"/api/v1/pledges/{code}", params={"t": "nope"})).status_code == 403
    assert (await client.get(f"/api/v1/pledges/{code}")).status_code == 403


async def test_deliveries_api_for_the_team_only_and_progress_shows_the_needs(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign, max_per_pledge=150)
    need_id = diapers.id
    result = await pledge(session, campaign, {diapers: 100}, today=today())
    code = result.pledge.code
    member = await volunteer(session, campaign)
    headers = await api_token(session, member)
    other = await create_campaign(session, hashtag="HelpChallenge")
    outsider_headers = await api_token(session, await volunteer(session, other, "x@example.org"))
    url = "/api/v1/campaigns/palidzesim/deliveries"

    assert (await client.post(url, json={"pledge_code": code, "full": True})).status_code == 401
    refused = await client.post(
        url, json={"pledge_code": code, "full": True}, headers=outsider_headers
    )
    assert refused.status_code == 403
    bad = await client.post(
        url, headers=headers,
        json={"lines": [{"need_id": need_id, "accepted_units": 5, "refused_units": 2}]},
    )  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "lines.0.refusal_reason"
    done = await client.post(url, json={"pledge_code": code, "full": True}, headers=headers)
    assert done.status_code == 201, done.text
    assert done.json()["pledge_status"] == "received"
    walk_in = await client.post(
        url, headers=headers,
        json={"lines": [{"need_id": need_id, "accepted_units": 40, "refused_units": 5,
                         "refusal_reason": "expired"}], "donor_name": "Neighbour"},
    )  # fmt: skip
    assert walk_in.status_code == 201

    progress = (await client.get("/api/v1/campaigns/palidzesim/progress")).json()
    assert progress["raised_minor"] == 0  # money is the kitty's business
    [need] = progress["needs"]
    figures = [need[key] for key in ("needed", "pledged", "received", "refused", "missing")]
    assert figures == [300, 0, 140, 5, 160]
    assert need["days"][1]["day"] == (today() + timedelta(days=1)).isoformat()
