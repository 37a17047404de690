"""Fixed-window rate limits shared by every worker: Redis when configured, else the database."""

import time
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import BigInteger, Integer, String, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.config import get_settings
from app.db import Base
from app.transaction import keep_on_refusal


class RateLimitCounter(Base):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, nullable=False)


def clock() -> float:
    """The time windows are cut from (tests pin it, so no test straddles two windows)."""
    return time.time()


@lru_cache
def _redis_client(url: str):
    import redis.asyncio as redis

    return redis.from_url(url)


async def hit(session: AsyncSession, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `key`; True while the count stays within `limit` per window.

    The database counter is written in the request's transaction and kept even when the
    request is refused (see app.transaction.keep_on_refusal).
    """
    window_start = int(clock()) // window_seconds * window_seconds
    redis_url = get_settings().redis_url
    if redis_url:
        client = _redis_client(redis_url)
        redis_key = f"aidons:rl:{key}:{window_start}"
        async with client.pipeline(transaction=True) as pipe:
            pipe.incr(redis_key)
            pipe.expire(redis_key, window_seconds * 2)
            count, _ = await pipe.execute()
        return int(count) <= limit
    count = await _increment(session, key, window_start)
    # The attempt counts even when the request is refused (a 429, a wrong password).
    keep_on_refusal(session, lambda replay: _increment(replay, key, window_start))
    return count <= limit


async def _increment(session: AsyncSession, key: str, window_start: int) -> int:
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(RateLimitCounter)
        .values(key=key, window_start=window_start, hits=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"],
            set_={"hits": RateLimitCounter.hits + 1},
        )
        .returning(RateLimitCounter.hits)
    )
    count = (await session.execute(statement)).scalar_one()
    if count == 1 and window_start % 3600 == 0:
        await purge_expired(session)
    return count


async def count(session: AsyncSession, key: str, window_seconds: int) -> int:
    """Attempts counted for `key` in the current window, without counting one more."""
    window_start = int(clock()) // window_seconds * window_seconds
    redis_url = get_settings().redis_url
    if redis_url:
        value = await _redis_client(redis_url).get(f"aidons:rl:{key}:{window_start}")
        return int(value or 0)
    hits = await session.scalar(
        select(RateLimitCounter.hits).where(
            RateLimitCounter.key == key, RateLimitCounter.window_start == window_start
        )
    )
    return hits or 0


async def purge_expired(session: AsyncSession, older_than_seconds: int = 86400) -> None:
    cutoff = int(clock()) - older_than_seconds
    await session.execute(delete(RateLimitCounter).where(RateLimitCounter.window_start < cutoff))
    await purge_old_failures(session, older_than_seconds)


# --- Signals for gift starts (app/donations/limits.py) -------------------------------------

NO_LIMIT = 2**62


async def note(session: AsyncSession, key: str, window_seconds: int) -> None:
    """Count one event for `key` in the current window (kept even when the request is refused)."""
    await hit(session, key, NO_LIMIT, window_seconds)


async def recent(session: AsyncSession, keys: list[str], window_seconds: int) -> dict[str, float]:
    """Events counted for each key over the last `window_seconds`, in one read.

    A sliding estimate: the current window plus the part of the previous one still inside the
    last `window_seconds`, so a count never drops to zero at a window's edge.
    """
    now = clock()
    current = int(now) // window_seconds * window_seconds
    previous = current - window_seconds
    weight = 1 - (now - current) / window_seconds
    hits: dict[tuple[str, int], int] = {}
    redis_url = get_settings().redis_url
    if redis_url:
        names = [(key, start) for key in keys for start in (previous, current)]
        values = await _redis_client(redis_url).mget(
            [f"aidons:rl:{key}:{start}" for key, start in names]
        )
        hits = {name: int(value or 0) for name, value in zip(names, values, strict=True)}
    else:
        counter = RateLimitCounter
        rows = await session.execute(
            select(counter.key, counter.window_start, counter.hits).where(
                counter.key.in_(keys), counter.window_start.in_((previous, current))
            )
        )
        hits = {(key, start): count for key, start, count in rows}
    return {
        key: hits.get((key, current), 0) + hits.get((key, previous), 0) * weight for key in keys
    }


async def claim_once(session: AsyncSession, key: str, until: int) -> bool:
    """True the first time `key` is claimed; False for every later claim until `until` (a Unix
    time) has passed. The claim survives a refused request, like the counters."""
    redis_url = get_settings().redis_url
    if redis_url:
        ttl = max(1, until - int(clock()))
        return bool(await _redis_client(redis_url).set(f"aidons:once:{key}", 1, nx=True, ex=ttl))
    claimed = await _claim(session, key, until)
    keep_on_refusal(session, lambda replay: _claim(replay, key, until))
    return claimed


async def _claim(session: AsyncSession, key: str, until: int) -> bool:
    # The row lives in the counters' table with its expiry as window start; purge_expired
    # deletes it a day after that.
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(RateLimitCounter)
        .values(key=f"once:{key}"[:200], window_start=until, hits=1)
        .on_conflict_do_nothing(index_elements=["key", "window_start"])
        .returning(RateLimitCounter.hits)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


# --- Failures in a row, for a growing delay (logins) ----------------------------------------
# A fixed window cannot say "wait until 15 s after the last failure"; these counters keep how
# many failures happened in a row for a key and when the last one was, until a success clears
# them or `forget_after` seconds pass without a failure.


class BackoffCounter(Base):
    __tablename__ = "rate_limit_backoffs"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False)
    # Unix seconds (ratelimit.clock) of the last failure.
    last_failure: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)


@dataclass(frozen=True)
class Failures:
    count: int = 0
    last_at: float = 0.0


async def failures(session: AsyncSession, key: str, forget_after: int) -> Failures:
    """Failures in a row for `key`, without counting one more."""
    redis_url = get_settings().redis_url
    if redis_url:
        values = await _redis_client(redis_url).hmget(f"aidons:bo:{key}", "count", "last")
        if values[0] is None or float(values[1] or 0) < int(clock()) - forget_after:
            return Failures()
        return Failures(int(values[0]), float(values[1]))
    row = await session.get(BackoffCounter, key)
    if row is None or row.last_failure < int(clock()) - forget_after:
        return Failures()
    return Failures(row.failures, float(row.last_failure))


async def add_failure(session: AsyncSession, key: str, forget_after: int) -> Failures:
    """Count one more failure for `key` now; kept even when the request is refused."""
    now = int(clock())
    redis_url = get_settings().redis_url
    if redis_url:
        client = _redis_client(redis_url)
        redis_key = f"aidons:bo:{key}"
        if (await failures(session, key, forget_after)).count == 0:
            await client.delete(redis_key)  # start again from one, as the database does
        async with client.pipeline(transaction=True) as pipe:
            pipe.hincrby(redis_key, "count", 1)
            pipe.hset(redis_key, "last", now)
            pipe.expire(redis_key, forget_after)
            count, *_rest = await pipe.execute()
        return Failures(int(count), float(now))
    count = await _add_failure(session, key, now, forget_after)
    keep_on_refusal(session, lambda replay: _add_failure(replay, key, now, forget_after))
    return Failures(count, float(now))


async def _add_failure(session: AsyncSession, key: str, now: int, forget_after: int) -> int:
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    forgotten = BackoffCounter.last_failure < now - forget_after
    statement = (
        dialect.insert(BackoffCounter)
        .values(key=key, failures=1, last_failure=now)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((forgotten, 1), else_=BackoffCounter.failures + 1),
                "last_failure": now,
            },
        )
        .returning(BackoffCounter.failures)
    )
    return (await session.execute(statement)).scalar_one()


async def clear_failures(session: AsyncSession, key: str) -> None:
    redis_url = get_settings().redis_url
    if redis_url:
        await _redis_client(redis_url).delete(f"aidons:bo:{key}")
        return
    await session.execute(delete(BackoffCounter).where(BackoffCounter.key == key))


async def purge_old_failures(session: AsyncSession, older_than_seconds: int = 86400) -> None:
    cutoff = int(clock()) - older_than_seconds
    await session.execute(delete(BackoffCounter).where(BackoffCounter.last_failure < cutoff))
