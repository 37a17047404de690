"""Goods going out: what volunteers hand out or use ("240 diapers used today").

Each use is a USED entry in the append-only in-kind ledger, so what is on hand is received
minus used, and "days covered" counts the days the goods on hand last. A mistaken use is
corrected by a correction entry (deliveries.correct), never by an edit.
"""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.db import insert_unless_taken
from app.errors import Conflict, FieldError, ValidationFailed
from app.formatting import format_number
from app.i18n import _
from app.inkind import ledger
from app.inkind.models import EntryKind, InkindEntry, Need, StockUse
from app.inkind.schemas import MAX_UNITS, RowId, Strict
from app.text import clean_line


class UseLineIn(Strict):
    need_id: RowId = Field(description="One of the campaign's needs")
    units: int = Field(
        ge=1,
        le=MAX_UNITS,
        description="Units handed out or used; at most what is on hand for the need",
    )


class UseCreate(Strict):
    lines: list[UseLineIn] = Field(min_length=1, max_length=20)
    used_on: date | None = Field(
        default=None, description="The day they were used: today (the default) or before"
    )
    note: str = Field(default="", max_length=300)
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=80, description="A random value: retries are safe"
    )


class UseLineOut(BaseModel):
    need_id: int
    units: int


class UseOut(BaseModel):
    id: int
    used_on: date
    note: str
    lines: list[UseLineOut]


@dataclass(frozen=True)
class _Line:
    index: int
    need: Need
    units: int


async def _lines(session: AsyncSession, campaign: Campaign, data: UseCreate) -> list[_Line]:
    """The lines with their needs (one line per need: a repeated need adds up), locked in one
    order so that two volunteers recording at once both see what the other took."""
    errors, units_by_need, first_index = [], {}, {}
    for index, line in enumerate(data.lines):
        units_by_need[line.need_id] = units_by_need.get(line.need_id, 0) + line.units
        first_index.setdefault(line.need_id, index)
    # The rows locked alone (a FOR UPDATE cannot cover the joined item), in one order.
    await session.execute(
        select(Need.id)
        .where(Need.id.in_(units_by_need), Need.campaign_id == campaign.id)
        .order_by(Need.id)
        .with_for_update()
    )
    found = []
    for need_id in sorted(units_by_need):
        need = await session.get(Need, need_id)
        if need is None or need.campaign_id != campaign.id:
            message = _("This need does not exist.")
            errors.append(FieldError(f"lines.{first_index[need_id]}.need_id", message))
            continue
        found.append(_Line(first_index[need_id], need, units_by_need[need_id]))
    if errors:
        raise ValidationFailed(errors)
    stock = await ledger.stock(session, [line.need.id for line in found])
    for line in found:
        on_hand = stock.get(line.need.id, ledger.Stock()).on_hand
        if line.units > on_hand:
            message = _(
                "Only %(n)s %(unit)s are on hand: record what arrived first, or correct a count.",
                n=format_number(max(on_hand, 0)),
                unit=line.need.item.unit,
            )
            errors.append(FieldError(f"lines.{line.index}.units", message))
    if errors:
        raise ValidationFailed(errors)
    return found


async def record_use(
    session: AsyncSession, campaign: Campaign, user: User, data: UseCreate, today: date
) -> StockUse:
    """Record goods handed out or used, whole or not at all; a retry with the same key returns
    the first record."""
    if data.idempotency_key:
        existing = await _by_key(session, campaign, data.idempotency_key)
        if existing is not None:
            return existing
    used_on = data.used_on or today
    if used_on > today:
        raise ValidationFailed([FieldError("used_on", _("Goods cannot be used in the future."))])
    lines = await _lines(session, campaign, data)
    use = StockUse(
        campaign_id=campaign.id,
        used_on=used_on,
        note=clean_line(data.note),
        idempotency_key=data.idempotency_key,
        recorded_by_id=user.id,
    )
    if not await insert_unless_taken(session, use):
        existing = await _by_key(session, campaign, data.idempotency_key)
        if existing is None:
            raise Conflict(_("Please submit the form again."))
        return existing
    for line in lines:
        await ledger.record(
            session, line.need, used_on, EntryKind.USED, actor="team", actor_id=user.id,
            used=line.units, use_id=use.id, note=use.note,
        )  # fmt: skip
    return use


async def _by_key(session: AsyncSession, campaign: Campaign, key: str | None) -> StockUse | None:
    return await session.scalar(
        select(StockUse).where(StockUse.campaign_id == campaign.id, StockUse.idempotency_key == key)
    )


async def use_out(session: AsyncSession, use: StockUse) -> UseOut:
    rows = await session.execute(
        select(InkindEntry.need_id, InkindEntry.used_delta)
        .where(InkindEntry.use_id == use.id, InkindEntry.kind == EntryKind.USED)
        .order_by(InkindEntry.need_id)
    )
    return UseOut(
        id=use.id,
        used_on=use.used_on,
        note=use.note,
        lines=[UseLineOut(need_id=need_id, units=units) for need_id, units in rows],
    )
