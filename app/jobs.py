"""Periodic jobs run by every server process (or by `aidons worker`).

Jobs must be safe to run in several processes at once: they claim rows with
SELECT … FOR UPDATE SKIP LOCKED or make idempotent changes.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("aidons.jobs")

JobFunction = Callable[[async_sessionmaker[AsyncSession]], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: JobFunction


JOBS: list[Job] = []


def periodic(name: str, every_seconds: float):
    """Register a coroutine function `fn(sessionmaker)` to run every `every_seconds`."""

    def register(function: JobFunction) -> JobFunction:
        JOBS.append(Job(name, every_seconds, function))
        return function

    return register


async def run_once(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    for job in JOBS:
        await _run_safely(job, sessionmaker)


async def _run_safely(job: Job, sessionmaker) -> None:
    try:
        await job.run(sessionmaker)
    except Exception:  # a failing job must not stop the others, nor the server
        log.exception("job %s failed", job.name)


async def _loop(job: Job, sessionmaker) -> None:
    while True:
        await _run_safely(job, sessionmaker)
        await asyncio.sleep(job.every_seconds)


def start_all(sessionmaker: async_sessionmaker[AsyncSession]) -> list[asyncio.Task]:
    return [asyncio.create_task(_loop(job, sessionmaker), name=job.name) for job in JOBS]


def register_builtin_jobs() -> None:
    """Import the modules whose jobs should run (each registers itself once)."""
    from app import ledgers, outbox
    from app.donations import reconcile
    from app.inkind import closing, pledges

    builtin = [
        ("deliver-email", 15, outbox.deliver_due),
        ("reconcile-donations", 120, reconcile.reconcile_pending),
        ("expire-pledges", 900, closing.expire_due),
        ("release-pledge-holds", 300, pledges.release_expired_holds),
        ("check-ledgers", 3600, ledgers.check_job),
    ]
    registered = {job.name for job in JOBS}
    for name, every_seconds, function in builtin:
        if name not in registered:
            periodic(name, every_seconds)(function)
