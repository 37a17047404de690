"""Sign-up, passwords, browser sessions and API tokens."""

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import ApiToken, User, UserSession
from app.db import utcnow
from app.errors import FieldError, ValidationFailed
from app.i18n import _
from app.text import clean_line

SESSION_LIFETIME = timedelta(days=30)
TOKEN_PREFIX_LENGTH = 10  # "aid_" and 6 characters of the secret: enough to tell tokens apart
MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password12",
        "password123",
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "qwerty1234",
        "iloveyou12",
        "azertyuiop",
        "0123456789",
        "motdepasse",
        "letmein123",
        "welcome123",
        "aaaaaaaaaa",
        "abcdefghij",
        "abc1234567",
        "football12",
        "admin12345",
        "passw0rd12",
    ]
)

_hasher = PasswordHasher()
# Verifying against a real hash when the email is unknown keeps both answers equally slow.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def normalize_email(value: str) -> str:
    """Validate an email address; return it lowercased. Raises ValueError with a message."""
    try:
        result = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(_("Enter a valid email address.")) from None
    return result.normalized.lower()


def password_problem(password: str, email: str = "") -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > 256:
        return _("Use at most 256 characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return _("This password is too easy to guess. Try a short sentence.")
    if email and lowered == email.lower():
        return _("Your password must not be your email address.")
    return None


def display_name_problem(display_name: str) -> str | None:
    name = clean_line(display_name)
    if not name:
        return _("Tell us your name or your group's name.")
    if len(name) > 120:
        return _("Must be at most %(n)s characters.", n=120)
    return None


def password_matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.strip().lower()))


async def sign_up(
    session: AsyncSession, email: str, password: str, display_name: str, *, verified: bool = False
) -> User:
    """A new account. `verified` only for accounts made by whoever runs the server (CLI, demo)."""
    errors: list[FieldError] = []
    normalized = ""
    try:
        normalized = normalize_email(email)
    except ValueError as exc:
        errors.append(FieldError("email", str(exc)))
    if name_problem := display_name_problem(display_name):
        errors.append(FieldError("display_name", name_problem))
    problem = password_problem(password or "", normalized)
    if problem:
        errors.append(FieldError("password", problem))
    if normalized and not errors and await get_user_by_email(session, normalized):
        errors.append(
            FieldError("email", _("An account with this email already exists. Log in instead."))
        )
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=normalized,
        display_name=clean_line(display_name),
        password_hash=hash_password(password),
        email_verified_at=utcnow() if verified else None,
    )
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The user for these credentials, or None; never says which part was wrong."""
    user = await get_user_by_email(session, email or "")
    try:
        if user is None or not user.is_active:
            _hasher.verify(_DUMMY_HASH, password or "")
            return None
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


async def start_session(session: AsyncSession, user: User, user_agent: str = "") -> str:
    raw = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=hash_token(raw),
            user_id=user.id,
            user_agent=(user_agent or "")[:300],
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    await session.flush()
    return raw


async def user_for_session(session: AsyncSession, raw: str) -> User | None:
    row = await session.scalar(
        select(UserSession).where(
            UserSession.token_hash == hash_token(raw),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow(),
        )
    )
    if row is None or not row.user.is_active:
        return None
    return row.user


async def end_session(session: AsyncSession, raw: str) -> None:
    await session.execute(
        update(UserSession)
        .where(UserSession.token_hash == hash_token(raw), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def create_api_token(session: AsyncSession, user: User, name: str = "") -> str:
    raw = "aid_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=hash_token(raw),
            user_id=user.id,
            name=clean_line(name)[:100],
            prefix=raw[:TOKEN_PREFIX_LENGTH],
        )
    )
    await session.flush()
    return raw


async def user_for_api_token(session: AsyncSession, raw: str) -> User | None:
    token = await session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.is_active:
        return None
    return token.user


async def revoke_api_token(session: AsyncSession, raw: str) -> bool:
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount > 0
