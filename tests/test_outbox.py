from sqlalchemy import func, select

from app.config import get_settings
from app.outbox import OutboxEmail, deliver_due, enqueue_email


async def test_queued_email_is_delivered_once(session, sessionmaker, smtp_server):
    for _ in range(2):  # the same event enqueued twice (a retried webhook, a double click)
        await enqueue_email(
            session,
            dedupe_key="receipt:donation:1",
            to="donor@example.org",
            subject="Thank you for your gift",
            body="We received 10,00 €.",
        )
    await session.commit()
    assert await deliver_due(sessionmaker) == 1
    assert await deliver_due(sessionmaker) == 0
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["To"] == "donor@example.org"
    assert received["Subject"] == "Thank you for your gift"
    assert received["From"] == get_settings().mail_from
    assert "10,00 €" in received.get_payload(decode=True).decode()


async def test_a_refusing_server_means_a_retry_not_a_loss(session, sessionmaker, smtp_server):
    await enqueue_email(
        session, dedupe_key="k:2", to="donor@example.org", subject="Receipt", body="Thanks"
    )
    await session.commit()
    smtp_server.handler.refuse = True
    assert await deliver_due(sessionmaker) == 0
    message = await session.scalar(select(OutboxEmail))
    await session.refresh(message)
    assert message.sent_at is None and message.attempts == 1
    assert "451" in message.last_error
    # Due again (as it will be after the backoff): the server now accepts it.
    message.send_after = message.created_at
    await session.commit()
    smtp_server.handler.refuse = False
    assert await deliver_due(sessionmaker) == 1
    assert len(smtp_server.messages) == 1


async def test_nothing_is_queued_when_mail_is_not_configured(session):
    assert get_settings().smtp_url is None
    queued = await enqueue_email(
        session, dedupe_key="k:3", to="a@example.org", subject="s", body="b"
    )
    assert queued is None
    assert await session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


async def test_a_header_cannot_be_split_into_two(session, sessionmaker, smtp_server):
    await enqueue_email(
        session,
        dedupe_key="k:4",
        to="donor@example.org",
        subject="Thank you\r\nBcc: everyone@example.org\n\nFake body",
        body="Thanks",
    )
    for index, to in enumerate(
        ("donor@example.org\r\nBcc: everyone@example.org", "a@example.org, b@example.org")
    ):
        queued = await enqueue_email(
            session, dedupe_key=f"k:5:{index}", to=to, subject="Receipt", body="Thanks"
        )
        assert queued is None
    await session.commit()
    assert await deliver_due(sessionmaker) == 1
    received = smtp_server.messages[0]
    assert received["To"] == "donor@example.org" and received["Bcc"] is None
    assert received["Subject"] == "Thank you Bcc: everyone@example.org Fake body"
    assert received.get_payload(decode=True).decode().strip() == "Thanks"
