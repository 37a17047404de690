"""Kitty benchmark on PostgreSQL: signed webhooks under concurrency, and the landing page's
cost as donations grow (100 vs 100,000 succeeded gifts).

    .venv/bin/python scripts/bench_webhooks.py [--database-url URL] [--port 8101]

Starts `aidons serve` (one uvicorn worker) on 127.0.0.1; needs PostgreSQL and wrk.
"""

import argparse
import asyncio
import json
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
import stripe

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from app.config import async_database_url  # noqa: E402
from app.db import make_engine, utcnow  # noqa: E402
from app.donations import service  # noqa: E402
from app.donations.models import Donation, KittyTotal  # noqa: E402
from scripts import benchlib  # noqa: E402
from tests.dbutil import migrate, reset_database  # noqa: E402
from tests.factories import create_campaign  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/aidons_kitty_bench"
SECRET = "whsec_bench_" + secrets.token_hex(8)
EVENTS, DUPLICATES, CONCURRENCY = 2000, 400, 50


def donation_row(campaign_id: int, index: int, amount: int, status: str, currency="EUR") -> dict:
    now = utcnow()
    return {
        "reference": f"b{campaign_id}x{index}",
        "campaign_id": campaign_id,
        "amount_minor": amount,
        "currency": currency,
        "status": status,
        "provider": "stripe",
        "checkout_session_id": f"cs_bench_{campaign_id}_{index}",
        "donor_name": f"Donor {index}",
        "anonymous": index % 5 == 0,
        "message": "",
        "locale": "en",
        "note": "",
        "created_at": now,
        "updated_at": now,
        "succeeded_at": now if status == "succeeded" else None,
    }


async def seed(url: str) -> dict:
    engine = make_engine(url)
    result = {}
    async with engine.begin() as connection:
        session = AsyncSession(bind=connection, expire_on_commit=False)
        hooks = await create_campaign(session, hashtag="webhooks")
        small = await create_campaign(session, hashtag="small")
        large = await create_campaign(session, hashtag="large")
        await session.flush()
        amounts = [random.randint(100, 50_000) for _ in range(EVENTS - DUPLICATES)]
        await session.execute(
            insert(Donation),
            [donation_row(hooks.id, i, a, "pending") for i, a in enumerate(amounts)],
        )
        for campaign, count in ((small, 100), (large, 100_000)):
            for start in range(0, count, 10_000):
                rows = [
                    donation_row(campaign.id, i, 1000 + i % 5000, "succeeded")
                    for i in range(start, min(count, start + 10_000))
                ]
                await session.execute(insert(Donation), rows)
            raised, donors = await service.ledger_totals(session, campaign.id)
            session.add(KittyTotal(campaign_id=campaign.id, raised_minor=raised, donors=donors))
        await session.flush()
        result = {"hooks_id": hooks.id, "amounts": amounts}
    await engine.dispose()
    return result


def completed_event(index: int, amount: int, campaign_id: int) -> dict:
    return {
        "id": f"evt_bench_{index}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": f"cs_bench_{campaign_id}_{index}",
                "object": "checkout.session",
                "client_reference_id": f"b{campaign_id}x{index}",
                "amount_total": amount,
                "currency": "eur",
                "payment_intent": f"pi_bench_{index}",
                "payment_status": "paid",
                "status": "complete",
            }
        },
    }


async def post_events(base: str, payloads: list[str]) -> tuple[float, dict]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    queue: asyncio.Queue = asyncio.Queue()
    for payload in payloads:
        queue.put_nowait(payload)
    outcomes: dict = {}

    async def worker(client: httpx.AsyncClient):
        while not queue.empty():
            payload = queue.get_nowait()
            header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
            response = await client.post(
                "/webhooks/stripe",
                content=payload,
                headers={"Stripe-Signature": header, "Content-Type": "application/json"},
            )
            key = (
                response.json().get("outcome")
                if response.status_code == 200
                else response.status_code
            )
            outcomes[key] = outcomes.get(key, 0) + 1

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return elapsed, outcomes


def wrk(url: str) -> float:
    httpx.get(url).raise_for_status()
    return benchlib.wrk(url)


def start_server(url: str, port: int) -> subprocess.Popen:
    env = benchlib.server_env(url, port, ENVIRONMENT="test", STRIPE_WEBHOOK_SECRET=SECRET)
    env.pop("STRIPE_SECRET_KEY", None)
    return benchlib.start_server(env, port)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args()
    url = async_database_url(args.database_url)
    reset_database(url)
    migrate(url)
    print("seeding 1,600 pending gifts, then 100 and 100,000 succeeded gifts…", flush=True)
    seeded = asyncio.run(seed(url))
    amounts, hooks_id = seeded["amounts"], seeded["hooks_id"]
    events = [json.dumps(completed_event(i, a, hooks_id)) for i, a in enumerate(amounts)]
    payloads = events + random.sample(events, DUPLICATES)
    random.shuffle(payloads)

    server = start_server(args.database_url, args.port)
    base = f"http://127.0.0.1:{args.port}"
    try:
        elapsed, outcomes = asyncio.run(post_events(base, payloads))
        progress = httpx.get(f"{base}/api/v1/campaigns/webhooks/progress").json()
        expected = sum(amounts)
        print(
            f"webhooks: {len(payloads)} events ({DUPLICATES} duplicates), {CONCURRENCY} "
            f"connections: {elapsed:.2f} s, {len(payloads) / elapsed:.0f} events/s"
        )
        print(f"outcomes: {outcomes}")
        exact = progress["raised_minor"] == expected and progress["donors"] == len(amounts)
        print(
            f"raised {progress['raised_minor']} (expected {expected}), donors "
            f"{progress['donors']} (expected {len(amounts)}): {'EXACT' if exact else 'WRONG'}"
        )
        small = wrk(f"{base}/h/small")
        large = wrk(f"{base}/h/large")
        print(f"landing /h/small (100 gifts): {small:.0f} req/s")
        print(f"landing /h/large (100,000 gifts): {large:.0f} req/s")
        print(f"ratio large/small: {large / small:.2f}")
        if not exact:
            raise SystemExit(1)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
