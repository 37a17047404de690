"""The account emails, written in the language of the page that caused them, queued in the
request's transaction (app.outbox): nothing talks to a mail server during the request."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.formatting import absolute_url
from app.i18n import _
from app.outbox import enqueue_email


def _body(*paragraphs: str) -> str:
    return "\n\n".join([*paragraphs, _("— Aidons")]) + "\n"


async def password_reset(session: AsyncSession, user: User, raw: str, token_id: int) -> None:
    await enqueue_email(
        session,
        dedupe_key=f"account:reset:{token_id}",
        to=user.email,
        subject=_("Reset your Aidons password"),
        body=_body(
            _("Hello %(name)s,", name=user.display_name),
            _("Someone (we hope you) asked to reset the password of your Aidons account."),
            _("Choose a new password here (the link works once, for one hour):"),
            absolute_url(f"/reset/{raw}"),
            _("If you did not ask for this, ignore this email: your password stays as it is."),
        ),
    )


async def verify_address(
    session: AsyncSession, user: User, email: str, raw: str, token_id: int
) -> None:
    changing = email != user.email
    intro = (
        _("Confirm that %(email)s is the new address of your Aidons account:", email=email)
        if changing
        else _("Confirm your email address to finish setting up your Aidons account:")
    )
    await enqueue_email(
        session,
        dedupe_key=f"account:verify:{token_id}",
        to=email,
        subject=_("Confirm your email address for Aidons"),
        body=_body(
            _("Hello %(name)s,", name=user.display_name),
            intro,
            absolute_url(f"/verify-email/{raw}"),
            _("The link works once, for 7 days. If you did not ask for this, ignore this email."),
        ),
    )


async def email_changed(session: AsyncSession, user: User, old_email: str, token_id: int) -> None:
    await enqueue_email(
        session,
        dedupe_key=f"account:email-changed:{token_id}",
        to=old_email,
        subject=_("The email address of your Aidons account changed"),
        body=_body(
            _("Hello %(name)s,", name=user.display_name),
            _(
                "Your Aidons account now uses %(new)s instead of %(old)s.",
                new=user.email,
                old=old_email,
            ),
            _(
                "If you did not make this change, tell the people who run %(site)s right away.",
                site=absolute_url("/"),
            ),
        ),
    )
