"""Benchmark of what campaigns share: the progress page, the widget and the badge, each
against a bare endpoint of the same app returning as many bytes, in the same run.

The demo campaign is loaded with 100,000 succeeded donations, 100,000 in-kind ledger
entries and 500 published updates, on PostgreSQL. The server (one uvicorn worker) runs
twice: with the page cache (as deployed) and without it (every request renders).

    .venv/bin/python scripts/bench_progress.py [--database-url URL] [--seconds 8]
"""

import argparse
import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, update  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from app.campaigns import service as campaigns  # noqa: E402
from app.db import make_engine, utcnow  # noqa: E402
from app.donations import service as donations  # noqa: E402
from app.donations.models import Donation, KittyTotal  # noqa: E402
from app.inkind.models import Need  # noqa: E402
from app.updates.models import FieldUpdate  # noqa: E402
from scripts.bench_pledges import bulk_ledger  # noqa: E402
from scripts.bench_webhooks import donation_row  # noqa: E402
from scripts.benchlib import server_env, start_server, wrk  # noqa: E402
from tests.dbutil import migrate, reset_database  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/aidons_bench_progress"
DONATIONS, LEDGER_ENTRIES, UPDATES = 100_000, 100_000, 500
PATHS = ("/h/palidzesim/progress", "/h/palidzesim/embed", "/h/palidzesim/badge.svg")


async def seed(url: str) -> tuple[int, list[int]]:
    engine = make_engine(url)
    async with engine.begin() as connection:
        session = AsyncSession(bind=connection, expire_on_commit=False)
        campaign, _hashtag = await campaigns.find_by_tag(session, "palidzesim")
        for start in range(0, DONATIONS, 10_000):
            rows = [
                donation_row(campaign.id, i, 1000 + i % 5000, "succeeded")
                for i in range(start, start + 10_000)
            ]
            await session.execute(insert(Donation), rows)
        raised, donors = await donations.ledger_totals(session, campaign.id)
        await session.execute(
            update(KittyTotal)
            .where(KittyTotal.campaign_id == campaign.id)
            .values(raised_minor=raised, donors=donors)
        )
        now = utcnow()
        await session.execute(
            insert(FieldUpdate),
            [
                {
                    "campaign_id": campaign.id,
                    "title": f"Day {n}: diapers and milk delivered",
                    "body_md": "Thank you **all**.",
                    "body_html": "<p>Thank you <strong>all</strong>.</p>",
                    "video_url": "",
                    "status": "published",
                    "retraction_reason": "",
                    "created_at": now,
                    "updated_at": now,
                    "published_at": now,
                }
                for n in range(UPDATES)
            ],
        )
        need_ids = list(
            await session.scalars(select(Need.id).where(Need.campaign_id == campaign.id))
        )
        campaign_id = campaign.id
    await engine.dispose()
    return campaign_id, need_ids


def measure(env: dict, port: int, seconds: int, label: str) -> None:
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"\n{label}")
        print(f"{'endpoint':28} {'bytes':>7} {'req/s':>9} {'bare req/s':>11} {'ratio':>6}")
        for path in PATHS:
            size = len(httpx.get(base + path).content)
            bare = f"{base}/_bench/bare?size={size}"
            wrk(base + path, 2, 50)  # warm-up
            page_rps = wrk(base + path, seconds, 50)
            bare_rps = wrk(bare, seconds, 50)
            print(f"{path:28} {size:7} {page_rps:9.1f} {bare_rps:11.1f} {page_rps / bare_rps:6.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--port", type=int, default=8091)
    args = parser.parse_args()
    url = args.database_url
    reset_database(url)
    migrate(url)
    env = server_env(url, args.port, ENABLE_BENCH_ENDPOINT="true")
    subprocess.run([sys.executable, "-m", "app.cli", "demo"], env=env, cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    campaign_id, need_ids = asyncio.run(seed(url))
    bulk_ledger(url.replace("+psycopg", ""), campaign_id, need_ids, LEDGER_ENTRIES, utcnow().date())
    print(f"#palidzesim: {DONATIONS:,} gifts, {LEDGER_ENTRIES:,} ledger entries, {UPDATES} updates")
    measure(env, args.port, args.seconds, "with the page cache (PAGE_CACHE_SECONDS=3, as deployed)")
    measure({**env, "PAGE_CACHE_SECONDS": "0"}, args.port, args.seconds, "without the page cache")


if __name__ == "__main__":
    main()
