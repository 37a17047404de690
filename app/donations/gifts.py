"""A gift's life after it starts: its state changes under its row lock, refunds, offline gifts."""

import logging
import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.db import begin_write, release, utcnow
from app.donations.kitty import contribution, recount
from app.donations.limits import record_outcome
from app.donations.models import (
    COUNTED,
    Donation,
    DonationStatus,
    Provider,
    Refund,
)
from app.donations.receipts import enqueue_receipt
from app.donations.rules import GiftInput, clean_gift
from app.errors import AppError, Conflict, FieldError, NotFound, ValidationFailed
from app.i18n import N_, _, get_locale
from app.money import Money
from app.payments import stripe as stripe_provider
from app.payments.base import ProviderError, SessionState
from app.text import clean_line

log = logging.getLogger("aidons.donations")

OFFLINE_METHODS = {
    "cash": N_("Cash"),
    "bank_transfer": N_("Bank transfer"),
    "cheque": N_("Cheque"),
    "other": N_("Other"),
}


class ProviderUnavailable(AppError):
    status_code = 502
    default_title = N_("Payment service unavailable")


# --- Lookups --------------------------------------------------------------------------------


async def locked(session: AsyncSession, *where) -> Donation | None:
    return await session.scalar(
        select(Donation)
        .where(*where)
        .with_for_update(of=Donation)
        .execution_options(populate_existing=True)
    )


async def lock(session: AsyncSession, donation_id: int) -> Donation:
    """The donation, re-read under a row lock: changes to one gift happen one at a time."""
    donation = await locked(session, Donation.id == donation_id)
    if donation is None:
        raise NotFound(_("This gift does not exist."))
    return donation


async def by_reference(session: AsyncSession, reference: str) -> Donation | None:
    if not reference or len(reference) > 32:
        return None
    return await session.scalar(select(Donation).where(Donation.reference == reference))


async def for_campaign(session: AsyncSession, campaign: Campaign, donation_id: int) -> Donation:
    donation = await session.get(Donation, donation_id)
    if donation is None or donation.campaign_id != campaign.id:
        raise NotFound(_("This gift does not exist."))
    return donation


# --- State changes (each under the donation's row lock) -------------------------------------


async def mark_succeeded(
    session: AsyncSession, donation: Donation, payment_intent_id: str | None = None
) -> bool:
    if payment_intent_id and not donation.payment_intent_id:
        donation.payment_intent_id = payment_intent_id
    if donation.status not in (
        DonationStatus.PENDING,
        DonationStatus.FAILED,
        DonationStatus.EXPIRED,
    ):
        return False  # already counted (or refunded, disputed): never move backwards
    before = contribution(donation)
    donation.status = DonationStatus.SUCCEEDED
    donation.succeeded_at = utcnow()
    await record_outcome(session, donation, paid=True)
    await recount(session, donation, before)
    await enqueue_receipt(session, donation)
    await session.flush()
    return True


async def mark_closed(session: AsyncSession, donation: Donation, status: DonationStatus) -> bool:
    """pending → failed or expired; a later state always wins over these."""
    if donation.status != DonationStatus.PENDING:
        return False
    donation.status = status
    # Declined, failed or abandoned: what card testing leaves behind (app/donations/limits.py).
    await record_outcome(session, donation, paid=False)
    await session.flush()
    return True


async def mark_disputed(session: AsyncSession, donation: Donation) -> bool:
    if donation.status not in COUNTED:
        return False
    before = contribution(donation)
    donation.status = DonationStatus.DISPUTED
    await recount(session, donation, before)
    await session.flush()
    return True


async def append_refund(
    session: AsyncSession,
    donation: Donation,
    amount_minor: int,
    reason: str,
    user: User | None,
    provider_refund_id: str | None,
) -> Refund:
    before = contribution(donation)
    refund = Refund(
        donation_id=donation.id,
        amount_minor=amount_minor,
        reason=reason,
        provider_refund_id=provider_refund_id,
        created_by_id=user.id if user else None,
    )
    session.add(refund)
    donation.refunds.append(refund)
    fully = donation.refunded_minor >= donation.amount_minor
    donation.status = DonationStatus.REFUNDED if fully else DonationStatus.PARTIALLY_REFUNDED
    await recount(session, donation, before)
    await session.flush()
    return refund


async def refund(
    session: AsyncSession, donation_id: int, amount_minor: int, reason: str, user: User
) -> Refund:
    """Give back part or all of a gift (through Stripe for Stripe gifts); never more than paid.

    Stripe is called with no transaction open; the refund is then recorded under the gift's
    row lock, after checking that nothing else was refunded meanwhile."""
    donation = await session.get(Donation, donation_id, populate_existing=True)
    if donation is None:
        raise NotFound(_("This gift does not exist."))
    _check_refundable(donation, amount_minor)
    provider_refund_id = None
    seen = donation.refunded_minor
    if donation.provider == Provider.STRIPE:
        if not donation.payment_intent_id:
            raise Conflict(_("Stripe has not told us the payment of this gift yet."))
        # Derived from the gift and what was refunded before: a retry is the same refund.
        key = f"aidons-refund-{donation.reference}-{seen}"
        intent, currency = donation.payment_intent_id, donation.currency
        await release(session)
        try:
            provider_refund_id = await stripe_provider.create_refund(
                intent, amount_minor, currency, key
            )
        except ProviderError as exc:
            log.warning("refund refused for donation %s: %s", donation_id, exc)
            raise ProviderUnavailable(
                _("Stripe did not accept the refund: %(error)s", error=str(exc)[:200])
            ) from exc
        await begin_write(session)
    donation = await lock(session, donation_id)
    if donation.refunded_minor != seen:
        if provider_refund_id and donation.refunded_minor >= seen + amount_minor:
            return donation.refunds[-1]  # Stripe's charge.refunded event recorded it first
        raise Conflict(_("This gift was refunded meanwhile. Check its amount and try again."))
    _check_refundable(donation, amount_minor)
    return await append_refund(
        session, donation, amount_minor, clean_line(reason)[:500], user, provider_refund_id
    )


def _check_refundable(donation: Donation, amount_minor: int) -> None:
    if donation.status not in COUNTED:
        raise Conflict(_("Only a received gift that is not fully refunded can be refunded."))
    remaining = donation.refundable
    if amount_minor <= 0 or amount_minor > remaining.amount_minor:
        message = _(
            "Enter an amount between %(low)s and %(high)s.",
            low=Money(1, donation.currency).format(get_locale()),
            high=remaining.format(get_locale()),
        )
        raise ValidationFailed([FieldError("amount", message)], message)


async def record_offline(
    session: AsyncSession,
    campaign: Campaign,
    user: User,
    gift: GiftInput,
    method: str,
    received_on: date | None,
    note: str = "",
) -> Donation:
    """Cash, a bank transfer, money collected elsewhere: counted at once, with who and when."""
    errors = []
    if method not in OFFLINE_METHODS:
        errors.append(FieldError("method", _("Choose how the money was received.")))
    if received_on and received_on > utcnow().date():
        errors.append(FieldError("received_on", _("This date is in the future.")))
    try:
        gift = clean_gift(campaign, gift, online=False)
    except ValidationFailed as exc:
        errors = exc.field_errors + errors
    if errors:
        raise ValidationFailed(errors)
    donation = Donation(
        reference=secrets.token_urlsafe(16),
        campaign_id=campaign.id,
        amount_minor=gift.amount_minor,
        currency=campaign.currency,
        status=DonationStatus.PENDING,
        provider=Provider.OFFLINE,
        donor_name=gift.donor_name,
        anonymous=gift.anonymous,
        message=gift.message,
        email=gift.email,
        locale=get_locale(),
        offline_method=method,
        received_on=received_on or utcnow().date(),
        note=clean_line(note)[:500],
        recorded_by_id=user.id,
        refunds=[],
    )
    session.add(donation)
    await session.flush()
    await mark_succeeded(session, donation)
    return donation


async def apply_session_state(session: AsyncSession, donation: Donation, state: SessionState):
    if state.payment_status in ("paid", "no_payment_required"):
        if state.amount_minor is not None and (
            state.amount_minor != donation.amount_minor or state.currency != donation.currency
        ):
            log.error("donation %s: Stripe amount differs; not counted", donation.id)
            return "amount mismatch"
        changed = await mark_succeeded(session, donation, state.payment_intent_id)
        return "succeeded" if changed else "no change"
    if state.payment_intent_id and not donation.payment_intent_id:
        donation.payment_intent_id = state.payment_intent_id
    if state.status == "expired":
        return "expired" if await mark_closed(session, donation, DonationStatus.EXPIRED) else "-"
    return "awaiting payment"
