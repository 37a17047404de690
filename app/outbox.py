"""A durable email outbox: messages are written in the same transaction as the change they
announce, then delivered by a periodic job with retries, so a crash never loses one."""

import asyncio
import logging
import re
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from app.config import get_settings
from app.db import Base, UTCDateTime, utcnow
from app.text import clean_line
from app.transaction import UnitOfWork

log = logging.getLogger("aidons.outbox")

MAX_ATTEMPTS = 8
# One plain address: no spaces, controls, commas, angle brackets, quotes or group syntax.
_ADDRESS_CHAR = r"[^\s\x00-\x1f\x7f,;:<>\"()\[\]\\@]"
_SINGLE_ADDRESS = re.compile(rf"{_ADDRESS_CHAR}{{1,64}}@{_ADDRESS_CHAR}{{1,253}}")


class OutboxEmail(Base):
    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # One message per event, e.g. "receipt:donation:42": enqueueing twice sends once.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    send_after = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at = mapped_column(UTCDateTime, nullable=True, index=True)


async def enqueue_email(
    session: AsyncSession,
    *,
    dedupe_key: str,
    to: str,
    subject: str,
    body: str,
    campaign_id: int | None = None,
    send_after=None,
) -> OutboxEmail | None:
    """Queue an email in the caller's transaction; None when mail is off or already queued."""
    if not get_settings().smtp_url or not to:
        return None
    to = to.strip()
    if not _SINGLE_ADDRESS.fullmatch(to):
        # Addresses are validated where people type them; this one would name other
        # recipients (a CR/LF and "Bcc:", a comma, a group), so it gets nothing.
        log.warning("email %s not queued: not a single address", dedupe_key)
        return None
    existing = await session.scalar(select(OutboxEmail).where(OutboxEmail.dedupe_key == dedupe_key))
    if existing is not None:
        return None
    message = OutboxEmail(
        dedupe_key=dedupe_key,
        to_address=to,
        subject=header_line(subject)[:300],
        body_text=body,
        campaign_id=campaign_id,
        send_after=send_after or utcnow(),
    )
    session.add(message)
    await session.flush()
    return message


def header_line(text: str) -> str:
    """Text for a mail header: one line. A CR or LF would start a header of its own (Bcc:…),
    and the email package refuses to send it at all, which would stall the queue."""
    return clean_line(re.sub(r"[\r\n\t]+", " ", text or ""))


def _send_via_smtp(smtp_url: str, sender: str, message: OutboxEmail) -> None:
    parts = urlsplit(smtp_url)
    options = parse_qs(parts.query)
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = header_line(message.subject)
    email["Message-ID"] = make_msgid(domain=(parts.hostname or "localhost"))
    email.set_content(message.body_text)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(parts.hostname, port, timeout=15)
    else:
        client = smtplib.SMTP(parts.hostname, port, timeout=15)
    with client:
        if parts.scheme == "smtp" and options.get("starttls", ["auto"])[0] != "no":
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(email)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 240))


# A claimed message is not offered to another worker for this long (a crash mid-send frees it).
CLAIM_LEASE = timedelta(minutes=5)


async def deliver_due(sessionmaker: async_sessionmaker[AsyncSession], limit: int = 50) -> int:
    """Send what is due. Each message is claimed in one short transaction, sent with no
    transaction open (a slow mail server must not hold SQLite's write lock), then settled in
    another."""
    settings = get_settings()
    if not settings.smtp_url:
        return 0
    sent = 0
    for _ in range(limit):
        async with UnitOfWork(sessionmaker) as session:
            message = await session.scalar(
                select(OutboxEmail)
                .where(
                    OutboxEmail.sent_at.is_(None),
                    OutboxEmail.attempts < MAX_ATTEMPTS,
                    OutboxEmail.send_after <= utcnow(),
                )
                .order_by(OutboxEmail.send_after, OutboxEmail.id)
                .limit(1)
                # Several workers may run this job: each message goes to one of them.
                .with_for_update(skip_locked=True)
            )
            if message is None:
                break
            message.send_after = utcnow() + CLAIM_LEASE
        try:
            await asyncio.to_thread(_send_via_smtp, settings.smtp_url, settings.mail_from, message)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.warning("email %s not sent (attempt %s): %s", message.id, message.attempts + 1, exc)
        else:
            error = None
            sent += 1
        async with UnitOfWork(sessionmaker) as session:
            row = await session.get(OutboxEmail, message.id, with_for_update=True)
            row.attempts += 1
            if error is None:
                row.sent_at = utcnow()
            else:
                row.last_error = error
                row.send_after = utcnow() + _backoff(row.attempts)
    return sent
