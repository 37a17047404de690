"""Small helpers shared by the in-kind routers (router.py, goods_admin.py, desk.py)."""

from datetime import date
from urllib.parse import quote

from app.db import utcnow
from app.errors import AppError


def today() -> date:
    return utcnow().date()


def team_base(campaign) -> str:
    """Where the campaign's team pages start."""
    return f"/dashboard/c/{quote(campaign.hashtag)}"


def errors_of(exc: AppError) -> dict[str, str]:
    """Field errors by field name, or the message for the whole form."""
    return {e.field: e.message for e in exc.field_errors} or {"form": exc.message}


def place_errors(errors: dict[str, str], fields: set[str]) -> dict[str, str]:
    """Errors shown once, where they belong: a field's next to that field, any other (about
    the whole form) under "form", next to its submit button."""
    placed = {name: message for name, message in errors.items() if name in fields}
    rest = [message for name, message in errors.items() if name not in fields]
    if rest:
        placed["form"] = " ".join(dict.fromkeys(rest))
    return placed
