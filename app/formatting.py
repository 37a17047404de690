"""Numbers, money, dates and absolute links as the visitor reads them (Babel, their locale).

Plain functions with no template machinery: services may use them; app/web.py registers
them as Jinja filters.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from app.config import get_settings
from app.i18n import get_locale
from app.money import Money


def format_money(value: Money | None) -> str:
    return value.format(get_locale()) if value is not None else ""


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Minutes are enough, and the zone is said: visitors live in many time zones.
        when = format_date(value, style, locale=get_locale())
        return f"{when}, {format_time(value, 'short', locale=get_locale())} UTC"
    return format_date(value, style, locale=get_locale())


def format_datetime(
    value: datetime | None, tz: str | None = None, locale: str | None = None, style: str = "medium"
) -> str:
    """A moment as people at the campaign read it: '22 Nov 2026, 16:05 EET' in its time zone
    (an IANA name; UTC when unknown), with the zone's abbreviation so no one has to guess."""
    if value is None:
        return ""
    try:
        zone = ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    # Stored times are UTC; a naive one (SQLite without the column type) is UTC too.
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)
    locale = locale or get_locale()
    day = format_date(local, style, locale=locale)
    clock = format_time(local, "short", tzinfo=zone, locale=locale)
    # Python's abbreviation ("EET", "GMT", "+04"): Babel's varies by locale and season.
    return f"{day}, {clock} {local.tzname()}"


def format_number(value: int) -> str:
    return format_decimal(value, locale=get_locale())


def absolute_url(path: str) -> str:
    return get_settings().base_url + path
