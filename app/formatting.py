"""Numbers, money, dates and absolute links as the visitor reads them (Babel, their locale).

Plain functions with no template machinery: services may use them; app/web.py registers
them as Jinja filters.
"""

from datetime import date, datetime

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


def format_number(value: int) -> str:
    return format_decimal(value, locale=get_locale())


def absolute_url(path: str) -> str:
    return get_settings().base_url + path
