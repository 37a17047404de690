"""Pledge lifecycle and the figures: pledged → partially_received → received, cancelled,
expired, waitlisted; daily needs across days; packs vs units; counters equal the ledger."""

from datetime import timedelta

import pytest

from app.errors import Conflict, ValidationFailed
from app.inkind import closing, deliveries, ledger, needs, pledges
from app.inkind.models import PledgeStatus
from tests.factories import create_campaign
from tests.inkind.factories import (
    TODAY,
    create_need,
    create_point,
    create_slot,
    deliver,
    pledge,
    volunteer,
)


async def figures_of(session, campaign, today=TODAY):
    all_needs = await needs.list_needs(session, campaign, active_only=False)
    return {f.need.item.name: f for f in await needs.figures(session, all_needs, today)}


async def assert_counters_match_ledger(session, campaign):
    await session.flush()
    assert await ledger.cached_totals(session, campaign.id) == await ledger.totals_from_ledger(
        session, campaign.id
    )


async def test_pledged_then_partially_then_fully_received(session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign, max_per_pledge=100)
    user = await volunteer(session, campaign)
    result = await pledge(session, campaign, {diapers: 100})
    assert result.pledge.status == PledgeStatus.PLEDGED
    assert len(result.pledge.code) == 6 and not set(result.pledge.code) & set("0O1IL")
    today = (await figures_of(session, campaign))["Diapers, size 1"].current
    assert (today.needed, today.pledged, today.received, today.missing) == (300, 100, 0, 200)

    await deliver(
        session, campaign, user, pledge_code=result.pledge.code,
        lines=[{"need_id": diapers.id, "accepted_units": 40, "refused_units": 10,
                "refusal_reason": "opened"}],
    )  # fmt: skip
    assert result.pledge.status == PledgeStatus.PARTIALLY_RECEIVED
    today = (await figures_of(session, campaign))["Diapers, size 1"].current
    assert (today.pledged, today.received, today.refused, today.missing) == (50, 40, 10, 210)

    await deliver(session, campaign, user, pledge_code=result.pledge.code.lower(), full=True)
    assert result.pledge.status == PledgeStatus.RECEIVED
    today = (await figures_of(session, campaign))["Diapers, size 1"].current
    assert (today.pledged, today.received, today.missing) == (0, 90, 210)
    with pytest.raises(Conflict):
        await deliver(session, campaign, user, pledge_code=result.pledge.code, full=True)
    await assert_counters_match_ledger(session, campaign)


async def test_cancelled_and_expired_pledges_stop_counting(session, sessionmaker):
    campaign = await create_campaign(session)
    blankets = await create_need(
        session, campaign, item="Baby blankets", unit="blankets", pack_size=None,
        kind="one_off", target_units=200, per_day_units=None, deadline=TODAY + timedelta(days=14),
    )  # fmt: skip
    kept = await pledge(session, campaign, {blankets: 20})
    cancelled = await pledge(session, campaign, {blankets: 30})
    forgotten = await pledge(session, campaign, {blankets: 50}, due_on=TODAY + timedelta(days=1))
    assert (await figures_of(session, campaign))["Baby blankets"].current.pledged == 100

    await closing.cancel(session, cancelled.pledge, actor="donor")
    assert cancelled.pledge.status == PledgeStatus.CANCELLED
    with pytest.raises(Conflict):
        await closing.cancel(session, cancelled.pledge, actor="donor")
    assert (await figures_of(session, campaign))["Baby blankets"].current.pledged == 70
    await session.commit()

    # Two days of grace after the pledge's day: not yet…
    assert await closing.expire_due(sessionmaker, today=TODAY + timedelta(days=3)) == 1
    await session.refresh(kept.pledge)
    await session.refresh(forgotten.pledge)
    assert kept.pledge.status == PledgeStatus.EXPIRED  # its day was TODAY
    assert forgotten.pledge.status == PledgeStatus.PLEDGED
    assert await closing.expire_due(sessionmaker, today=TODAY + timedelta(days=4)) == 1
    await session.refresh(forgotten.pledge)
    assert forgotten.pledge.status == PledgeStatus.EXPIRED
    current = (await figures_of(session, campaign))["Baby blankets"].current
    assert (current.pledged, current.missing) == (0, 200)
    await assert_counters_match_ledger(session, campaign)


async def test_expiry_keeps_what_arrived_and_releases_the_rest(session, sessionmaker):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    user = await volunteer(session, campaign)
    result = await pledge(session, campaign, {diapers: 90})
    await deliver(
        session, campaign, user, pledge_code=result.pledge.code,
        lines=[{"need_id": diapers.id, "accepted_units": 30}],
    )  # fmt: skip
    await session.commit()
    assert await closing.expire_due(sessionmaker, today=TODAY + timedelta(days=3)) == 1
    await session.refresh(result.pledge)
    assert result.pledge.status == PledgeStatus.RECEIVED
    assert result.pledge.lines[0].units == 30
    current = (await figures_of(session, campaign))["Diapers, size 1"].current
    assert (current.pledged, current.received) == (0, 30)
    await assert_counters_match_ledger(session, campaign)


async def test_daily_need_counts_each_day_on_its_own(session):
    campaign = await create_campaign(session)
    milk = await create_need(
        session, campaign, item="Formula milk", unit="bottles", pack_size=6,
        per_day_units=300, starts_on=TODAY, ends_on=TODAY + timedelta(days=30),
        max_per_pledge=300,
    )  # fmt: skip
    user = await volunteer(session, campaign)
    await pledge(session, campaign, {milk: 120})
    tomorrow = await pledge(session, campaign, {milk: 300}, due_on=TODAY + timedelta(days=1))
    await deliver(session, campaign, user, lines=[{"need_id": milk.id, "accepted_units": 60}])

    days = (await figures_of(session, campaign))["Formula milk"].days
    assert [(d.day, d.pledged, d.received, d.missing) for d in days[:3]] == [
        (TODAY, 120, 60, 120),
        (TODAY + timedelta(days=1), 300, 0, 0),
        (TODAY + timedelta(days=2), 0, 0, 300),
    ]
    assert len(days) == 7
    # The pledge for tomorrow arrives a day late: it settles tomorrow's promise, and counts as
    # received on the day it arrived.
    await deliver(
        session, campaign, user, today=TODAY + timedelta(days=2),
        pledge_code=tomorrow.pledge.code, full=True,
    )  # fmt: skip
    later = (await figures_of(session, campaign, TODAY + timedelta(days=1)))["Formula milk"]
    assert [(d.pledged, d.received) for d in later.days[:2]] == [(0, 0), (0, 300)]
    assert later.received_all_time == 360
    await assert_counters_match_ledger(session, campaign)


async def test_packs_are_counted_in_units(session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    result = await pledges.create_pledge(
        session, campaign,
        pledges.PledgeCreate(
            donor_name="Anna", lines=[{"need_id": diapers.id, "quantity": 3, "per": "pack"}]
        ),
        TODAY,
    )  # fmt: skip
    assert result.pledge.lines[0].units == 90
    assert (await figures_of(session, campaign))["Diapers, size 1"].current.pledged == 90
    blankets = await create_need(
        session, campaign, item="Blankets", unit="blankets", pack_size=None, kind="one_off",
        target_units=10, per_day_units=None,
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as failure:
        await pledges.create_pledge(
            session, campaign,
            pledges.PledgeCreate(
                donor_name="Anna", lines=[{"need_id": blankets.id, "quantity": 1, "per": "pack"}]
            ),
            TODAY,
        )  # fmt: skip
    assert failure.value.by_field() == {
        "lines.0.quantity": "This item is counted in units, not packs."
    }


async def test_hard_cap_refuses_what_is_covered_and_waitlist_waits(session):
    campaign = await create_campaign(session)
    capped = await create_need(session, campaign, policy="hard_cap", per_day_units=50)
    waiting = await create_need(
        session, campaign, item="Formula milk", unit="bottles", pack_size=None,
        policy="waitlist", per_day_units=10, max_per_pledge=20,
    )  # fmt: skip
    await pledge(session, campaign, {capped: 40})
    with pytest.raises(Conflict) as failure:
        await pledge(session, campaign, {capped: 11})
    assert failure.value.by_field() if hasattr(failure.value, "by_field") else True
    assert failure.value.field_errors[0].message == (
        "Only 10 diapers are still needed: pledge 10 or fewer."
    )
    await pledge(session, campaign, {capped: 10})
    with pytest.raises(Conflict) as failure:
        await pledge(session, campaign, {capped: 1})
    assert "already covered" in failure.value.field_errors[0].message
    # Tomorrow is another day.
    await pledge(session, campaign, {capped: 50}, due_on=TODAY + timedelta(days=1))

    result = await pledge(session, campaign, {waiting: 11})
    assert result.pledge.status == PledgeStatus.WAITLISTED
    assert (await figures_of(session, campaign))["Formula milk"].current.pledged == 0
    await assert_counters_match_ledger(session, campaign)


async def test_donor_changes_quantities_within_limits(session):
    campaign = await create_campaign(session)
    capped = await create_need(
        session, campaign, policy="hard_cap", per_day_units=100, max_per_pledge=100
    )
    user = await volunteer(session, campaign)
    result = await pledge(session, campaign, {capped: 50})
    await pledge(session, campaign, {capped: 30})
    await deliver(
        session, campaign, user, pledge_code=result.pledge.code,
        lines=[{"need_id": capped.id, "accepted_units": 20}],
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as failure:
        await pledges.change_quantities(
            session, campaign, result.pledge, {capped.id: 10}, actor="donor"
        )
    assert failure.value.by_field() == {
        f"units.{capped.id}": "At least 20: that much already arrived."
    }
    with pytest.raises(ValidationFailed) as failure:
        await pledges.change_quantities(
            session, campaign, result.pledge, {capped.id: 71}, actor="donor"
        )
    assert failure.value.by_field() == {
        f"units.{capped.id}": "At most 70: the rest is already covered."
    }
    await pledges.change_quantities(
        session, campaign, result.pledge, {capped.id: 70}, actor="donor"
    )
    current = (await figures_of(session, campaign))["Diapers, size 1"].current
    assert (current.pledged, current.received, current.missing) == (80, 20, 0)
    await assert_counters_match_ledger(session, campaign)


async def test_full_slot_closed_campaign_and_unknown_need_are_refused(session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    point = await create_point(session, campaign)
    slot = await create_slot(session, point, capacity=1)
    await pledge(session, campaign, {diapers: 10}, slot_id=slot.id)
    with pytest.raises(Conflict) as failure:
        await pledge(session, campaign, {diapers: 10}, slot_id=slot.id)
    assert failure.value.field_errors[0].field == "slot_id"
    with pytest.raises(ValidationFailed) as failure:
        await pledges.create_pledge(
            session, campaign,
            pledges.PledgeCreate(donor_name="A", lines=[{"need_id": 999999, "quantity": 1}]),
            TODAY,
        )  # fmt: skip
    assert "lines.0.need_id" in failure.value.by_field()
    paused = await create_campaign(session, hashtag="HelpChallenge", status="paused")
    with pytest.raises(Conflict):
        await pledge(session, paused, {diapers: 1})


async def test_corrections_are_new_entries_with_who_and_why(session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    user = await volunteer(session, campaign)
    await deliver(session, campaign, user, lines=[{"need_id": diapers.id, "accepted_units": 120}])
    await deliveries.correct(
        session, campaign, user, diapers.id, TODAY, -20, 0, "miscounted a pack"
    )
    with pytest.raises(ValidationFailed):
        await deliveries.correct(session, campaign, user, diapers.id, TODAY, -500, 0, "oops")
    with pytest.raises(ValidationFailed):
        await deliveries.correct(session, campaign, user, diapers.id, TODAY, 5, 0, "")
    assert (await figures_of(session, campaign))["Diapers, size 1"].current.received == 100
    from sqlalchemy import select

    from app.inkind.models import InkindEntry

    entries = list(await session.scalars(select(InkindEntry).order_by(InkindEntry.id)))
    assert [(e.kind, e.received_delta, e.actor_id, e.note) for e in entries] == [
        ("received", 120, user.id, ""),
        ("correction", -20, user.id, "miscounted a pack"),
    ]
    await assert_counters_match_ledger(session, campaign)
