"""A slow payment provider must freeze nothing else: while donors wait for a checkout that
takes 2 s per provider call, unrelated writes (pledges on another campaign) go through.

    .venv/bin/python scripts/bench_slow_provider.py [--database-url URL] [--port 8102]

Starts a Stripe-compatible fake (tests/donations/fake_stripe.py) that answers after
--delay seconds and `aidons serve` (one uvicorn worker) pointed at it, then reports the
latency of each unrelated write made during the checkouts. SQLite by default.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from app.config import async_database_url  # noqa: E402
from app.db import make_engine  # noqa: E402
from scripts import benchlib  # noqa: E402
from tests.dbutil import migrate, reset_database  # noqa: E402
from tests.donations.fake_stripe import SECRET_KEY, FakeStripe, serve  # noqa: E402
from tests.factories import create_campaign  # noqa: E402
from tests.inkind.factories import create_need  # noqa: E402
from tests.smtp import free_port  # noqa: E402


@dataclass
class Measured:
    checkout_seconds: list[float]
    write_seconds: list[float]
    write_statuses: list[int]
    checkout_statuses: list[int]
    writes_done_before_first_checkout: int


async def seed(database_url: str) -> int:
    """A campaign taking gifts (#slowpay) and one taking goods (#goods); the need's id."""
    engine = make_engine(database_url)
    async with engine.begin() as connection:
        session = AsyncSession(bind=connection, expire_on_commit=False)
        await create_campaign(session, hashtag="slowpay")
        goods = await create_campaign(session, hashtag="goods")
        need = await create_need(session, goods)
        need_id = need.id
    await engine.dispose()
    return need_id


async def measure(url: str, need_id: int, checkouts: int = 3, writes: int = 20) -> Measured:
    """Start `checkouts` gifts, then, while the provider is answering, `writes` pledges made
    one after another (each one's latency, not a queue's)."""
    limits = httpx.Limits(max_connections=checkouts + writes, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        checkout_done_at: list[float] = []

        async def checkout(index: int):
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/campaigns/slowpay/donations",
                json={"amount_minor": 2000 + index},
                headers={"X-Forwarded-For": f"10.1.0.{index + 1}"},
            )
            checkout_done_at.append(time.perf_counter())
            return response.status_code, time.perf_counter() - started

        async def write(index: int):
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/campaigns/goods/pledges",
                json={
                    "donor_name": f"Donor {index}",
                    "lines": [{"need_id": need_id, "quantity": 1}],
                },
                headers={"X-Forwarded-For": f"10.2.{index // 250}.{index % 250 + 1}"},
            )
            return response.status_code, time.perf_counter() - started, time.perf_counter()

        gifts = [asyncio.create_task(checkout(i)) for i in range(checkouts)]
        await asyncio.sleep(0.3)  # the checkouts are now waiting on the provider
        pledges = [await write(i) for i in range(writes)]  # one after another: each one's own time
        gift_results = await asyncio.gather(*gifts)
    first_checkout = min(checkout_done_at)
    return Measured(
        checkout_seconds=[seconds for _status, seconds in gift_results],
        write_seconds=[seconds for _status, seconds, _at in pledges],
        write_statuses=[status for status, _seconds, _at in pledges],
        checkout_statuses=[status for status, _seconds in gift_results],
        writes_done_before_first_checkout=sum(1 for *_x, at in pledges if at < first_checkout),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    folder = tempfile.mkdtemp(prefix="aidons-slow-")
    parser.add_argument("--database-url", default=f"sqlite:///{folder}/slow.db")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--delay", type=float, default=2.0)
    args = parser.parse_args()
    database_url = async_database_url(args.database_url)
    reset_database(database_url)
    migrate(database_url)
    need_id = asyncio.run(seed(database_url))
    fake = FakeStripe(delay_seconds=args.delay)
    stripe_server = serve(fake, free_port())
    env = benchlib.server_env(
        database_url, args.port, STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=fake.url
    )
    server = benchlib.start_server(env, args.port)
    try:
        result = asyncio.run(measure(f"http://127.0.0.1:{args.port}", need_id))
    finally:
        server.terminate()
        server.wait(timeout=10)
        stripe_server.shutdown()
    writes = sorted(result.write_seconds)
    print(f"database: {args.database_url.split('@')[-1]}, provider delay {args.delay} s")
    print(f"checkouts: {result.checkout_statuses}, {min(result.checkout_seconds):.2f} s minimum")
    print(
        f"{len(writes)} unrelated writes during them: statuses {set(result.write_statuses)}, "
        f"median {statistics.median(writes) * 1000:.0f} ms, max {writes[-1] * 1000:.0f} ms, "
        f"{result.writes_done_before_first_checkout} done before the first checkout returned"
    )


if __name__ == "__main__":
    main()
