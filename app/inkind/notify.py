"""Emails to donors who gave an address: a confirmation (with the link that confirms a pledge
far ahead), and a reminder the day before."""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign
from app.formatting import absolute_url, format_day
from app.i18n import _
from app.inkind.models import Pledge, PledgeStatus
from app.outbox import enqueue_email

REMINDER_HOUR = time(8, 0)  # UTC, on the day before the pledge's day


def manage_url(pledge: Pledge, token: str) -> str:
    return absolute_url(f"/pledges/{pledge.code}?t={quote(token)}")


def confirm_url(pledge: Pledge, token: str, confirm_token: str) -> str:
    return absolute_url(f"/pledges/{pledge.code}/confirm?t={quote(token)}&c={quote(confirm_token)}")


def where_and_when(pledge: Pledge) -> str:
    parts = []
    if pledge.drop_off_point:
        point = pledge.drop_off_point
        parts.append(" · ".join(p for p in (point.name, point.address, point.opening_hours) if p))
    if pledge.slot:
        slot = pledge.slot
        parts.append(
            _(
                "Time slot: %(day)s, %(start)s–%(end)s",
                day=slot.day.isoformat(),
                start=slot.starts_at.strftime("%H:%M"),
                end=slot.ends_at.strftime("%H:%M"),
            )
        )
    else:
        parts.append(_("Day: %(day)s", day=pledge.due_on.isoformat()))
    return "\n".join(parts)


def _lines(pledge: Pledge) -> str:
    return "\n".join(
        f"- {line.units} {line.need.item.unit} ({line.need.item.name})" for line in pledge.lines
    )


async def pledge_created(
    session: AsyncSession,
    campaign: Campaign,
    pledge: Pledge,
    token: str,
    today,
    *,
    confirm_token: str | None = None,
) -> None:
    """The confirmation email, and the reminder the day before. A held pledge (far ahead)
    gets the link that confirms it, with the time it is released unless confirmed."""
    if not pledge.donor_email:
        return
    link = manage_url(pledge, token)
    if pledge.status == PledgeStatus.WAITLISTED:
        intro = _("Thank you! What you offered is covered for now: you are on the waiting list.")
    else:
        intro = _("Thank you for your pledge to #%(tag)s.", tag=campaign.hashtag)
    parts = [intro]
    if confirm_token and pledge.hold_expires_at:
        parts.append(_confirm_paragraph(pledge, token, confirm_token))
    parts += [
        _("Your pledge code: %(code)s", code=pledge.code),
        _lines(pledge),
        where_and_when(pledge),
        _("To change or cancel your pledge: %(link)s", link=link),
    ]
    if confirm_token and pledge.hold_expires_at:
        subject = _(
            "Confirm your pledge %(code)s for #%(tag)s", code=pledge.code, tag=campaign.hashtag
        )
    else:
        subject = _("Your pledge %(code)s for #%(tag)s", code=pledge.code, tag=campaign.hashtag)
    await enqueue_email(
        session,
        dedupe_key=f"pledge:{pledge.id}:confirmation",
        to=pledge.donor_email,
        subject=subject,
        body="\n\n".join(parts),
        campaign_id=campaign.id,
    )
    if pledge.status != PledgeStatus.WAITLISTED:
        await queue_reminder(session, campaign, pledge, token, today)


def _confirm_paragraph(pledge: Pledge, token: str, confirm_token: str) -> str:
    return _(
        "Your pledge is for a day more than a few days away: please confirm it by %(when)s, "
        "or it is released for other donors. Confirm here: %(link)s",
        when=format_day(pledge.hold_expires_at),
        link=confirm_url(pledge, token, confirm_token),
    )


async def pledge_held_after_move(
    session: AsyncSession, campaign: Campaign, pledge: Pledge, token: str, confirm_token: str
) -> None:
    """A pledge moved far ahead: the link that confirms it (one email per hold)."""
    if not pledge.donor_email or not pledge.hold_expires_at:
        return
    body = "\n\n".join(
        [
            _confirm_paragraph(pledge, token, confirm_token),
            _("Your pledge code: %(code)s", code=pledge.code),
            _lines(pledge),
            where_and_when(pledge),
        ]
    )
    stamp = int(pledge.hold_expires_at.timestamp())
    await enqueue_email(
        session,
        dedupe_key=f"pledge:{pledge.id}:confirm:{stamp}",
        to=pledge.donor_email,
        subject=_(
            "Confirm your pledge %(code)s for #%(tag)s", code=pledge.code, tag=campaign.hashtag
        ),
        body=body,
        campaign_id=campaign.id,
    )


async def queue_reminder(
    session: AsyncSession, campaign: Campaign, pledge: Pledge, token: str, today
) -> None:
    """The reminder the day before the pledge's day (none for a day that is today or past)."""
    if not pledge.donor_email or pledge.due_on <= today:
        return
    link = manage_url(pledge, token)
    send_after = datetime.combine(pledge.due_on - timedelta(days=1), REMINDER_HOUR, tzinfo=UTC)
    reminder = "\n\n".join(
        [
            _("A reminder: tomorrow you bring your pledge %(code)s.", code=pledge.code),
            _lines(pledge),
            where_and_when(pledge),
            _("Can't make it? Change or cancel here: %(link)s", link=link),
        ]
    )
    await enqueue_email(
        session,
        dedupe_key=f"pledge:{pledge.id}:reminder",
        to=pledge.donor_email,
        subject=_(
            "Tomorrow: your pledge %(code)s for #%(tag)s", code=pledge.code, tag=campaign.hashtag
        ),
        body=reminder,
        campaign_id=campaign.id,
        send_after=send_after,
    )
