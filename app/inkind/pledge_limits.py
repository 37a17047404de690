"""Pledges per client address per need per day: enough for the many phones behind one carrier
NAT, too few for one address to fill a need day after day.

With the per-pledge maximum (a quarter of a day's need), 20 pledges a day let one address
reserve at most five days' worth of a daily need, of which only the next four days without
an emailed confirmation. Only pledges actually made count: a refused attempt ("already
covered") costs a real donor nothing.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from app import ratelimit
from app.errors import FieldError, TooManyRequests
from app.i18n import _
from app.inkind.models import Need

PLEDGES_PER_CLIENT_PER_NEED_PER_DAY = 20
DAY_SECONDS = 86_400


def _key(client: str, need_id: int) -> str:
    return f"pledge:need:{need_id}:ip:{client}"


def seconds_to_next_window() -> int:
    now = int(ratelimit.clock())
    return DAY_SECONDS - now % DAY_SECONDS


async def check(session: AsyncSession, client: str, lines: list[tuple[str, Need]]) -> None:
    """Raise 429, the message next to each quantity concerned, once an address used its day."""
    errors = []
    for field, need in lines:
        used = await ratelimit.count(session, _key(client, need.id), DAY_SECONDS)
        if used >= PLEDGES_PER_CLIENT_PER_NEED_PER_DAY:
            message = _(
                "Many pledges for %(item)s came from your network today. Try again tomorrow, "
                "or contact the organizers.",
                item=need.item.name,
            )
            errors.append(FieldError(field, message))
    if errors:
        exc = TooManyRequests(errors[0].message, retry_after=seconds_to_next_window())
        exc.field_errors = errors
        raise exc


async def count_made(session: AsyncSession, client: str, need_ids: list[int]) -> None:
    """Count a pledge that was made (in the request's transaction)."""
    for need_id in need_ids:
        await ratelimit.hit(
            session, _key(client, need_id), PLEDGES_PER_CLIENT_PER_NEED_PER_DAY, DAY_SECONDS
        )
