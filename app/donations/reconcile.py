"""Reconciliation: gifts still pending because a webhook never came, asked about again.

Every run visits every gift pending for longer than `older_than` (newest included), in batches
walked by id, so hundreds of abandoned checkouts can never hide a paid gift behind them. A batch
goes through three steps, none of which holds a transaction across a network call:

1. a short write transaction claims the batch: it takes the due rows (skipping those another
   worker holds) and stamps their checked_at, so a second worker running at the same time, and
   the next runs until `older_than` has passed again, leave them alone;
2. with no transaction open, the provider is asked about each gift (a few at a time);
3. each answer that changes something is applied in a short unit of work that locks the row
   and re-checks that the gift is still pending (a webhook may have settled it meanwhile).

Checkouts the provider reports expired, demo checkouts older than their lifetime and Stripe
gifts whose checkout never opened are closed as expired, so the queue shrinks.
"""

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import get_settings
from app.db import utcnow
from app.donations.checkout import CHECKOUT_LIFETIME
from app.donations.gifts import apply_session_state, lock, mark_closed
from app.donations.models import Donation, DonationStatus, Provider
from app.payments import stripe as stripe_provider
from app.payments.base import ProviderError, SessionState
from app.transaction import UnitOfWork

log = logging.getLogger("aidons.donations.reconcile")

# The donor may still be on the checkout page before this; after it, the webhook is late.
RECONCILE_AFTER = timedelta(minutes=5)
BATCH_SIZE = 100
# Provider calls in flight at once (Stripe allows far more; this stays polite).
CONCURRENT_CALLS = 8
# A checkout to close as expired, without asking anyone.
EXPIRED = object()


@dataclass
class ReconcileResult:
    visited: int = 0
    unreachable: int = 0  # the provider did not answer; asked again on a later run
    outcomes: Counter = field(default_factory=Counter)  # new status -> gifts moved to it

    @property
    def changed(self) -> int:
        return sum(self.outcomes.values())

    def __str__(self) -> str:
        moved = ", ".join(f"{count} {status}" for status, count in sorted(self.outcomes.items()))
        return (
            f"{self.visited} pending gifts checked: {self.changed} changed"
            + (f" ({moved})" if moved else "")
            + (f", {self.unreachable} not reachable" if self.unreachable else "")
        )


@dataclass(frozen=True)
class _Due:
    id: int
    provider: str
    checkout_session_id: str | None
    created_at: datetime


async def reconcile_pending(
    sessionmaker: async_sessionmaker[AsyncSession],
    older_than: timedelta = RECONCILE_AFTER,
    batch_size: int = BATCH_SIZE,
) -> ReconcileResult:
    """Ask the provider about every gift pending for a while and apply its real state."""
    now = utcnow()
    result = ReconcileResult()
    after_id = 0
    while True:
        batch = await _claim(sessionmaker, after_id, now - older_than, batch_size)
        if not batch:
            break
        after_id = batch[-1].id
        result.visited += len(batch)
        answers = await _ask(batch, now, result)
        for due, answer in zip(batch, answers, strict=True):
            if _may_change(answer):
                await _apply(sessionmaker, due, answer, result)
        if len(batch) < batch_size:
            break
    if result.changed or result.unreachable:
        log.info("reconcile: %s", result)
    return result


def _providers() -> list[str]:
    # Without Stripe keys nobody can be asked about Stripe gifts: they wait for the keys.
    return [Provider.DEMO, *([Provider.STRIPE] if get_settings().stripe_secret_key else [])]


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession], after_id: int, due_before: datetime, size: int
) -> list[_Due]:
    """The next batch of due pending gifts after `after_id`, stamped as checked now."""
    async with UnitOfWork(sessionmaker) as session:
        rows = (
            await session.execute(
                select(
                    Donation.id,
                    Donation.provider,
                    Donation.checkout_session_id,
                    Donation.created_at,
                )
                .where(
                    Donation.id > after_id,
                    Donation.status == DonationStatus.PENDING,
                    Donation.provider.in_(_providers()),
                    Donation.created_at < due_before,
                    or_(Donation.checked_at.is_(None), Donation.checked_at < due_before),
                )
                .order_by(Donation.id)
                .limit(size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if rows:
            await session.execute(
                update(Donation)
                .where(Donation.id.in_([row.id for row in rows]))
                .values(checked_at=utcnow())
                .execution_options(synchronize_session=False)
            )
    return [_Due(*row) for row in rows]


async def _ask(batch: list[_Due], now: datetime, result: ReconcileResult) -> list[object]:
    """What became of each checkout (a SessionState, EXPIRED, or None: nothing to do)."""
    calls = asyncio.Semaphore(CONCURRENT_CALLS)
    lifetime_over = now - CHECKOUT_LIFETIME

    async def answer(due: _Due) -> object:
        if due.provider == Provider.DEMO or not due.checkout_session_id:
            # A demo checkout is paid through our own pages, never behind our back; a Stripe
            # gift without a checkout session never reached a payment page.
            return EXPIRED if due.created_at < lifetime_over else None
        async with calls:
            try:
                return await stripe_provider.fetch_session(due.checkout_session_id)
            except ProviderError as exc:
                log.warning("reconcile: donation %s not checked: %s", due.id, exc)
                result.unreachable += 1
                return None

    return await asyncio.gather(*(answer(due) for due in batch))


def _may_change(answer: object) -> bool:
    if answer is None:
        return False
    if answer is EXPIRED:
        return True
    state: SessionState = answer
    return (
        state.payment_status in ("paid", "no_payment_required")
        or state.status == "expired"
        or state.payment_intent_id is not None
    )


async def _apply(
    sessionmaker: async_sessionmaker[AsyncSession],
    due: _Due,
    answer: object,
    result: ReconcileResult,
) -> None:
    async with UnitOfWork(sessionmaker) as session:
        donation = await lock(session, due.id)
        if donation.status != DonationStatus.PENDING:
            return  # a webhook (or another worker) got there first
        if answer is EXPIRED:
            await mark_closed(session, donation, DonationStatus.EXPIRED)
        else:
            await apply_session_state(session, donation, answer)
        if donation.status != DonationStatus.PENDING:
            result.outcomes[donation.status] += 1
