"""`aidons check-ledgers`: every cached total against its ledger, drifts reported with ids."""

import asyncio
import logging
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app import jobs, ledgers
from app.campaigns.service import find_by_tag
from app.db import make_engine, utcnow
from app.demo import load_demo
from app.donations import service as donations
from app.donations.models import KittyTotal
from app.inkind import closing, deliveries, needs, pledges
from app.inkind.models import InkindTotal, PledgeLine
from app.inkind.schemas import DeliveryCreate, PledgeCreate
from tests.dbutil import migrate, reset_database, sibling_database_url


async def realistic_data(session, sessionmaker):
    """#palidzesim's demo, then what a week brings: changed, cancelled and expired pledges,
    goods of a cancelled pledge brought anyway, a correction, refunds and a dispute."""
    user, _created = await load_demo(session)
    campaign, _tag = await find_by_tag(session, "palidzesim")
    diapers, milk, _blankets = await needs.list_needs(session, campaign)
    today = utcnow().date()

    async def pledge(**lines):
        data = PledgeCreate(
            donor_name="Ilze",
            lines=[{"need_id": need.id, "quantity": n} for need, n in lines.values()],
        )
        return (await pledges.create_pledge(session, campaign, data, today)).pledge

    async def deliver(**fields):
        return await deliveries.record_delivery(
            session, campaign, user, DeliveryCreate(**fields), today
        )

    changed = await pledge(d=(diapers, 60), m=(milk, 12))
    await pledges.change_quantities(session, campaign, changed, {diapers.id: 90}, actor="donor")
    await deliver(
        pledge_code=changed.code,
        lines=[{"need_id": diapers.id, "accepted_units": 40, "refused_units": 5,
                "refusal_reason": "opened"}],
    )  # fmt: skip
    await closing.cancel(session, changed, actor="donor")
    # Goods of a cancelled pledge are welcome: they count as a walk-in.
    await deliver(pledge_code=changed.code, lines=[{"need_id": milk.id, "accepted_units": 12}])
    await closing.cancel(session, await pledge(d=(diapers, 30)), actor="team")
    await pledge(m=(milk, 24))  # forgotten: expires below
    await deliveries.correct(session, campaign, user, diapers.id, today, -5, 0, "counted twice")

    gift = donations.GiftInput(5000, donor_name="Ilze")
    refunded = await donations.record_offline(session, campaign, user, gift, "cash", today)
    await donations.refund(session, refunded.id, 1500, "gave too much", user)
    disputed = await donations.record_offline(session, campaign, user, gift, "cheque", today)
    await donations.mark_disputed(session, await donations.lock(session, disputed.id))
    await session.commit()
    assert await closing.expire_due(sessionmaker, today=today + timedelta(days=3)) >= 1
    return campaign, diapers, changed


async def test_realistic_data_leaves_every_cached_total_equal_to_its_ledger(session, sessionmaker):
    await realistic_data(session, sessionmaker)
    assert await ledgers.check(session) == []
    report = ledgers.report([])
    assert report == "Ledgers check: every cached total equals its ledger."


@pytest.mark.ledger_drift
async def test_a_drifted_kitty_is_reported_with_its_campaign(session, sessionmaker):
    campaign, _diapers, _pledge = await realistic_data(session, sessionmaker)
    raised, donors = await donations.ledger_totals(session, campaign.id)
    await session.execute(
        update(KittyTotal)
        .where(KittyTotal.campaign_id == campaign.id)
        .values(raised_minor=KittyTotal.raised_minor + 500)
    )
    [drift] = await ledgers.check(session)
    assert drift == ledgers.Drift(
        "kitty",
        (("campaign", campaign.id),),
        {"raised_minor": raised + 500, "donors": donors},
        {"raised_minor": raised, "donors": donors},
    )
    assert ledgers.report([drift]).splitlines() == [
        "Ledgers check: 1 cached total(s) differ from their ledger:",
        f"  kitty campaign={campaign.id}: raised_minor cached {raised + 500} vs ledger {raised}",
    ]
    # A lost total row is a drift too: the page would show nothing raised.
    await session.execute(delete(KittyTotal).where(KittyTotal.campaign_id == campaign.id))
    [drift] = await ledgers.check(session)
    assert str(drift) == (
        f"kitty campaign={campaign.id}: raised_minor cached 0 vs ledger {raised}, "
        f"donors cached 0 vs ledger {donors}"
    )


@pytest.mark.ledger_drift
async def test_a_drifted_need_day_bucket_is_reported_with_its_need_and_day(session, sessionmaker):
    _campaign, diapers, _pledge = await realistic_data(session, sessionmaker)
    today = utcnow().date()
    total = await session.scalar(
        select(InkindTotal).where(InkindTotal.need_id == diapers.id, InkindTotal.day == today)
    )
    received = total.received
    await session.execute(
        update(InkindTotal)
        .where(InkindTotal.need_id == diapers.id, InkindTotal.day == today)
        .values(received=InkindTotal.received + 30)
    )
    [drift] = await ledgers.check(session)
    assert drift.what == "goods total"
    assert drift.ids == (("need", diapers.id), ("day", today))
    assert str(drift) == (
        f"goods total need={diapers.id} day={today.isoformat()}: "
        f"received cached {received + 30} vs ledger {received}"
    )
    await session.execute(delete(InkindTotal).where(InkindTotal.need_id == diapers.id))
    drifts = await ledgers.check(session)
    assert {drift.ids for drift in drifts} >= {(("need", diapers.id), ("day", today))}
    assert all(
        drift.cached == {"pledged": 0, "received": 0, "refused": 0, "used": 0} for drift in drifts
    )


@pytest.mark.ledger_drift
async def test_a_drifted_pledge_line_is_reported_with_its_pledge_line_and_need(
    session, sessionmaker
):
    _campaign, diapers, changed = await realistic_data(session, sessionmaker)
    line = next(line for line in changed.lines if line.need_id == diapers.id)
    assert (line.received_units, line.refused_units) == (40, 5)
    await session.execute(
        update(PledgeLine).where(PledgeLine.id == line.id).values(received_units=45)
    )
    [drift] = await ledgers.check(session)
    assert str(drift) == (
        f"pledge line pledge={changed.id} line={line.id} need={diapers.id}: "
        "received_units cached 45 vs ledger 40"
    )
    # A live pledge whose promise changed without its entry: "pledged" on the need is wrong.
    await session.execute(
        update(PledgeLine).where(PledgeLine.id == line.id).values(received_units=40)
    )
    alive = await pledges.create_pledge(
        session,
        _campaign,
        PledgeCreate(donor_name="Rūta", lines=[{"need_id": diapers.id, "quantity": 30}]),
        utcnow().date(),
    )
    [alive_line] = alive.pledge.lines
    await session.execute(update(PledgeLine).where(PledgeLine.id == alive_line.id).values(units=20))
    [drift] = await ledgers.check(session)
    assert str(drift) == (
        f"pledge line pledge={alive.pledge.id} line={alive_line.id} need={diapers.id}: "
        "open_units cached 20 vs ledger 30"
    )


@pytest.mark.ledger_drift
async def test_the_hourly_job_logs_one_error_per_drift(session, sessionmaker, caplog):
    campaign, diapers, _pledge = await realistic_data(session, sessionmaker)
    assert await ledgers.check_job(sessionmaker) == 0
    await session.execute(
        update(KittyTotal).where(KittyTotal.campaign_id == campaign.id).values(donors=99)
    )
    await session.execute(
        update(InkindTotal).where(InkindTotal.need_id == diapers.id).values(refused=1000)
    )
    await session.commit()
    with caplog.at_level(logging.ERROR, logger="aidons.ledgers"):
        drifts = await ledgers.check_job(sessionmaker)
    errors = [r.getMessage() for r in caplog.records if r.name == "aidons.ledgers"]
    assert drifts == len(errors) >= 2
    assert f"ledger drift: kitty campaign={campaign.id}: donors cached 99" in errors[0]
    assert all(f"goods total need={diapers.id}" in error for error in errors[1:])


def test_the_check_runs_every_hour():
    jobs.register_builtin_jobs()
    job = next(job for job in jobs.JOBS if job.name == "check-ledgers")
    assert (job.run, job.every_seconds) == (ledgers.check_job, 3600)


async def _corrupt_one_of_each(url: str):
    """A kitty, a (need, day) bucket and a pledge line pushed off their ledger, committed."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            campaign_id = await connection.scalar(select(KittyTotal.campaign_id))
            totals = await connection.execute(select(InkindTotal.need_id, InkindTotal.day))
            need_id, day = totals.first()
            line = (
                await connection.execute(
                    select(PledgeLine.id, PledgeLine.pledge_id, PledgeLine.need_id).where(
                        PledgeLine.received_units > 0
                    )
                )
            ).first()
            await connection.execute(update(KittyTotal).values(raised_minor=7))
            await connection.execute(
                update(InkindTotal)
                .where(InkindTotal.need_id == need_id, InkindTotal.day == day)
                .values(pledged=InkindTotal.pledged + 1)
            )
            await connection.execute(
                update(PledgeLine)
                .where(PledgeLine.id == line.id)
                .values(refused_units=PledgeLine.refused_units + 2)
            )
    finally:
        await engine.dispose()
    return campaign_id, (need_id, day), line


def test_the_command_exits_non_zero_on_drift_and_names_the_rows(migrated_database):
    url = sibling_database_url(migrated_database, "ledgers")
    reset_database(url)
    migrate(url)
    env = {"DATABASE_URL": url, "SECRET_KEY": "k" * 40, "PATH": "/usr/bin:/bin"}

    def aidons(*args):
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True
        )

    assert aidons("demo").returncode == 0
    clean = aidons("check-ledgers")
    assert (clean.returncode, clean.stdout) == (
        0,
        "Ledgers check: every cached total equals its ledger.\n",
    )
    campaign_id, (need_id, day), line = asyncio.run(_corrupt_one_of_each(url))

    drifted = aidons("check-ledgers")
    assert drifted.returncode == 1, drifted.stderr
    out = drifted.stdout
    assert out.startswith("Ledgers check: 3 cached total(s) differ from their ledger:\n")
    assert f"  kitty campaign={campaign_id}: raised_minor cached 7 vs ledger " in out
    assert f"  goods total need={need_id} day={day.isoformat()}: pledged cached " in out
    assert (
        f"  pledge line pledge={line.pledge_id} line={line.id} need={line.need_id}: "
        "refused_units cached "
    ) in out
