"""The receipt a donor keeps: what it says (one list of lines for the page, the PDF and the
email), its private link, and the email sent through the durable outbox once a gift counts.

The private link is the gift's reference, which is already random and unguessable (128 bits,
the key of the thank-you page): /receipts/{reference}. It names the gift without the campaign's
hashtag, so it keeps working after the campaign closes and frees its hashtags.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from sqlalchemy.ext.asyncio import AsyncSession

from app import outbox
from app.accounts.models import User
from app.campaigns.models import Campaign
from app.donations.models import Donation, DonationStatus, Provider
from app.formatting import absolute_url
from app.i18n import _, get_locale, reset_locale, set_locale
from app.money import Money

log = logging.getLogger("aidons.donations")

# Gifts whose money was received at some point: they have a receipt (refunds are shown on it).
WITH_RECEIPT = (
    DonationStatus.SUCCEEDED,
    DonationStatus.PARTIALLY_REFUNDED,
    DonationStatus.REFUNDED,
    DonationStatus.DISPUTED,
)


def has_receipt(donation: Donation) -> bool:
    return donation.status in WITH_RECEIPT


def receipt_path(donation: Donation) -> str:
    return f"/receipts/{donation.reference}"


@dataclass(frozen=True)
class Receipt:
    """What a receipt says, already in the reader's language: the page, the PDF and the email
    show the same lines."""

    reference: str
    test: bool  # the demo checkout: no money moved, and the receipt says so
    lines: list[tuple[str, str]]  # (label, value), in the order they are read
    notes: list[str]
    link: str  # the absolute private link


async def build_receipt(session: AsyncSession, donation: Donation) -> Receipt:
    """The receipt of a gift with money received, in the current language."""
    campaign = await session.get(Campaign, donation.campaign_id)
    organizer = await session.get(User, campaign.created_by_id) if campaign.created_by_id else None
    locale = get_locale()
    lines = [
        (_("Reference"), donation.reference),
        (_("Date"), _paid_on(donation, campaign, locale)),
        (_("Amount"), donation.amount.format(locale)),
    ]
    if donation.refunds:
        refunded = Money(donation.refunded_minor, donation.currency)
        lines.append((_("Refunded"), refunded.format(locale)))
        lines.append((_("Amount kept after refunds"), donation.refundable.format(locale)))
    lines.append((_("Status"), _state(donation)))
    if donation.donor_name:
        donor = donation.donor_name
        if donation.anonymous:
            donor = _("%(name)s (anonymous on the donor wall)", name=donor)
        lines.append((_("Donor"), donor))
    lines.append((_("Campaign"), f"{campaign.title} (#{campaign.hashtag})"))
    beneficiary = ", ".join(part for part in (campaign.beneficiary, campaign.place) if part)
    if beneficiary:
        lines.append((_("Beneficiary"), beneficiary))
    if organizer is not None and organizer.display_name:
        lines.append((_("Organizer"), organizer.display_name))
    lines.append((_("Payment"), _method(donation)))
    # Aidons knows nothing of the organizer's tax status: say what this document is, no more.
    notes = [_("This is a record of your payment, not an official tax receipt.")]
    return Receipt(
        reference=donation.reference,
        test=donation.provider == Provider.DEMO,
        lines=lines,
        notes=notes,
        link=absolute_url(receipt_path(donation)),
    )


def _zone(campaign: Campaign) -> ZoneInfo:
    # Campaigns that record a time zone show their local time; the others UTC, said as such.
    try:
        return ZoneInfo(getattr(campaign, "time_zone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _paid_on(donation: Donation, campaign: Campaign, locale: str) -> str:
    if donation.provider == Provider.OFFLINE and donation.received_on:
        return format_date(donation.received_on, "long", locale=locale)
    moment = donation.succeeded_at or donation.created_at
    return format_moment(moment, _zone(campaign), locale)


def format_moment(moment: datetime | date, zone: ZoneInfo, locale: str) -> str:
    """'22 November 2026, 23:05 EET': the day, the time and the zone, so no one guesses."""
    if not isinstance(moment, datetime):
        return format_date(moment, "long", locale=locale)
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    day = format_date(local, "long", locale=locale)
    clock = format_time(local, "short", tzinfo=zone, locale=locale)
    return f"{day}, {clock} {local.tzname()}"


def _state(donation: Donation) -> str:
    if donation.status == DonationStatus.PARTIALLY_REFUNDED:
        return _("Paid, partly refunded")
    if donation.status == DonationStatus.REFUNDED:
        return _("Refunded in full")
    if donation.status == DonationStatus.DISPUTED:
        return _("Disputed with the bank")
    return _("Paid")


def _method(donation: Donation) -> str:
    if donation.provider == Provider.STRIPE:
        return _("Card, through Stripe")
    if donation.provider == Provider.DEMO:
        return _("Test checkout")
    # Imported here: gifts imports this module to send the receipt.
    from app.donations.gifts import OFFLINE_METHODS

    method = OFFLINE_METHODS.get(donation.offline_method or "other", OFFLINE_METHODS["other"])
    return _("%(method)s, recorded by the organizers", method=_(method))


# --- The email ------------------------------------------------------------------------------


async def enqueue_receipt(session: AsyncSession, donation: Donation) -> None:
    if not donation.email:
        return
    campaign = await session.get(Campaign, donation.campaign_id)
    token = set_locale(donation.locale)
    try:
        receipt = await build_receipt(session, donation)
        amount = donation.amount.format(donation.locale)
        subject = _("Thank you for your gift to #%(tag)s", tag=campaign.hashtag)
        details = "\n".join(
            _("%(label)s: %(value)s", label=label, value=value) for label, value in receipt.lines
        )
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=donation.donor_name or _("friend")),
                _(
                    "We received your gift of %(amount)s for %(beneficiary)s (#%(tag)s).",
                    amount=amount,
                    beneficiary=campaign.beneficiary,
                    tag=campaign.hashtag,
                ),
                details,
                *(
                    [_("Test checkout: no money moved. This receipt is an example.")]
                    if receipt.test
                    else []
                ),
                *receipt.notes,
                _(
                    "Your receipt, to keep or download as a PDF (a private link: share it "
                    "with no one): %(url)s",
                    url=receipt.link,
                ),
                _("Follow the campaign: %(url)s", url=absolute_url(campaign.path)),
                _("Thank you for helping."),
            ]
        )
    finally:
        reset_locale(token)
    await outbox.enqueue_email(
        session,
        dedupe_key=f"receipt:donation:{donation.id}",
        to=donation.email,
        subject=subject,
        body=body + "\n",
        campaign_id=donation.campaign_id,
    )
