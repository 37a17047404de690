"""Forgotten passwords: a reset link by email, the same answer whether or not the account exists."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import emails, links
from app.accounts.models import AccountToken, TokenPurpose, User, UserSession
from app.accounts.service import get_user_by_email, hash_password, normalize_email, password_problem
from app.db import utcnow
from app.errors import FieldError, ValidationFailed


async def request_reset(session: AsyncSession, email: str) -> None:
    """Queue a reset link when the address belongs to an active account; say nothing either way."""
    try:
        normalized = normalize_email(email)
    except ValueError:
        return
    user = await get_user_by_email(session, normalized)
    if user is None or not user.is_active:
        return
    raw, token = await links.issue(session, user, TokenPurpose.PASSWORD_RESET, user.email)
    await emails.password_reset(session, user, raw, token.id)


async def check_reset_link(session: AsyncSession, raw: str) -> AccountToken:
    return await links.usable(session, raw, TokenPurpose.PASSWORD_RESET)


async def reset_password(session: AsyncSession, raw: str, password: str) -> User:
    """Set the new password; the link and every other reset link of the account stop working,
    and every browser signed in to the account is signed out."""
    token = await check_reset_link(session, raw)
    user = token.user
    if problem := password_problem(password or "", user.email):
        raise ValidationFailed([FieldError("password", problem)])
    user.password_hash = hash_password(password)
    # Following the link proved the address, if it is still the account's.
    if token.email == user.email and user.email_verified_at is None:
        user.email_verified_at = utcnow()
    await links.use_all(session, user, TokenPurpose.PASSWORD_RESET)
    await end_all_sessions(session, user)
    await session.flush()
    return user


async def end_all_sessions(session: AsyncSession, user: User, keep_id: int | None = None) -> int:
    """Sign the account out everywhere (but `keep_id`, this browser's session); how many ended."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep_id is not None:
        query = query.where(UserSession.id != keep_id)
    result = await session.execute(query.values(revoked_at=utcnow()))
    return result.rowcount
