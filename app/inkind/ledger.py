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
    actor_id: int | None = None,
    pledge_id: int | None = None,
    delivery_id: int | None = None,
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
        actor=actor,
        actor_id=actor_id,
        pledge_id=pledge_id,
        delivery_id=delivery_id,
        refusal_reason=refusal_reason,
        note=note[:2000],
    )
    session.add(entry)
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(InkindTotal).values(
        need_id=need.id, day=bucket, pledged=pledged, received=received, refused=refused
    )
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=["need_id", "day"],
            set_={
                "pledged": InkindTotal.pledged + upsert.excluded.pledged,
                "received": InkindTotal.received + upsert.excluded.received,
                "refused": InkindTotal.refused + upsert.excluded.refused,
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
        (row.need_id, row.day): Totals(row.pledged, row.received, row.refused)
        for row in rows.scalars()
    }


async def received_all_time(session: AsyncSession, need_ids: list[int]) -> dict[int, int]:
    if not need_ids:
        return {}
    rows = await session.execute(
        select(InkindTotal.need_id, func.sum(InkindTotal.received))
        .where(InkindTotal.need_id.in_(need_ids))
        .group_by(InkindTotal.need_id)
    )
    return {need_id: int(total or 0) for need_id, total in rows}


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
        )
        .where(InkindEntry.campaign_id == campaign_id)
        .group_by(InkindEntry.need_id, InkindEntry.day)
    )
    return {
        (need_id, day): Totals(int(p or 0), int(r or 0), int(f or 0))
        for need_id, day, p, r, f in rows
        if (p, r, f) != (0, 0, 0)
    }


async def cached_totals(session: AsyncSession, campaign_id: int) -> dict[tuple[int, date], Totals]:
    rows = await session.execute(
        select(InkindTotal)
        .join(Need, Need.id == InkindTotal.need_id)
        .where(Need.campaign_id == campaign_id)
    )
    return {
        (row.need_id, row.day): Totals(row.pledged, row.received, row.refused)
        for row in rows.scalars()
        if (row.pledged, row.received, row.refused) != (0, 0, 0)
    }
