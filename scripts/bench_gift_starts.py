"""Gift starts against a live server: a viral crowd is all accepted, a card tester is stopped.

    .venv/bin/python scripts/bench_gift_starts.py [--database-url URL] [--port 8102] [--crowd 300]

Starts `aidons serve` (one uvicorn worker) on 127.0.0.1 with the fake Stripe server of the
tests (tests/donations/fake_stripe.py) as its Stripe, loads the demo campaign, then:

1. a crowd: N gift starts for #palidzesim, each from its own address, sent as a reverse proxy
   would (X-Forwarded-For; uvicorn trusts it from 127.0.0.1, see FORWARDED_ALLOW_IPS);
2. a card tester: 50 attempts from one address, each card declined on the checkout page (the
   fake answers, Stripe's payment_intent.payment_failed webhook follows) until the server asks
   for a proof of work, which the tester never solves.

It prints how many starts were accepted, asked for a proof or refused, the latencies, and how
many checkouts reached the payment provider. tests/donations/test_limits_live.py runs the same
steps and asserts the counts.
"""

import argparse
import asyncio
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import stripe

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.donations.fake_stripe import SECRET_KEY, FakeStripe, serve  # noqa: E402
from tests.smtp import free_port  # noqa: E402

TAG = "palidzesim"
WEBHOOK_SECRET = "whsec_bench_" + secrets.token_hex(8)


def stripe_env(fake: FakeStripe, webhook_secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    """What points a server at the fake Stripe."""
    return {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_API_BASE": fake.url,
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
    }


@dataclass
class Starts:
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0
    provider_calls: int = 0

    def summary(self) -> str:
        ordered = sorted(self.latencies_ms)
        p95 = ordered[int(len(ordered) * 0.95) - 1] if ordered else 0
        median = statistics.median(ordered) if ordered else 0
        return (
            f"{sum(self.statuses.values())} starts in {self.elapsed_s:.1f} s: "
            f"{dict(sorted(self.statuses.items()))}; latency median {median:.0f} ms, "
            f"p95 {p95:.0f} ms; checkouts opened at the provider: {self.provider_calls}"
        )


def crowd_address(index: int) -> str:
    return f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"


async def _start(http: httpx.AsyncClient, address: str, result: Starts) -> httpx.Response:
    begun = time.perf_counter()
    response = await http.post(
        f"/api/v1/campaigns/{TAG}/donations",
        json={"amount_minor": 2000},
        headers={"X-Forwarded-For": address},
    )
    result.latencies_ms.append((time.perf_counter() - begun) * 1000)
    result.statuses[response.status_code] += 1
    return response


async def crowd(base_url: str, fake: FakeStripe, count: int, concurrency: int = 10) -> Starts:
    """`count` gift starts for one campaign, each from its own address, `concurrency` at once."""
    result = Starts()
    before = len(fake.calls("POST", "/v1/checkout/sessions"))
    queue = iter(range(count))
    begun = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:

        async def donor_after_donor():
            for index in queue:
                await _start(http, crowd_address(index), result)

        await asyncio.gather(*(donor_after_donor() for _ in range(concurrency)))
    result.elapsed_s = time.perf_counter() - begun
    result.provider_calls = len(fake.calls("POST", "/v1/checkout/sessions")) - before
    return result


def _signed(event: dict, secret: str) -> tuple[str, dict]:
    payload = json.dumps(event)
    signature = stripe.WebhookSignature.generate_signature_header(payload, secret)
    return payload, {"Stripe-Signature": signature, "Content-Type": "application/json"}


async def card_tester(
    base_url: str,
    fake: FakeStripe,
    attempts: int = 50,
    address: str = "203.0.113.66",
    webhook_secret: str = WEBHOOK_SECRET,
) -> Starts:
    """One address trying card after card; each card is declined on the checkout page."""
    result = Starts()
    before = len(fake.calls("POST", "/v1/checkout/sessions"))
    begun = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        for _ in range(attempts):
            response = await _start(http, address, result)
            if response.status_code != 201:
                continue
            intent = fake.decline(response.json()["checkout_url"].rsplit("/", 1)[1])
            event = {
                "id": "evt_" + secrets.token_hex(12),
                "object": "event",
                "type": "payment_intent.payment_failed",
                "data": {"object": intent},
            }
            payload, headers = _signed(event, webhook_secret)
            delivered = await http.post("/webhooks/stripe", content=payload, headers=headers)
            delivered.raise_for_status()
    result.elapsed_s = time.perf_counter() - begun
    result.provider_calls = len(fake.calls("POST", "/v1/checkout/sessions")) - before
    return result


def main() -> None:
    from scripts import benchlib
    from tests.dbutil import migrate, reset_database

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--crowd", type=int, default=300)
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench_gifts.db"
    reset_database(database_url)
    migrate(database_url)
    fake = FakeStripe()
    stripe_server = serve(fake, free_port())
    env = benchlib.server_env(database_url, args.port, **stripe_env(fake))
    subprocess.run([sys.executable, "-m", "app.cli", "demo"], env=env, cwd=ROOT, check=True)
    server = benchlib.start_server(env, args.port)
    try:
        url = f"http://127.0.0.1:{args.port}"
        viral = asyncio.run(crowd(url, fake, args.crowd))
        print(f"crowd, {args.crowd} addresses, one campaign: {viral.summary()}")
        tester = asyncio.run(card_tester(url, fake))
        print(f"card tester, one address, every card declined: {tester.summary()}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        stripe_server.shutdown()


if __name__ == "__main__":
    main()
