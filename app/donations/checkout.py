"""Starting a gift: validate it, open the provider's checkout with no transaction held, then
write the pending donation in one short transaction."""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import payments
from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import begin_write, insert_unless_taken, release, utcnow
from app.donations.gifts import ProviderUnavailable, lock
from app.donations.models import (
    Donation,
    DonationStatus,
    Provider,
)
from app.donations.rules import GiftInput, check_open, clean_gift
from app.errors import Conflict
from app.i18n import _, get_locale
from app.payments import demo as demo_provider
from app.payments import stripe as stripe_provider
from app.payments.base import Checkout, CheckoutRequest, ProviderError

log = logging.getLogger("aidons.donations")

CHECKOUT_LIFETIME = timedelta(hours=1)


# --- Starting a gift ------------------------------------------------------------------------


async def start_gift(
    session: AsyncSession,
    campaign: Campaign,
    gift: GiftInput,
    idempotency_key: str | None,
    client_key: str | None = None,
) -> Donation:
    """A pending donation and its checkout; the same key (a double click) gives the same one.

    The provider is called with no transaction open (a slow provider must not hold SQLite's
    write lock or a pooled connection), then the row is written in one short transaction.
    `client_key` (app/donations/limits.py) lets the gift's outcome count for its client.
    """
    check_open(campaign)
    gift = clean_gift(campaign, gift)
    key = (idempotency_key or "")[:64] or None
    existing = await _by_key(session, campaign, key) if key else None
    if existing is not None and (
        existing.checkout_url or existing.status != DonationStatus.PENDING
    ):
        return existing
    provider = existing.provider if existing else payments.active_provider()
    # Made before the call: the provider's idempotency key derives from it.
    reference = existing.reference if existing else secrets.token_urlsafe(16)
    campaign_view = _CheckoutCampaign(
        campaign.id, campaign.hashtag, campaign.title, campaign.currency
    )
    await release(session)
    checkout = await _open_checkout(campaign_view, reference, gift, provider, get_locale())
    await begin_write(session)
    if existing is not None:  # a retry whose row has no checkout: reopen it
        donation = await lock(session, existing.id)
        if not donation.checkout_url:
            donation.checkout_session_id = checkout.session_id
            donation.checkout_url = checkout.url
            await session.flush()
        return donation
    donation = Donation(
        reference=reference,
        campaign_id=campaign.id,
        amount_minor=gift.amount_minor,
        currency=campaign.currency,
        status=DonationStatus.PENDING,
        provider=provider,
        idempotency_key=key,
        refunds=[],
        donor_name=gift.donor_name,
        anonymous=gift.anonymous,
        message=gift.message,
        email=gift.email,
        locale=get_locale(),
        checkout_session_id=checkout.session_id,
        checkout_url=checkout.url,
        client_key=client_key,
    )
    if not await insert_unless_taken(session, donation):
        # The same form posted twice at once: the other request wrote the donation; its
        # checkout is the one the donor is sent to (this one's expires unused).
        found = await _by_key(session, campaign, key or "")
        if found is None:
            raise Conflict(_("Please submit the form again."))
        return found
    return donation


async def _by_key(session: AsyncSession, campaign: Campaign, key: str) -> Donation | None:
    return await session.scalar(
        select(Donation).where(Donation.campaign_id == campaign.id, Donation.idempotency_key == key)
    )


@dataclass(frozen=True)
class _CheckoutCampaign:
    """What the checkout needs of the campaign, read before the transaction ends."""

    id: int
    hashtag: str
    title: str
    currency: str


def thanks_path(campaign: Campaign, donation: Donation) -> str:
    return _thanks_path(campaign.hashtag, donation.reference)


def _thanks_path(hashtag: str, reference: str) -> str:
    return f"/h/{quote(hashtag)}/donate/thanks/{reference}"


def cancel_path(campaign: Campaign, donation: Donation) -> str:
    return _cancel_path(campaign.hashtag, donation.reference)


def _cancel_path(hashtag: str, reference: str) -> str:
    # The reference only: the form finds what was typed on the pending gift, so no name or
    # email travels in a URL (and in the provider's logs).
    return f"/h/{quote(hashtag)}/donate?cancelled={reference}"


async def _open_checkout(
    campaign: _CheckoutCampaign, reference: str, gift: GiftInput, provider: str, locale: str
) -> Checkout:
    base = get_settings().base_url
    request = CheckoutRequest(
        reference=reference,
        amount_minor=gift.amount_minor,
        currency=campaign.currency,
        description=_("Gift to #%(tag)s: %(title)s", tag=campaign.hashtag, title=campaign.title),
        success_url=base + _thanks_path(campaign.hashtag, reference),
        cancel_url=base + _cancel_path(campaign.hashtag, reference),
        email=gift.email,
        locale=locale,
        expires_at=utcnow() + CHECKOUT_LIFETIME,
    )
    adapter = stripe_provider if provider == Provider.STRIPE else demo_provider
    try:
        return await adapter.create_checkout(request)
    except ProviderError as exc:
        log.warning("checkout not created for gift %s: %s", reference, exc)
        raise ProviderUnavailable(
            _("The payment service did not answer. Nothing was charged; please try again.")
        ) from exc
