"""Payment providers' notifications: each recorded once, then applied to its gift.

The adapter (app/payments/stripe.py) reads the payload into a ProviderEvent; what must be
asked of the provider (a missed checkout's real state) is asked before the write
transaction, which then records the event and changes the gift under its row lock.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import begin_write, insert_unless_taken, release
from app.donations.gifts import (
    ProviderUnavailable,
    append_refund,
    apply_session_state,
    by_reference,
    lock,
    locked,
    mark_closed,
    mark_disputed,
)
from app.donations.limits import record_decline
from app.donations.models import COUNTED, Donation, DonationStatus, PaymentEvent
from app.i18n import _
from app.payments import stripe as stripe_provider
from app.payments.base import ProviderError, ProviderEvent, SessionState

_UNSETTLED = (DonationStatus.PENDING, DonationStatus.EXPIRED, DonationStatus.FAILED)


@dataclass(frozen=True)
class PaymentFacts:
    """What a refund or dispute is about, learnt before the write transaction."""

    donation_id: int | None
    state: SessionState | None  # the checkout's real state, when we missed its success


async def handle_stripe_event(session: AsyncSession, payload: dict) -> str:
    return await handle_event(session, "stripe", stripe_provider.parse_event(payload))


async def handle_event(session: AsyncSession, provider: str, event: ProviderEvent) -> str:
    if await _already_received(session, provider, event):
        return "duplicate"
    handler = _HANDLERS.get(event.kind)
    facts = await _payment_facts(session, event) if event.kind in _PAYMENT_KINDS else None
    await begin_write(session)
    row = await record_event(session, provider, event)
    if row is None:
        return "duplicate"
    if handler is None:
        row.outcome = "ignored"
        return row.outcome
    donation, outcome = await handler(session, event, facts)
    row.donation_id = donation.id if donation else None
    row.outcome = outcome
    await session.flush()
    return outcome


async def record_event(
    session: AsyncSession, provider: str, event: ProviderEvent
) -> PaymentEvent | None:
    """The event's row, or None when it was already received (a duplicate delivery)."""
    row = PaymentEvent(provider=provider, event_id=event.id, type=event.type)
    return row if await insert_unless_taken(session, row) else None


async def _already_received(session: AsyncSession, provider: str, event: ProviderEvent) -> bool:
    found = await session.scalar(
        select(PaymentEvent.id).where(
            PaymentEvent.provider == provider, PaymentEvent.event_id == event.id
        )
    )
    return found is not None


# --- Checkout events ------------------------------------------------------------------------


async def _checkout_donation(session: AsyncSession, event: ProviderEvent) -> Donation | None:
    donation = None
    if event.reference and len(event.reference) <= 32:
        donation = await locked(session, Donation.reference == event.reference)
    if donation is None and event.checkout_id:
        donation = await locked(session, Donation.checkout_session_id == event.checkout_id)
    return donation


async def _checkout_completed(session, event: ProviderEvent, _facts):
    donation = await _checkout_donation(session, event)
    if donation is None:
        return None, "not ours"
    return donation, await apply_session_state(session, donation, event.state)


def _checkout_closed(status: DonationStatus, outcome: str):
    """A handler for a checkout that ended unpaid: the gift closes with `status`."""

    async def handle(session, event: ProviderEvent, _facts):
        donation = await _checkout_donation(session, event)
        if donation is None:
            return None, "not ours"
        changed = await mark_closed(session, donation, status)
        return donation, outcome if changed else "no change"

    return handle


async def _declined(session, event: ProviderEvent, _facts):
    donation = await _checkout_donation(session, event)
    if donation is None:
        return None, "not ours"
    if donation.status != DonationStatus.PENDING:
        return donation, "no change"
    await record_decline(session, donation)
    return donation, "declined"


# --- Refunds and disputes -------------------------------------------------------------------


async def _payment_facts(session: AsyncSession, event: ProviderEvent) -> PaymentFacts:
    reference = event.reference
    donation = None
    if event.payment_id:
        donation = await session.scalar(
            select(Donation).where(Donation.payment_intent_id == event.payment_id)
        )
    if donation is None and not reference and event.payment_id:
        await release(session)
        reference = await _ask(stripe_provider.payment_intent_reference(event.payment_id))
    if donation is None and reference:
        donation = await by_reference(session, reference)
    if donation is None:
        return PaymentFacts(None, None)
    state = None
    if donation.status in _UNSETTLED and donation.checkout_session_id:
        # Events arrived out of order: ask the provider what really happened to the checkout.
        checkout_id = donation.checkout_session_id
        await release(session)
        state = await _ask(stripe_provider.fetch_session(checkout_id))
    return PaymentFacts(donation.id, state)


async def _ask(awaitable):
    try:
        return await awaitable
    except ProviderError as exc:
        # The provider will deliver the event again; nothing of it is stored meanwhile.
        raise ProviderUnavailable(_("Stripe could not be reached.")) from exc


async def _paid_donation(session: AsyncSession, facts: PaymentFacts) -> Donation | None:
    """The donation a refund or dispute is about, locked, brought up to date if needed."""
    if facts.donation_id is None:
        return None
    donation = await lock(session, facts.donation_id)
    if facts.state is not None and donation.status in _UNSETTLED:
        await apply_session_state(session, donation, facts.state)
    return donation


async def _refunded(session, event: ProviderEvent, facts: PaymentFacts):
    donation = await _paid_donation(session, facts)
    if donation is None:
        return None, "not ours"
    total = event.refunded_minor or 0
    missing = min(total, donation.amount_minor) - donation.refunded_minor
    if missing <= 0 or donation.status not in COUNTED:
        return donation, "no change"
    await append_refund(session, donation, missing, _("Refunded in Stripe"), None, None)
    return donation, "refunded"


async def _disputed(session, event: ProviderEvent, facts: PaymentFacts):
    donation = await _paid_donation(session, facts)
    if donation is None:
        return None, "not ours"
    return donation, "disputed" if await mark_disputed(session, donation) else "no change"


_HANDLERS = {
    "checkout_completed": _checkout_completed,
    "checkout_failed": _checkout_closed(DonationStatus.FAILED, "failed"),
    "checkout_expired": _checkout_closed(DonationStatus.EXPIRED, "expired"),
    "declined": _declined,
    "refunded": _refunded,
    "disputed": _disputed,
}
_PAYMENT_KINDS = ("refunded", "disputed")
