"""The receipt emailed to a donor once their gift is counted (through the durable outbox)."""

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from app import outbox
from app.campaigns.models import Campaign
from app.config import get_settings
from app.donations.models import (
    Donation,
)
from app.i18n import _, reset_locale, set_locale

log = logging.getLogger("aidons.donations")

# --- Receipts -------------------------------------------------------------------------------


async def enqueue_receipt(session: AsyncSession, donation: Donation) -> None:
    if not donation.email:
        return
    campaign = await session.get(Campaign, donation.campaign_id)
    token = set_locale(donation.locale)
    try:
        amount = donation.amount.format(donation.locale)
        subject = _("Thank you for your gift to #%(tag)s", tag=campaign.hashtag)
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=donation.donor_name or _("friend")),
                _(
                    "We received your gift of %(amount)s for %(beneficiary)s (#%(tag)s).",
                    amount=amount,
                    beneficiary=campaign.beneficiary,
                    tag=campaign.hashtag,
                ),
                _("Gift reference: %(reference)s", reference=donation.reference),
                _("Follow the campaign: %(url)s", url=get_settings().base_url + campaign.path),
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
