"""Ending pledges: cancelled by the donor or the team, or expired by a periodic job. What was
still promised stops counting; what already arrived stays."""

from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import utcnow
from app.errors import Conflict
from app.i18n import _
from app.inkind import ledger
from app.inkind.models import ALIVE_STATUSES, EntryKind, Pledge, PledgeStatus
from app.outbox import OutboxEmail
from app.transaction import UnitOfWork

GRACE_DAYS = 2  # a pledge expires this many days after its day passed with nothing brought


async def release(
    session: AsyncSession,
    pledge: Pledge,
    kind: EntryKind,
    *,
    actor: str,
    actor_id: int | None = None,
    note: str = "",
) -> None:
    """Stop counting what is still open; a pledge with nothing brought ends cancelled/expired,
    one partly brought is closed as received with its promise reduced to what arrived."""
    was_alive = pledge.status in ALIVE_STATUSES
    for line in pledge.lines:
        open_units = line.open_units
        if open_units and was_alive:
            await ledger.record(
                session, line.need, pledge.due_on, kind, actor=actor, actor_id=actor_id,
                pledged=-open_units, pledge_id=pledge.id, note=note,
            )  # fmt: skip
    brought = any(line.brought for line in pledge.lines)
    if brought:
        for line in pledge.lines:
            line.units = line.brought
        pledge.status = PledgeStatus.RECEIVED
    else:
        ended = PledgeStatus.EXPIRED if kind == EntryKind.PLEDGE_EXPIRED else PledgeStatus.CANCELLED
        pledge.status = ended
    pledge.updated_at = utcnow()
    await session.execute(
        delete(OutboxEmail).where(
            OutboxEmail.dedupe_key == f"pledge:{pledge.id}:reminder", OutboxEmail.sent_at.is_(None)
        )
    )
    await session.flush()


async def cancel(
    session: AsyncSession, pledge: Pledge, *, actor: str, actor_id: int | None = None, note=""
) -> None:
    if pledge.status not in (*ALIVE_STATUSES, PledgeStatus.WAITLISTED):
        raise Conflict(_("This pledge is already closed."))
    await release(
        session, pledge, EntryKind.PLEDGE_CANCELLED, actor=actor, actor_id=actor_id, note=note
    )


async def expire_due(
    sessionmaker: async_sessionmaker[AsyncSession], today: date | None = None, limit: int = 500
) -> int:
    """Periodic job: pledges whose day passed GRACE_DAYS ago stop counting. Safe in parallel."""
    today = today or utcnow().date()
    cutoff = today - timedelta(days=GRACE_DAYS)
    expired = 0
    for _round in range(limit):
        async with UnitOfWork(sessionmaker) as session:
            pledge = await session.scalar(
                select(Pledge)
                .where(
                    Pledge.status.in_((*ALIVE_STATUSES, PledgeStatus.WAITLISTED)),
                    Pledge.due_on < cutoff,
                )
                .order_by(Pledge.id)
                .limit(1)
                .with_for_update(skip_locked=True, of=Pledge)
            )
            if pledge is None:
                break
            await release(
                session, pledge, EntryKind.PLEDGE_EXPIRED, actor="system",
                note=f"day {pledge.due_on.isoformat()} passed {GRACE_DAYS} days ago",
            )  # fmt: skip
            expired += 1
    return expired
