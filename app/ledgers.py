"""Every cached counter checked against the ledger it caches (`aidons check-ledgers`).

Counters are derived (see DESIGN.md): the few totals stored for speed are kept in step with
their ledger in the same transaction. This module proves it, in production (the command and
an hourly job) and in the tests (after every test that touched the database):

- the kitty: KittyTotal (raised, donors) per campaign vs the donations counted minus refunds;
- goods per (need, day): InkindTotal (pledged, received, refused, used) vs the in-kind entries;
- each pledge line: its units still open vs the ledger's pledged entries for that pledge and
  need, and its received/refused units vs the receipt entries of the deliveries that settled it.

Each kind is one SQL statement returning only the rows that disagree, so the check costs three
aggregate queries, and each comparison sees a single snapshot even while people give.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import SQLITE_IMMEDIATE
from app.donations.models import COUNTED, Donation, KittyTotal, Refund
from app.inkind.models import (
    ALIVE_STATUSES,
    DeliveryLine,
    EntryKind,
    InkindEntry,
    InkindTotal,
    Pledge,
    PledgeLine,
)

log = logging.getLogger("aidons.ledgers")


@dataclass(frozen=True)
class Drift:
    """A cached counter that disagrees with its ledger."""

    what: str  # "kitty", "goods total", "pledge line"
    ids: tuple[tuple[str, object], ...]  # (("campaign", 3),) or (("need", 5), ("day", …))
    cached: dict[str, int]
    ledger: dict[str, int]

    def __str__(self) -> str:
        where = " ".join(f"{name}={value}" for name, value in self.ids)
        differences = ", ".join(
            f"{field} cached {self.cached[field]} vs ledger {self.ledger[field]}"
            for field in self.cached
            if self.cached[field] != self.ledger[field]
        )
        return f"{self.what} {where}: {differences}"


def _differs(pairs: Iterable[tuple]) -> object:
    return or_(*(func.coalesce(cached, 0) != func.coalesce(truth, 0) for cached, truth in pairs))


def _int(value) -> int:
    return int(value or 0)


# --- The kitty ------------------------------------------------------------------------------


async def kitty_drifts(session: AsyncSession) -> list[Drift]:
    """KittyTotal per campaign vs the donations it counts (COUNTED, minus their refunds)."""
    refunded = (
        select(Refund.donation_id, func.sum(Refund.amount_minor).label("amount"))
        .group_by(Refund.donation_id)
        .subquery()
    )
    ledger = (
        select(
            Donation.campaign_id,
            func.sum(Donation.amount_minor - func.coalesce(refunded.c.amount, 0)).label("raised"),
            func.count(Donation.id).label("donors"),
        )
        .outerjoin(refunded, refunded.c.donation_id == Donation.id)
        .where(Donation.status.in_(COUNTED))
        .group_by(Donation.campaign_id)
        .subquery()
    )
    keys = union(select(KittyTotal.campaign_id), select(ledger.c.campaign_id)).subquery()
    rows = await session.execute(
        select(
            keys.c.campaign_id,
            KittyTotal.raised_minor,
            KittyTotal.donors,
            ledger.c.raised,
            ledger.c.donors,
        )
        .select_from(keys)
        .outerjoin(KittyTotal, KittyTotal.campaign_id == keys.c.campaign_id)
        .outerjoin(ledger, ledger.c.campaign_id == keys.c.campaign_id)
        .where(
            _differs(
                [(KittyTotal.raised_minor, ledger.c.raised), (KittyTotal.donors, ledger.c.donors)]
            )
        )
        .order_by(keys.c.campaign_id)
    )
    return [
        Drift(
            "kitty",
            (("campaign", campaign_id),),
            {"raised_minor": _int(raised), "donors": _int(donors)},
            {"raised_minor": _int(true_raised), "donors": _int(true_donors)},
        )
        for campaign_id, raised, donors, true_raised, true_donors in rows
    ]


# --- Goods per (need, day) ------------------------------------------------------------------


async def goods_total_drifts(session: AsyncSession) -> list[Drift]:
    """InkindTotal per (need, day bucket) vs the sums of the in-kind entries."""
    ledger = (
        select(
            InkindEntry.need_id,
            InkindEntry.day,
            func.sum(InkindEntry.pledged_delta).label("pledged"),
            func.sum(InkindEntry.received_delta).label("received"),
            func.sum(InkindEntry.refused_delta).label("refused"),
            func.sum(InkindEntry.used_delta).label("used"),
        )
        .group_by(InkindEntry.need_id, InkindEntry.day)
        .subquery()
    )
    keys = union(
        select(InkindTotal.need_id, InkindTotal.day), select(ledger.c.need_id, ledger.c.day)
    ).subquery()
    fields = ("pledged", "received", "refused", "used")
    rows = await session.execute(
        select(
            keys.c.need_id,
            # Typed as a date again (SQLite gives the union's column back as text).
            func.coalesce(InkindTotal.day, ledger.c.day),
            *(getattr(InkindTotal, field) for field in fields),
            *(ledger.c[field] for field in fields),
        )
        .select_from(keys)
        .outerjoin(
            InkindTotal, and_(InkindTotal.need_id == keys.c.need_id, InkindTotal.day == keys.c.day)
        )
        .outerjoin(ledger, and_(ledger.c.need_id == keys.c.need_id, ledger.c.day == keys.c.day))
        .where(_differs((getattr(InkindTotal, field), ledger.c[field]) for field in fields))
        .order_by(keys.c.need_id, keys.c.day)
    )
    return [
        Drift(
            "goods total",
            (("need", row[0]), ("day", row[1])),
            dict(zip(fields, map(_int, row[2:6]), strict=True)),
            dict(zip(fields, map(_int, row[6:10]), strict=True)),
        )
        for row in rows
    ]


# --- Pledge lines ---------------------------------------------------------------------------


async def pledge_line_drifts(session: AsyncSession) -> list[Drift]:
    """Each pledge line's counters vs the ledger.

    - open units (units − received − refused while the pledge is alive, else 0) vs the sum of
      the pledged deltas of the pledge's entries for the line's need (a pledge has one line per
      need): what the line still adds to the need's "pledged";
    - received and refused units vs the receipt entries of the deliveries that settled this
      line (a delivery gives all its lines for one need to the same pledge line).

    Pledged entries of a pledge for a need it has no line for are reported too.
    """
    pledged = (
        select(
            InkindEntry.pledge_id,
            InkindEntry.need_id,
            func.sum(InkindEntry.pledged_delta).label("units"),
        )
        .where(InkindEntry.pledge_id.is_not(None))
        .group_by(InkindEntry.pledge_id, InkindEntry.need_id)
        .subquery()
    )
    settled_by = (
        select(DeliveryLine.pledge_line_id, DeliveryLine.delivery_id, DeliveryLine.need_id)
        .where(DeliveryLine.pledge_line_id.is_not(None))
        .distinct()
        .subquery()
    )
    brought = (
        select(
            settled_by.c.pledge_line_id,
            func.sum(InkindEntry.received_delta).label("received"),
            func.sum(InkindEntry.refused_delta).label("refused"),
        )
        .join(
            InkindEntry,
            and_(
                InkindEntry.delivery_id == settled_by.c.delivery_id,
                InkindEntry.need_id == settled_by.c.need_id,
                InkindEntry.kind == EntryKind.RECEIVED,
            ),
        )
        .group_by(settled_by.c.pledge_line_id)
        .subquery()
    )
    left = PledgeLine.units - PledgeLine.received_units - PledgeLine.refused_units
    open_units = case((and_(Pledge.status.in_(ALIVE_STATUSES), left > 0), left), else_=0)
    fields = ("open_units", "received_units", "refused_units")
    lines = await session.execute(
        select(
            PledgeLine.pledge_id,
            PledgeLine.id,
            PledgeLine.need_id,
            open_units,
            PledgeLine.received_units,
            PledgeLine.refused_units,
            pledged.c.units,
            brought.c.received,
            brought.c.refused,
        )
        .join(Pledge, Pledge.id == PledgeLine.pledge_id)
        .outerjoin(
            pledged,
            and_(
                pledged.c.pledge_id == PledgeLine.pledge_id,
                pledged.c.need_id == PledgeLine.need_id,
            ),
        )
        .outerjoin(brought, brought.c.pledge_line_id == PledgeLine.id)
        .where(
            _differs(
                [
                    (open_units, pledged.c.units),
                    (PledgeLine.received_units, brought.c.received),
                    (PledgeLine.refused_units, brought.c.refused),
                ]
            )
        )
        .order_by(PledgeLine.pledge_id, PledgeLine.id)
    )
    drifts = [
        Drift(
            "pledge line",
            (("pledge", row[0]), ("line", row[1]), ("need", row[2])),
            dict(zip(fields, map(_int, row[3:6]), strict=True)),
            dict(zip(fields, map(_int, row[6:9]), strict=True)),
        )
        for row in lines
    ]
    orphans = await session.execute(
        select(pledged.c.pledge_id, pledged.c.need_id, pledged.c.units)
        .where(
            pledged.c.units != 0,
            ~select(literal(1))
            .where(
                PledgeLine.pledge_id == pledged.c.pledge_id,
                PledgeLine.need_id == pledged.c.need_id,
            )
            .exists(),
        )
        .order_by(pledged.c.pledge_id, pledged.c.need_id)
    )
    drifts += [
        Drift(
            "pledge line",
            (("pledge", pledge_id), ("line", None), ("need", need_id)),
            {"open_units": 0},
            {"open_units": _int(units)},
        )
        for pledge_id, need_id, units in orphans
    ]
    return drifts


# --- All of them ----------------------------------------------------------------------------


async def check(session: AsyncSession) -> list[Drift]:
    """Every drift between a cached counter and its ledger (empty when all agree)."""
    return [
        *await kitty_drifts(session),
        *await goods_total_drifts(session),
        *await pledge_line_drifts(session),
    ]


def report(drifts: list[Drift]) -> str:
    if not drifts:
        return "Ledgers check: every cached total equals its ledger."
    lines = [f"Ledgers check: {len(drifts)} cached total(s) differ from their ledger:"]
    return "\n".join([*lines, *(f"  {drift}" for drift in drifts)])


async def check_with(sessionmaker: async_sessionmaker[AsyncSession]) -> list[Drift]:
    """The check in a session of its own: a reader, even from a writer's sessionmaker (on
    SQLite it must not hold the write lock while it reads the ledgers)."""
    async with sessionmaker() as session:
        await session.connection(execution_options={SQLITE_IMMEDIATE: False})
        return await check(session)


async def check_job(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Periodic job: one error in the log per drift (an operator compares with the ledger)."""
    drifts = await check_with(sessionmaker)
    for drift in drifts:
        log.error("ledger drift: %s", drift)
    return len(drifts)
