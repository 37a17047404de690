"""Single-use links sent by email: only a hash of the token is stored, and each expires."""

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import AccountToken, TokenPurpose, User
from app.accounts.service import hash_token
from app.db import utcnow
from app.errors import AppError
from app.i18n import N_

LIFETIMES = {
    TokenPurpose.PASSWORD_RESET: timedelta(hours=1),
    TokenPurpose.VERIFY_EMAIL: timedelta(days=7),
}


class LinkUnusable(AppError):
    """A link that is unknown, already used or expired; pages render it with a way to ask again."""

    status_code = 410
    default_title = N_("This link cannot be used")

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown", "used" or "expired"


async def issue(
    session: AsyncSession, user: User, purpose: TokenPurpose, email: str
) -> tuple[str, AccountToken]:
    """A new link for `email`: the raw token (for the email only) and its stored row."""
    raw = secrets.token_urlsafe(32)
    token = AccountToken(
        token_hash=hash_token(raw),
        user_id=user.id,
        purpose=purpose,
        email=email,
        expires_at=utcnow() + LIFETIMES[purpose],
    )
    session.add(token)
    await session.flush()
    return raw, token


async def usable(session: AsyncSession, raw: str, purpose: TokenPurpose) -> AccountToken:
    """The token behind this link; LinkUnusable says why it cannot serve."""
    token = await session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == hash_token(raw or ""), AccountToken.purpose == purpose
        )
    )
    if token is None or not token.user.is_active:
        raise LinkUnusable("unknown")
    if token.used_at is not None:
        raise LinkUnusable("used")
    if token.expires_at <= utcnow():
        raise LinkUnusable("expired")
    return token


async def use_all(session: AsyncSession, user: User, purpose: TokenPurpose) -> None:
    """Spend every open link of this kind for the account (the one followed and its siblings)."""
    await session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )


async def pending_email_change(session: AsyncSession, user: User) -> str | None:
    """A new address waiting for its confirmation link to be followed, if any."""
    return await session.scalar(
        select(AccountToken.email)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.VERIFY_EMAIL,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > utcnow(),
            AccountToken.email != user.email,
        )
        .order_by(AccountToken.id.desc())
        .limit(1)
    )
