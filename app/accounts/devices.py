"""What is signed in to an account: browser sessions and API tokens, each revocable."""

import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import links
from app.accounts.models import ApiToken, TokenPurpose, User, UserSession
from app.accounts.recovery import end_all_sessions
from app.accounts.service import (
    display_name_problem,
    hash_password,
    hash_token,
    password_matches,
    password_problem,
)
from app.db import utcnow
from app.errors import FieldError, NotFound, ValidationFailed
from app.i18n import _
from app.text import clean_line

# Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = [
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Macintosh|Mac OS X"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
]


def device_summary(user_agent: str) -> str:
    """ "Firefox on Android", from a User-Agent header; something readable when unknown."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if browser or system:
        return browser or system
    return _("Unknown device") if not user_agent else clean_line(user_agent)[:60]


@dataclass(frozen=True)
class SignedIn:
    session: UserSession
    device: str
    current: bool


async def active_sessions(session: AsyncSession, user: User, current_id: int | None) -> list:
    rows = await session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow(),
        )
        .order_by(UserSession.id.desc())
    )
    listed = [SignedIn(row, device_summary(row.user_agent), row.id == current_id) for row in rows]
    return sorted(listed, key=lambda item: not item.current)  # this device first


async def session_id_for(session: AsyncSession, raw: str | None) -> int | None:
    if not raw:
        return None
    return await session.scalar(
        select(UserSession.id).where(UserSession.token_hash == hash_token(raw))
    )


async def revoke_session(session: AsyncSession, user: User, session_id: int) -> None:
    result = await session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    if result.rowcount == 0:
        raise NotFound(_("This session is already signed out."))


async def active_tokens(session: AsyncSession, user: User) -> list[ApiToken]:
    rows = await session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    )
    return list(rows)


async def revoke_token(session: AsyncSession, user: User, token_id: int) -> None:
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if result.rowcount == 0:
        raise NotFound(_("This API token does not exist or was already revoked."))


async def change_name(session: AsyncSession, user: User, display_name: str) -> None:
    if problem := display_name_problem(display_name):
        raise ValidationFailed([FieldError("display_name", problem)])
    user.display_name = clean_line(display_name)
    await session.flush()


async def change_password(
    session: AsyncSession, user: User, current: str, new: str, keep_session_id: int | None
) -> int:
    """Set a new password after checking the current one; every other browser is signed out
    (and pending reset links stop working). Returns how many sessions ended."""
    errors = []
    if not password_matches(user, current):
        errors.append(FieldError("current_password", _("This is not your current password.")))
    if problem := password_problem(new or "", user.email):
        errors.append(FieldError("new_password", problem))
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(new)
    await links.use_all(session, user, TokenPurpose.PASSWORD_RESET)
    ended = await end_all_sessions(session, user, keep_id=keep_session_id)
    await session.flush()
    return ended
