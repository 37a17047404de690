"""Wrong passwords slow the guesser down without locking the owner out (NIST SP 800-63B 5.2.2).

Failures are counted per (account, client) and per client across accounts, where the client is
the address the request came from (app.accounts.deps.client_ip). After a few failures in a row
that client must wait before trying again, a delay that doubles with each failure up to a few
minutes. A correct password from another client is never refused because of failures elsewhere,
and a success clears the pair's count. Only when an account collects very many failures in an
hour (a guessing campaign from many addresses) does every client get fewer free attempts: a
slowdown for all, never a lockout.
"""

import hashlib
import math

from sqlalchemy.ext.asyncio import AsyncSession

from app import ratelimit
from app.i18n import ngettext

FREE_FAILURES_PER_PAIR = 5
# One address may be a carrier NAT or an office: many people, a few typos each.
FREE_FAILURES_PER_CLIENT = 50
# Failures of one account from all clients in an hour before every client is slowed down.
ACCOUNT_HOURLY_CEILING = 100
FREE_FAILURES_UNDER_ATTACK = 1
FIRST_DELAY_SECONDS = 15
MAX_DELAY_SECONDS = 300
FORGET_AFTER_SECONDS = 24 * 3600


def _account(email: str) -> str:
    # Keys stay short and never hold an address in clear.
    normalized = (email or "").strip().lower()
    return hashlib.sha256(normalized.encode()).hexdigest()[:32]


def _keys(email: str, client: str) -> tuple[str, str, str]:
    account = _account(email)
    return (
        f"login:pair:{account}:{client[:100]}",
        f"login:client:{client[:100]}",
        f"login:account:{account}",
    )


def delay_after(failures: int, free: int) -> int:
    """Seconds to wait after the last of `failures` failures in a row."""
    if failures < free:
        return 0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** min(failures - free, 16))


async def seconds_to_wait(session: AsyncSession, email: str, client: str) -> int:
    """0 when this client may try this account's password now, else how long it must wait."""
    pair_key, client_key, account_key = _keys(email, client)
    under_attack = await ratelimit.count(session, account_key, 3600) >= ACCOUNT_HOURLY_CEILING
    free = FREE_FAILURES_UNDER_ATTACK if under_attack else FREE_FAILURES_PER_PAIR
    pair = await ratelimit.failures(session, pair_key, FORGET_AFTER_SECONDS)
    by_client = await ratelimit.failures(session, client_key, FORGET_AFTER_SECONDS)
    ready_at = max(
        pair.last_at + delay_after(pair.count, free),
        by_client.last_at + delay_after(by_client.count, FREE_FAILURES_PER_CLIENT),
    )
    return max(0, math.ceil(ready_at - ratelimit.clock()))


async def record_failure(session: AsyncSession, email: str, client: str) -> None:
    pair_key, client_key, account_key = _keys(email, client)
    await ratelimit.add_failure(session, pair_key, FORGET_AFTER_SECONDS)
    await ratelimit.add_failure(session, client_key, FORGET_AFTER_SECONDS)
    await ratelimit.hit(session, account_key, ACCOUNT_HOURLY_CEILING, 3600)


async def record_success(session: AsyncSession, email: str, client: str) -> None:
    pair_key, _client_key, _account_key = _keys(email, client)
    await ratelimit.clear_failures(session, pair_key)


def wait_message(seconds: int) -> str:
    return ngettext(
        "Too many attempts from this device. Try again in %(num)s second.",
        "Too many attempts from this device. Try again in %(num)s seconds.",
        seconds,
    )
