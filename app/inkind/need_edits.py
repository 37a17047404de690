"""Changing how much a need asks for (its total or its daily rate), with the history kept.

The need's quantity is not a ledger: it is a figure the organizers set and may revise as the
situation changes (fewer newborns, a second shelter). The need row holds the current value and
inkind_need_changes keeps every former one with who and when, shown on the goods page.
"""

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import pagecache
from app.accounts.models import User
from app.errors import FieldError, ValidationFailed
from app.i18n import _
from app.inkind.models import Need, NeedChange
from app.inkind.schemas import MAX_UNITS, Strict
from app.text import clean_line


class NeedQuantityChange(Strict):
    per_day_units: int | None = Field(
        default=None, ge=1, le=MAX_UNITS, description="New units a day (daily needs only)"
    )
    target_units: int | None = Field(
        default=None, ge=1, le=MAX_UNITS, description="New units in total (one-off needs only)"
    )
    note: str = Field(default="", max_length=300, description="Why, for the history")


@dataclass(frozen=True)
class ChangeView:
    field: str
    old_value: int | None
    new_value: int
    note: str
    changed_at: datetime
    changed_by: str


def quantity_field(need: Need) -> str:
    return "per_day_units" if need.is_daily else "target_units"


async def change_quantity(
    session: AsyncSession, need: Need, user: User, data: NeedQuantityChange
) -> NeedChange | None:
    """Set the need's daily rate or total; None when it already has that value. Pledges and
    deliveries already recorded stay as they are: only what is still missing changes."""
    field = quantity_field(need)
    other = "target_units" if need.is_daily else "per_day_units"
    new_value = getattr(data, field)
    if getattr(data, other) is not None:
        message = (
            _("This need is counted per day: change per_day_units.")
            if need.is_daily
            else _("This need is counted in total: change target_units.")
        )
        raise ValidationFailed([FieldError(other, message)])
    if new_value is None:
        message = (
            _("Say how many units are needed per day.")
            if need.is_daily
            else _("Say how many units are needed in total.")
        )
        raise ValidationFailed([FieldError(field, message)])
    old_value = getattr(need, field)
    if old_value == new_value:
        return None
    setattr(need, field, new_value)
    change = NeedChange(
        need_id=need.id,
        field=field,
        old_value=old_value,
        new_value=new_value,
        note=clean_line(data.note)[:300],
        changed_by_id=user.id,
    )
    session.add(change)
    await session.flush()
    pagecache.campaign_changed(session, need.campaign_id)
    return change


async def history(session: AsyncSession, need_ids: list[int]) -> dict[int, list[ChangeView]]:
    """Each need's quantity changes, newest first, with the name of who made them."""
    if not need_ids:
        return {}
    rows = await session.execute(
        select(NeedChange, User.display_name)
        .outerjoin(User, User.id == NeedChange.changed_by_id)
        .where(NeedChange.need_id.in_(need_ids))
        .order_by(NeedChange.need_id, NeedChange.created_at.desc(), NeedChange.id.desc())
    )
    result: dict[int, list[ChangeView]] = {}
    for change, name in rows:
        result.setdefault(change.need_id, []).append(
            ChangeView(
                field=change.field,
                old_value=change.old_value,
                new_value=change.new_value,
                note=change.note,
                changed_at=change.created_at,
                changed_by=name or "",
            )
        )
    return result
