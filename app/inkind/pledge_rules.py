"""What keeps one person from blocking a need, shared by new pledges and changed ones.

- A pledge promises at most the need's per-pledge maximum (app.inkind.needs.max_per_pledge).
- A pledge for a day more than HOLD_AFTER_DAYS ahead reserves for HOLD_HOURS only, until the
  donor confirms it from the link emailed to them; with no email (or no mail server) it cannot
  be made at all.
- The day must be one the drop-off point opens (its weekdays, or a time slot that day).
"""

from datetime import date, datetime, timedelta

from babel.dates import get_day_names
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign
from app.config import get_settings
from app.errors import FieldError, NotFound
from app.formatting import format_day, format_number
from app.i18n import _, get_locale
from app.inkind import needs as needs_service
from app.inkind.models import DropOffPoint, Need, Slot

HOLD_AFTER_DAYS = 3  # today and the next 3 days reserve at once
HOLD_HOURS = 24  # a pledge further ahead reserves this long, unless confirmed

WEEKDAY_NAMES = {  # ISO weekday → a translated name (plural: "closed on Sundays")
    "1": lambda: _("Mondays"),
    "2": lambda: _("Tuesdays"),
    "3": lambda: _("Wednesdays"),
    "4": lambda: _("Thursdays"),
    "5": lambda: _("Fridays"),
    "6": lambda: _("Saturdays"),
    "7": lambda: _("Sundays"),
}


def weekday_names() -> list[tuple[str, str]]:
    """("1", "Monday") … ("7", "Sunday") in the visitor's language."""
    names = get_day_names("wide", locale=get_locale())
    return [(str(n + 1), names[n]) for n in range(7)]


def open_days_label(point: DropOffPoint) -> str:
    if (point.open_weekdays or "1234567") == "1234567":
        return _("every day")
    names = get_day_names("abbreviated", locale=get_locale())
    return ", ".join(names[int(day) - 1] for day in point.open_weekdays)


def outsized_message(need: Need) -> str:
    unit = need.item.unit
    most = needs_service.max_per_pledge(need)
    return _(
        "At most %(n)s %(unit)s per pledge. For more, contact the organizers.",
        n=format_number(most),
        unit=unit,
    )


def max_hint(need: Need) -> str:
    most = needs_service.max_per_pledge(need)
    return _("At most %(n)s %(unit)s per pledge", n=format_number(most), unit=need.item.unit)


def is_far_ahead(due_on: date, today: date) -> bool:
    return due_on > today + timedelta(days=HOLD_AFTER_DAYS)


def can_confirm_by_email() -> bool:
    return bool(get_settings().smtp_url)


def far_ahead_error(field: str, email: str) -> FieldError | None:
    """Why a pledge this far ahead cannot be made, or None when it can (held, then confirmed)."""
    if not can_confirm_by_email():
        message = _(
            "Pledges can be made for today and the next %(n)s days only. Choose an earlier day.",
            n=HOLD_AFTER_DAYS,
        )
        return FieldError(field, message)
    if not email:
        message = _(
            "To pledge more than %(n)s days ahead, give your email: we send you a link to "
            "confirm. Or choose an earlier day.",
            n=HOLD_AFTER_DAYS,
        )
        return FieldError(field, message)
    return None


def hold_expiry(now: datetime) -> datetime:
    return now + timedelta(hours=HOLD_HOURS)


def closed_message(point: DropOffPoint, day: date) -> str:
    weekday = WEEKDAY_NAMES[str(day.isoweekday())]()
    return _(
        "%(point)s is closed on %(weekdays)s (%(day)s). Choose a day it is open.",
        point=point.name,
        weekdays=weekday,
        day=format_day(day),
    )


async def open_day_error(
    session: AsyncSession,
    campaign: Campaign,
    point: DropOffPoint | None,
    slot: Slot | None,
    day: date,
) -> FieldError | None:
    """A day the drop-off point is closed (or, with no point chosen, every point is)."""
    if slot is not None:
        return None  # a time slot is an opening
    if point is not None:
        if await needs_service.point_opens_on(session, point, day):
            return None
        return FieldError("due_on", closed_message(point, day))
    points = list(
        await session.scalars(
            select(DropOffPoint).where(
                DropOffPoint.campaign_id == campaign.id, DropOffPoint.active.is_(True)
            )
        )
    )
    if not points:
        return None
    for candidate in points:
        if await needs_service.point_opens_on(session, candidate, day):
            return None
    message = _("No drop-off point is open on %(day)s. Choose another day.", day=format_day(day))
    return FieldError("due_on", message)


async def chosen_place(
    session: AsyncSession,
    campaign: Campaign,
    slot_id: int | None,
    point_id: int | None,
    today: date,
) -> tuple[Slot | None, DropOffPoint | None, list[FieldError]]:
    """The slot and drop-off point a pledge names (a slot gives its point), or field errors."""
    errors: list[FieldError] = []
    slot = point = None
    if slot_id is not None:
        try:
            slot = await needs_service.get_slot(session, campaign, slot_id)
            point = slot.drop_off_point
            if slot.day < today:
                errors.append(FieldError("slot_id", _("This time slot is over. Choose another.")))
        except NotFound as exc:
            errors.append(FieldError("slot_id", exc.message))
    elif point_id is not None:
        try:
            point = await needs_service.get_drop_off_point(session, campaign, point_id)
        except NotFound as exc:
            errors.append(FieldError("drop_off_point_id", exc.message))
    return slot, point, errors
