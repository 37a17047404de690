"""Benchmark goods on PostgreSQL: pledges/s under concurrency, and the progress endpoint's time
with 100 and with 100,000 in-kind ledger entries (it reads cached totals, so it must not grow).

    .venv/bin/python scripts/bench_pledges.py [--port 8250] [--seconds 10] [--concurrency 50]

It builds its own database (aidons_inkind_bench), starts one `aidons serve` worker on
127.0.0.1, sends bounded traffic to it, prints the figures and stops the server.
"""

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import benchlib  # noqa: E402
from tests.dbutil import migrate, reset_database  # noqa: E402

BENCH_URL = "postgresql://postgres@127.0.0.1:5432/aidons_inkind_bench"


async def seed(url: str) -> dict:
    """Two campaigns: one whose ledger we grow, one that takes the pledges."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from app.accounts import service as accounts
    from app.campaigns import service as campaigns
    from app.campaigns.models import CampaignStatus
    from app.campaigns.schemas import CampaignCreate
    from app.config import async_database_url
    from app.db import make_engine, utcnow
    from app.inkind import needs
    from app.inkind.schemas import NeedCreate

    engine = make_engine(async_database_url(url))
    ids = {}
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        user = await accounts.sign_up(session, "bench@example.org", "bench password long", "Bench")
        for tag in ("benchledger", "benchpledge"):
            data = CampaignCreate(
                hashtag=tag, title="Diapers and milk", beneficiary="Shelter", currency="EUR"
            )
            campaign = await campaigns.create_campaign(session, user, data)
            await campaigns.change_status(session, campaign, CampaignStatus.LIVE)
            made = []
            for item, policy in (("Diapers", "accept_surplus"), ("Formula milk", "hard_cap")):
                need = await needs.create_need(
                    session,
                    campaign,
                    NeedCreate(
                        item=item, unit="units", kind="daily", per_day_units=1_000_000,
                        reason="110 newborns", policy=policy,
                    ),
                )  # fmt: skip
                made.append(need.id)
            ids[tag] = {"campaign": campaign.id, "needs": made}
        await session.commit()
    ids["today"] = utcnow().date()
    await engine.dispose()
    return ids


def bulk_ledger(url: str, campaign_id: int, need_ids: list[int], count: int, today) -> None:
    """Append `count` received entries spread over 100 days, and bring the totals in line."""
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        with cursor.copy(
            "COPY inkind_entries (campaign_id, need_id, day, kind, pledged_delta, received_delta,"
            " refused_delta, refusal_reason, actor, note, created_at) FROM STDIN"
        ) as copy:
            for n in range(count):
                day = today - timedelta(days=n % 100)
                need_id = need_ids[n % len(need_ids)]
                copy.write_row(
                    (campaign_id, need_id, day, "received", 0, 3, 0, "", "team", "", "now()")
                )
        cursor.execute(
            """
            INSERT INTO inkind_totals (need_id, day, pledged, received, refused)
            SELECT need_id, day, SUM(pledged_delta), SUM(received_delta), SUM(refused_delta)
            FROM inkind_entries WHERE campaign_id = %s GROUP BY need_id, day
            ON CONFLICT (need_id, day) DO UPDATE SET pledged = EXCLUDED.pledged,
                received = EXCLUDED.received, refused = EXCLUDED.refused
            """,
            (campaign_id,),
        )
        cursor.execute("ANALYZE inkind_entries")
        cursor.execute("ANALYZE inkind_totals")
        cursor.execute("SELECT count(*) FROM inkind_entries WHERE campaign_id = %s", (campaign_id,))
        print(f"  ledger now holds {cursor.fetchone()[0]:,} entries for the campaign")


def start_server(url: str, port: int) -> subprocess.Popen:
    # No page cache: the figure measured is the ledger read, not a cached copy of it.
    env = benchlib.server_env(url, port, PAGE_CACHE_SECONDS="0")
    return benchlib.start_server(env, port)


async def time_progress(base: str, tag: str, requests: int = 300) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        for _warm in range(20):
            await client.get(f"/api/v1/campaigns/{tag}/progress")
        timings = []
        for _n in range(requests):
            started = time.perf_counter()
            response = await client.get(f"/api/v1/campaigns/{tag}/progress")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    timings.sort()
    return {
        "mean_ms": statistics.fmean(timings),
        "p50_ms": timings[len(timings) // 2],
        "p95_ms": timings[int(len(timings) * 0.95)],
        "received_all_time": response.json()["needs"][0]["received_all_time"],
    }


def address(n: int) -> str:
    return f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250}"


async def pledge_load(base: str, need_id: int, seconds: float, concurrency: int) -> dict:
    """`concurrency` donors pledging in a loop for `seconds`; each request from its own address."""
    counter = {"sent": 0, "created": 0, "other": 0}
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def donor(worker: int) -> None:
            while time.monotonic() < deadline:
                n = counter["sent"]
                counter["sent"] += 1
                response = await client.post(
                    "/api/v1/campaigns/benchpledge/pledges",
                    json={"donor_name": f"Donor {n}",
                          "lines": [{"need_id": need_id, "quantity": 3}]},
                    headers={"X-Forwarded-For": address(n)},
                )  # fmt: skip
                counter["created" if response.status_code == 201 else "other"] += 1

        started = time.monotonic()
        await asyncio.gather(*(donor(w) for w in range(concurrency)))
        elapsed = time.monotonic() - started
    return {**counter, "seconds": elapsed, "per_second": counter["created"] / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8250)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", default=BENCH_URL)
    args = parser.parse_args()
    if not 8200 <= args.port <= 8299:
        raise SystemExit("use a port between 8200 and 8299")
    print(f"database {args.database_url}: reset and migrate")
    reset_database(args.database_url)
    migrate(args.database_url)
    ids = asyncio.run(seed(args.database_url))
    ledger_campaign = ids["benchledger"]
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args.database_url, args.port)
    try:
        inserted = 0
        for target in (100, 100_000):
            bulk_ledger(
                args.database_url, ledger_campaign["campaign"], ledger_campaign["needs"],
                target - inserted, ids["today"],
            )  # fmt: skip
            inserted = target
            r = asyncio.run(time_progress(base, "benchledger"))
            print(
                f"progress with {target:>7,} ledger entries: mean {r['mean_ms']:.2f} ms, "
                f"p50 {r['p50_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms "
                f"(received all time: {r['received_all_time']:,})"
            )
        for label, need_id in (
            ("uncapped need", ids["benchpledge"]["needs"][0]),
            ("capped need (row lock)", ids["benchpledge"]["needs"][1]),
        ):
            load = asyncio.run(pledge_load(base, need_id, args.seconds, args.concurrency))
            print(
                f"pledges, {label}: {load['created']:,} created in {load['seconds']:.1f} s "
                f"with {args.concurrency} concurrent donors = {load['per_second']:.0f} pledges/s "
                f"({load['other']} other answers)"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
