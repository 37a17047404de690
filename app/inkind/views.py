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
