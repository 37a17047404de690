"""The append-only in-kind ledger and its cached totals per (need, day).

`record` is the only writer: it appends an entry and adds its deltas to the totals row in the
same transaction with one atomic upsert, so concurrent writers never lose an update.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app import pagecache
from app.inkind.models import InkindEntry, InkindTotal, Need


@dataclass(frozen=True)
class Totals:
    pledged: int = 0  # pledged and not yet brought, alive pledges only
    received: int = 0
    refused: int = 0
    used: int = 0  # handed out or used: received − used is what is on hand


async def record(
    session: AsyncSession,
    need: Need,
    day: date,
    kind: str,
    *,
    actor: str,
    pledged: int = 0,
    received: int = 0,
    refused: int = 0,
    used: int = 0,
    actor_id: int | None = None,
    pledge_id: int | None = None,
    delivery_id: int | None = None,
    use_id: int | None = None,
    refusal_reason: str = "",
    note: str = "",
) -> InkindEntry:
    pagecache.campaign_changed(session, need.campaign_id)
    bucket = need.bucket(day)
    entry = InkindEntry(
        campaign_id=need.campaign_id,
        need_id=need.id,
        day=bucket,
        kind=kind,
        pledged_delta=pledged,
        received_delta=received,
        refused_delta=refused,
        used_delta=used,
        actor=actor,
        actor_id=actor_id,
        pledge_id=pledge_id,
        delivery_id=delivery_id,
        use_id=use_id,
        refusal_reason=refusal_reason,
        note=note[:2000],
    )
    session.add(entry)
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(InkindTotal).values(
        need_id=need.id,
        day=bucket,
        pledged=pledged,
        received=received,
        refused=refused,
        used=used,
    )
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=["need_id", "day"],
            set_={
                "pledged": InkindTotal.pledged + upsert.excluded.pledged,
                "received": InkindTotal.received + upsert.excluded.received,
                "refused": InkindTotal.refused + upsert.excluded.refused,
                "used": InkindTotal.used + upsert.excluded.used,
            },
        )
    )
    await session.flush()
    return entry


async def totals(
    session: AsyncSession, need_ids: list[int], days: list[date]
) -> dict[tuple[int, date], Totals]:
    """Cached totals for these needs and buckets (a primary-key lookup, whatever the ledger)."""
    if not need_ids:
        return {}
    rows = await session.execute(
        select(InkindTotal).where(InkindTotal.need_id.in_(need_ids), InkindTotal.day.in_(days))
    )
    return {
        (row.need_id, row.day): Totals(row.pledged, row.received, row.refused, row.used)
        for row in rows.scalars()
    }


@dataclass(frozen=True)
class Stock:
    """A need's goods since the start: what came in, what went out, what is left."""

    received: int = 0
    used: int = 0

    @property
    def on_hand(self) -> int:
        return self.received - self.used


async def stock(session: AsyncSession, need_ids: list[int]) -> dict[int, Stock]:
    """Received and used since the start per need, from the cached totals."""
    if not need_ids:
        return {}
    rows = await session.execute(
        select(InkindTotal.need_id, func.sum(InkindTotal.received), func.sum(InkindTotal.used))
        .where(InkindTotal.need_id.in_(need_ids))
        .group_by(InkindTotal.need_id)
    )
    return {need_id: Stock(int(r or 0), int(u or 0)) for need_id, r, u in rows}


async def received_all_time(session: AsyncSession, need_ids: list[int]) -> dict[int, int]:
    return {need_id: s.received for need_id, s in (await stock(session, need_ids)).items()}


async def totals_from_ledger(
    session: AsyncSession, campaign_id: int
) -> dict[tuple[int, date], Totals]:
    """The same sums computed from the entries themselves: the truth the cache must equal."""
    rows = await session.execute(
        select(
            InkindEntry.need_id,
            InkindEntry.day,
            func.sum(InkindEntry.pledged_delta),
            func.sum(InkindEntry.received_delta),
            func.sum(InkindEntry.refused_delta),
            func.sum(InkindEntry.used_delta),
        )
        .where(InkindEntry.campaign_id == campaign_id)
        .group_by(InkindEntry.need_id, InkindEntry.day)
    )
    return {
        (need_id, day): Totals(int(p or 0), int(r or 0), int(f or 0), int(u or 0))
        for need_id, day, p, r, f, u in rows
        if (p, r, f, u) != (0, 0, 0, 0)
    }


async def cached_totals(session: AsyncSession, campaign_id: int) -> dict[tuple[int, date], Totals]:
    rows = await session.execute(
        select(InkindTotal)
        .join(Need, Need.id == InkindTotal.need_id)
        .where(Need.campaign_id == campaign_id)
    )
    return {
        (row.need_id, row.day): Totals(row.pledged, row.received, row.refused, row.used)
        for row in rows.scalars()
        if (row.pledged, row.received, row.refused, row.used) != (0, 0, 0, 0)
    }
