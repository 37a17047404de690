"""Capacity under real concurrency: many people pledge at once against a live server."""

import asyncio

import httpx
from sqlalchemy import func, select

from app.db import utcnow
from app.inkind import ledger
from app.inkind.models import Pledge, PledgeLine, PledgeStatus
from tests.e2e.live_data import live_session
from tests.factories import create_campaign
from tests.inkind.factories import create_need, create_point, create_slot, pledge


async def race(url: str, bodies: list[dict]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def send(index: int, body: dict) -> httpx.Response:
            # Each request comes from its own person (the rate limit counts per address).
            headers = {"X-Forwarded-For": f"10.0.{index // 250}.{index % 250}"}
            return await client.post(body.pop("_path"), json=body, headers=headers)

        return await asyncio.gather(*(send(i, body) for i, body in enumerate(bodies)))


async def test_200_people_race_for_the_last_50_diapers(live_server):
    today = utcnow().date()
    async with live_session(live_server) as session:
        campaign = await create_campaign(session, hashtag="race50")
        diapers = await create_need(
            session, campaign, policy="hard_cap", per_day_units=300, max_per_pledge=300
        )
        await pledge(session, campaign, {diapers: 250}, today=today)
        campaign_id, need_id = campaign.id, diapers.id
    path = "/api/v1/campaigns/race50/pledges"
    bodies = [
        {"_path": path, "donor_name": f"Donor {i}", "lines": [{"need_id": need_id, "quantity": 1}]}
        for i in range(200)
    ]
    responses = await race(live_server.url, bodies)

    statuses = [response.status_code for response in responses]
    assert statuses.count(201) == 50, statuses
    assert statuses.count(409) == 150, statuses
    refusal = next(r for r in responses if r.status_code == 409).json()
    assert refusal["errors"][0]["message"].startswith("Diapers, size 1 is already covered")
    async with live_session(live_server) as session:
        units = await session.scalar(
            select(func.sum(PledgeLine.units))
            .join(Pledge, Pledge.id == PledgeLine.pledge_id)
            .where(Pledge.campaign_id == campaign_id, Pledge.status == PledgeStatus.PLEDGED)
        )
        assert units == 300
        assert await ledger.cached_totals(session, campaign_id) == (
            await ledger.totals_from_ledger(session, campaign_id)
        )
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        needs = (await client.get("/api/v1/campaigns/race50/needs")).json()
    assert (needs[0]["pledged"], needs[0]["missing"]) == (300, 0)


async def test_a_slot_for_20_visits_takes_exactly_20_pledges(live_server):
    today = utcnow().date()
    async with live_session(live_server) as session:
        campaign = await create_campaign(session, hashtag="raceslot")
        milk = await create_need(session, campaign, item="Formula milk", unit="bottles")
        point = await create_point(session, campaign)
        slot = await create_slot(session, point, day=today, capacity=20)
        need_id, slot_id, campaign_id = milk.id, slot.id, campaign.id
    path = "/api/v1/campaigns/raceslot/pledges"
    bodies = [
        {"_path": path, "donor_name": f"Donor {i}", "slot_id": slot_id,
         "lines": [{"need_id": need_id, "quantity": 6}]}
        for i in range(60)
    ]  # fmt: skip
    statuses = [r.status_code for r in await race(live_server.url, bodies)]
    assert (statuses.count(201), statuses.count(409)) == (20, 40), statuses
    async with live_session(live_server) as session:
        booked = await session.scalar(
            select(func.count(Pledge.id)).where(
                Pledge.campaign_id == campaign_id, Pledge.slot_id == slot_id
            )
        )
        assert booked == 20


async def test_a_retried_pledge_racing_itself_for_the_last_units_gets_its_pledge_back(
    live_server,
):
    today = utcnow().date()
    async with live_session(live_server) as session:
        campaign = await create_campaign(session, hashtag="retryrace")
        diapers = await create_need(
            session, campaign, policy="hard_cap", per_day_units=300, max_per_pledge=300
        )
        await pledge(session, campaign, {diapers: 295}, today=today)
        need_id = diapers.id
    path = "/api/v1/campaigns/retryrace/pledges"
    # One donor's phone retrying the same submit ten times at once (same idempotency key),
    # switching between networks (a different address each time).
    body = {"_path": path, "donor_name": "Līga", "idempotency_key": "retry-key-1",
            "lines": [{"need_id": need_id, "quantity": 5}]}  # fmt: skip
    responses = await race(live_server.url, [dict(body) for _ in range(10)])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 9 + [201], statuses
    assert len({response.json()["code"] for response in responses}) == 1
    assert len({response.json()["manage_url"] for response in responses}) == 1
