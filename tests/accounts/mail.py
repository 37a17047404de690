"""Read the account emails a request queued, as the person would find them in their inbox."""

import re

from sqlalchemy import select

from app.outbox import OutboxEmail


async def queued(session, to: str | None = None) -> list[OutboxEmail]:
    query = select(OutboxEmail).order_by(OutboxEmail.id)
    if to:
        query = query.where(OutboxEmail.to_address == to)
    return list(await session.scalars(query))


def link_in(message: OutboxEmail, path: str) -> str:
    """The site-relative link of the email that starts with `path` (/reset/, /verify-email/)."""
    match = re.search(rf"http://testserver({re.escape(path)}[A-Za-z0-9_-]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)
