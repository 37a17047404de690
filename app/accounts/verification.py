"""Proving an email address: at sign-up, and before a change of address takes effect."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import emails, links
from app.accounts.models import TokenPurpose, User
from app.accounts.service import get_user_by_email, normalize_email, password_matches
from app.config import get_settings
from app.db import utcnow
from app.errors import FieldError, ValidationFailed
from app.i18n import _


def mail_enabled() -> bool:
    """Without a mail server no link can reach anyone: pages then do not ask for one."""
    return bool(get_settings().smtp_url)


async def send_link(session: AsyncSession, user: User, email: str | None = None) -> None:
    """Queue a verification link for the account's address (or a new one it wants to use)."""
    address = email or user.email
    raw, token = await links.issue(session, user, TokenPurpose.VERIFY_EMAIL, address)
    await emails.verify_address(session, user, address, raw, token.id)


async def verify(session: AsyncSession, raw: str) -> tuple[User, bool]:
    """Follow a verification link: the address is proved (and becomes the account's address
    when it was a change). Returns the account and whether its address changed."""
    token = await links.usable(session, raw, TokenPurpose.VERIFY_EMAIL)
    user = token.user
    changed = token.email != user.email
    if changed:
        owner = await get_user_by_email(session, token.email)
        if owner is not None and owner.id != user.id:
            # Someone signed up with that address since the change was asked.
            raise links.LinkUnusable("taken")
        old_email, user.email = user.email, token.email
        await emails.email_changed(session, user, old_email, token.id)
    user.email_verified_at = utcnow()
    await links.use_all(session, user, TokenPurpose.VERIFY_EMAIL)
    await session.flush()
    return user, changed


async def request_email_change(
    session: AsyncSession, user: User, new_email: str, password: str
) -> str:
    """Check the password and the new address, then send it a link; the account keeps its
    current address until the link is followed. Returns the normalized new address."""
    errors = []
    normalized = ""
    try:
        normalized = normalize_email(new_email)
    except ValueError as exc:
        errors.append(FieldError("email", str(exc)))
    if normalized and normalized == user.email:
        errors.append(FieldError("email", _("This is already your email address.")))
    elif normalized and await get_user_by_email(session, normalized):
        errors.append(FieldError("email", _("Another account already uses this email address.")))
    if not password_matches(user, password):
        errors.append(FieldError("current_password", _("This is not your current password.")))
    if errors:
        raise ValidationFailed(errors)
    await send_link(session, user, normalized)
    return normalized
