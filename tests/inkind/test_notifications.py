"""Pledge emails through the outbox, to a real SMTP server."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.inkind import closing
from app.outbox import OutboxEmail, deliver_due
from tests.factories import create_campaign
from tests.inkind.factories import TODAY, create_need, create_point, create_slot, pledge


async def test_confirmation_now_and_reminder_the_day_before_the_slot(
    session, sessionmaker, smtp_server
):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    point = await create_point(session, campaign)
    slot = await create_slot(session, point, day=TODAY + timedelta(days=3))
    result = await pledge(
        session, campaign, {diapers: 60}, donor_email="Liga@Example.org", slot_id=slot.id
    )
    await session.commit()
    assert await deliver_due(sessionmaker) == 1
    [confirmation] = smtp_server.messages
    assert confirmation["To"] == "liga@example.org"
    assert confirmation["Subject"] == f"Your pledge {result.pledge.code} for #palidzesim"
    body = confirmation.get_payload(decode=True).decode()
    assert result.pledge.code in body and "Riga shelter" in body
    assert f"Time slot: {slot.day.isoformat()}, 10:00–12:00" in body
    assert f"/pledges/{result.pledge.code}?t={result.token}" in body

    reminder = await session.scalar(
        select(OutboxEmail).where(OutboxEmail.dedupe_key == f"pledge:{result.pledge.id}:reminder")
    )
    assert reminder.send_after == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    reminder.send_after = datetime.now(UTC) - timedelta(seconds=1)  # the day before has come
    await session.commit()
    assert await deliver_due(sessionmaker) == 1
    assert smtp_server.messages[1]["Subject"] == (
        f"Tomorrow: your pledge {result.pledge.code} for #palidzesim"
    )


async def test_no_email_without_address_and_no_reminder_after_cancelling(session, smtp_server):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    await pledge(session, campaign, {diapers: 5})
    assert list(await session.scalars(select(OutboxEmail))) == []
    result = await pledge(
        session, campaign, {diapers: 5}, donor_email="a@example.org",
        due_on=TODAY + timedelta(days=2),
    )  # fmt: skip
    await closing.cancel(session, result.pledge, actor="donor")
    keys = [m.dedupe_key for m in await session.scalars(select(OutboxEmail))]
    assert keys == [f"pledge:{result.pledge.id}:confirmation"]
