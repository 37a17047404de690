"""The kitty: start a gift, follow it to its real state, refund it, count it. Session first."""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import labels, outbox, pagecache, payments
from app.accounts.models import User
from app.campaigns.models import Campaign, CampaignStatus
from app.config import get_settings
from app.db import utcnow
from app.donations.models import (
    COUNTED,
    Donation,
    DonationStatus,
    KittyTotal,
    PaymentEvent,
    Provider,
    Refund,
)
from app.errors import AppError, Conflict, FieldError, NotFound, ValidationFailed
from app.i18n import N_, _, get_locale, reset_locale, set_locale
from app.money import MAX_AMOUNT_MINOR, Money, exponent
from app.payments import demo as demo_provider
from app.payments import stripe as stripe_provider
from app.payments.base import CheckoutRequest, ProviderError, SessionState
from app.text import clean_line

log = logging.getLogger("aidons.donations")

CHECKOUT_LIFETIME = timedelta(hours=1)
RECONCILE_AFTER = timedelta(minutes=5)
# Stripe's minimum charge per currency (in minor units); others: one major unit.
MINIMUM_MINOR = {
    "EUR": 100, "USD": 100, "GBP": 100, "CHF": 100, "CAD": 100, "AUD": 100,
    "SEK": 1000, "NOK": 1000, "DKK": 1000, "PLN": 500, "CZK": 2000, "HUF": 50000,
    "XOF": 500, "XAF": 500, "JPY": 100, "KRW": 1000,
}  # fmt: skip
# Stripe refuses amounts of more than eight digits in its units.
STRIPE_MAX_UNITS = 99_999_999
SUGGESTED_MAJOR = {"XOF": (2000, 5000, 10000, 25000), "XAF": (2000, 5000, 10000, 25000)}
DEFAULT_SUGGESTED_MAJOR = (10, 20, 50, 100)
OFFLINE_METHODS = {
    "cash": N_("Cash"),
    "bank_transfer": N_("Bank transfer"),
    "cheque": N_("Cheque"),
    "other": N_("Other"),
}


class ProviderUnavailable(AppError):
    status_code = 502
    default_title = N_("Payment service unavailable")


# --- Amounts ------------------------------------------------------------------------------


def minimum(currency: str) -> Money:
    return Money(MINIMUM_MINOR.get(currency, 10 ** exponent(currency)), currency)


def maximum(currency: str) -> Money:
    one = Money(1, currency).stripe_amount()  # 100 for ISK, else 1
    return Money(STRIPE_MAX_UNITS // one, currency)


def suggested_amounts(currency: str) -> list[Money]:
    majors = SUGGESTED_MAJOR.get(currency, DEFAULT_SUGGESTED_MAJOR)
    return [Money(value * 10 ** exponent(currency), currency) for value in majors]


def amount_problem(amount_minor: int, currency: str, online: bool = True) -> str | None:
    low = minimum(currency) if online else Money(1, currency)
    high = maximum(currency) if online else Money(MAX_AMOUNT_MINOR, currency)
    locale = get_locale()
    if amount_minor < low.amount_minor:
        return _("The smallest gift is %(amount)s.", amount=low.format(locale))
    if amount_minor > high.amount_minor:
        return _("The largest gift is %(amount)s.", amount=high.format(locale))
    return None


# --- The counted total (a cache of the ledger, changed in the same transaction) ------------


def _contribution(donation: Donation) -> tuple[int, int]:
    if donation.status in COUNTED:
        return donation.amount_minor - donation.refunded_minor, 1
    return 0, 0


async def _recount(session: AsyncSession, donation: Donation, before: tuple[int, int]) -> None:
    after = _contribution(donation)
    delta_raised, delta_donors = after[0] - before[0], after[1] - before[1]
    if not delta_raised and not delta_donors:
        return
    pagecache.campaign_changed(session, donation.campaign_id)  # the donor sees their gift at once
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(KittyTotal)
        .values(campaign_id=donation.campaign_id, raised_minor=delta_raised, donors=delta_donors)
        .on_conflict_do_update(
            index_elements=["campaign_id"],
            set_={
                "raised_minor": KittyTotal.raised_minor + delta_raised,
                "donors": KittyTotal.donors + delta_donors,
            },
        )
    )
    await session.execute(statement)


async def totals(session: AsyncSession, campaign_id: int) -> tuple[int, int]:
    """(raised in minor units, donors) for the progress bar: one primary-key read."""
    row = (
        await session.execute(
            select(KittyTotal.raised_minor, KittyTotal.donors).where(
                KittyTotal.campaign_id == campaign_id
            )
        )
    ).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def ledger_totals(session: AsyncSession, campaign_id: int) -> tuple[int, int]:
    """The same figures computed from the ledger itself (checks, tests, reconciliation)."""
    refunded = (
        select(Refund.donation_id, func.sum(Refund.amount_minor).label("amount"))
        .group_by(Refund.donation_id)
        .subquery()
    )
    row = (
        await session.execute(
            select(
                func.coalesce(
                    func.sum(Donation.amount_minor - func.coalesce(refunded.c.amount, 0)), 0
                ),
                func.count(Donation.id),
            )
            .outerjoin(refunded, refunded.c.donation_id == Donation.id)
            .where(Donation.campaign_id == campaign_id, Donation.status.in_(COUNTED))
        )
    ).one()
    return int(row[0]), int(row[1])


# --- Lookups --------------------------------------------------------------------------------


async def _locked(session: AsyncSession, *where) -> Donation | None:
    return await session.scalar(
        select(Donation)
        .where(*where)
        .with_for_update(of=Donation)
        .execution_options(populate_existing=True)
    )


async def lock(session: AsyncSession, donation_id: int) -> Donation:
    """The donation, re-read under a row lock: changes to one gift happen one at a time."""
    donation = await _locked(session, Donation.id == donation_id)
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


# --- Starting a gift ------------------------------------------------------------------------


@dataclass
class GiftInput:
    amount_minor: int
    donor_name: str = ""
    anonymous: bool = False
    message: str = ""
    email: str | None = None


def check_open(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.LIVE:
        return
    messages = {
        CampaignStatus.DRAFT: _("This campaign is not published yet: it cannot receive gifts."),
        CampaignStatus.PAUSED: _("This campaign is paused: gifts are not accepted for now."),
        CampaignStatus.CLOSED: _("This campaign is closed: it no longer accepts gifts. Thank you!"),
    }
    raise Conflict(messages[CampaignStatus(campaign.status)])


def clean_gift(campaign: Campaign, gift: GiftInput, online: bool = True) -> GiftInput:
    from app.accounts.service import normalize_email

    errors: list[FieldError] = []
    problem = amount_problem(gift.amount_minor, campaign.currency, online)
    if problem:
        errors.append(FieldError("amount", problem))
    name = clean_line(gift.donor_name)
    if len(name) > 120:
        errors.append(FieldError("donor_name", _("Must be at most %(n)s characters.", n=120)))
    message = clean_line(gift.message)
    if len(message) > 500:
        errors.append(FieldError("message", _("Must be at most %(n)s characters.", n=500)))
    email = None
    if gift.email and gift.email.strip():
        try:
            email = normalize_email(gift.email)
        except ValueError as exc:
            errors.append(FieldError("email", str(exc)))
    if errors:
        raise ValidationFailed(errors)
    return GiftInput(gift.amount_minor, name, gift.anonymous, message, email)


async def start_gift(
    session: AsyncSession, campaign: Campaign, gift: GiftInput, idempotency_key: str | None
) -> Donation:
    """A pending donation and its checkout; the same key (a double click) gives the same one."""
    check_open(campaign)
    gift = clean_gift(campaign, gift)
    key = (idempotency_key or "")[:64] or None
    if key:
        existing = await _by_key(session, campaign, key)
        if existing is not None:
            return existing
    donation = Donation(
        reference=secrets.token_urlsafe(16),
        campaign_id=campaign.id,
        amount_minor=gift.amount_minor,
        currency=campaign.currency,
        status=DonationStatus.PENDING,
        provider=payments.active_provider(),
        idempotency_key=key,
        refunds=[],
        donor_name=gift.donor_name,
        anonymous=gift.anonymous,
        message=gift.message,
        email=gift.email,
        locale=get_locale(),
    )
    try:
        async with session.begin_nested():
            session.add(donation)
            await session.flush()
    except IntegrityError:
        # The same form posted twice at once: the other request made the donation.
        existing = await _by_key(session, campaign, key or "")
        if existing is None:
            raise
        return existing
    await _open_checkout(campaign, donation)
    await session.flush()
    return donation


async def _by_key(session: AsyncSession, campaign: Campaign, key: str) -> Donation | None:
    return await session.scalar(
        select(Donation).where(Donation.campaign_id == campaign.id, Donation.idempotency_key == key)
    )


def thanks_path(campaign: Campaign, donation: Donation) -> str:
    return f"/h/{quote(campaign.hashtag)}/donate/thanks/{donation.reference}"


async def _open_checkout(campaign: Campaign, donation: Donation) -> None:
    base = get_settings().base_url
    request = CheckoutRequest(
        reference=donation.reference,
        donation_id=donation.id,
        amount_minor=donation.amount_minor,
        currency=donation.currency,
        description=_("Gift to #%(tag)s: %(title)s", tag=campaign.hashtag, title=campaign.title),
        success_url=base + thanks_path(campaign, donation),
        cancel_url=f"{base}/h/{quote(campaign.hashtag)}/donate?cancelled=1",
        email=donation.email,
        locale=donation.locale,
        expires_at=utcnow() + CHECKOUT_LIFETIME,
    )
    provider = stripe_provider if donation.provider == Provider.STRIPE else demo_provider
    try:
        checkout = await provider.create_checkout(request)
    except ProviderError as exc:
        log.warning("checkout not created for donation %s: %s", donation.id, exc)
        raise ProviderUnavailable(
            _("The payment service did not answer. Nothing was charged; please try again.")
        ) from exc
    donation.checkout_session_id = checkout.session_id
    donation.checkout_url = checkout.url


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
    before = _contribution(donation)
    donation.status = DonationStatus.SUCCEEDED
    donation.succeeded_at = utcnow()
    await _recount(session, donation, before)
    await _enqueue_receipt(session, donation)
    await session.flush()
    return True


async def mark_closed(session: AsyncSession, donation: Donation, status: DonationStatus) -> bool:
    """pending → failed or expired; a later state always wins over these."""
    if donation.status != DonationStatus.PENDING:
        return False
    donation.status = status
    await session.flush()
    return True


async def mark_disputed(session: AsyncSession, donation: Donation) -> bool:
    if donation.status not in COUNTED:
        return False
    before = _contribution(donation)
    donation.status = DonationStatus.DISPUTED
    await _recount(session, donation, before)
    await session.flush()
    return True


async def _append_refund(
    session: AsyncSession,
    donation: Donation,
    amount_minor: int,
    reason: str,
    user: User | None,
    provider_refund_id: str | None,
) -> Refund:
    before = _contribution(donation)
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
    await _recount(session, donation, before)
    await session.flush()
    return refund


async def refund(
    session: AsyncSession, donation_id: int, amount_minor: int, reason: str, user: User
) -> Refund:
    """Give back part or all of a gift (through Stripe for Stripe gifts); never more than paid."""
    donation = await lock(session, donation_id)
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
    provider_refund_id = None
    if donation.provider == Provider.STRIPE:
        if not donation.payment_intent_id:
            raise Conflict(_("Stripe has not told us the payment of this gift yet."))
        # Derived from the gift and what was refunded before: a retry is the same refund.
        key = f"aidons-refund-{donation.reference}-{donation.refunded_minor}"
        try:
            provider_refund_id = await stripe_provider.create_refund(
                donation.payment_intent_id, amount_minor, donation.currency, key
            )
        except ProviderError as exc:
            log.warning("refund refused for donation %s: %s", donation.id, exc)
            raise ProviderUnavailable(
                _("Stripe did not accept the refund: %(error)s", error=str(exc)[:200])
            ) from exc
    return await _append_refund(
        session, donation, amount_minor, clean_line(reason)[:500], user, provider_refund_id
    )


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


# --- Receipts -------------------------------------------------------------------------------


async def _enqueue_receipt(session: AsyncSession, donation: Donation) -> None:
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


# --- Stripe events --------------------------------------------------------------------------


async def record_event(session: AsyncSession, provider: str, event: dict) -> PaymentEvent | None:
    """The event's row, or None when it was already received (a duplicate delivery)."""
    row = PaymentEvent(provider=provider, event_id=str(event["id"])[:255], type=event["type"][:100])
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return None
    return row


async def handle_stripe_event(session: AsyncSession, event: dict) -> str:
    row = await record_event(session, Provider.STRIPE, event)
    if row is None:
        return "duplicate"
    handler = _HANDLERS.get(event["type"])
    obj = (event.get("data") or {}).get("object") or {}
    if handler is None:
        row.outcome = "ignored"
        return row.outcome
    donation, outcome = await handler(session, obj)
    row.donation_id = donation.id if donation else None
    row.outcome = outcome
    await session.flush()
    return outcome


async def _from_session_object(session: AsyncSession, obj: dict) -> Donation | None:
    reference = obj.get("client_reference_id") or (obj.get("metadata") or {}).get("reference")
    donation = None
    if reference and len(reference) <= 32:
        donation = await _locked(session, Donation.reference == reference)
    if donation is None and obj.get("id"):
        donation = await _locked(session, Donation.checkout_session_id == str(obj["id"]))
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


async def _session_completed(session, obj):
    donation = await _from_session_object(session, obj)
    if donation is None:
        return None, "not ours"
    return donation, await apply_session_state(
        session, donation, stripe_provider.session_state(obj)
    )


async def _session_failed(session, obj):
    donation = await _from_session_object(session, obj)
    if donation is None:
        return None, "not ours"
    changed = await mark_closed(session, donation, DonationStatus.FAILED)
    return donation, "failed" if changed else "no change"


async def _session_expired(session, obj):
    donation = await _from_session_object(session, obj)
    if donation is None:
        return None, "not ours"
    changed = await mark_closed(session, donation, DonationStatus.EXPIRED)
    return donation, "expired" if changed else "no change"


async def _from_payment(session: AsyncSession, obj: dict) -> Donation | None:
    """The donation a charge or dispute is about, brought up to date if we missed its success."""
    intent = obj.get("payment_intent")
    intent = intent.get("id") if isinstance(intent, dict) else intent
    reference = (obj.get("metadata") or {}).get("reference")
    donation = None
    if intent:
        donation = await session.scalar(
            select(Donation).where(Donation.payment_intent_id == intent)
        )
    if donation is None and not reference and intent:
        reference = await _call(stripe_provider.payment_intent_reference(intent))
    if donation is None and reference:
        donation = await by_reference(session, reference)
    if donation is None:
        return None
    donation = await lock(session, donation.id)
    unsettled = (DonationStatus.PENDING, DonationStatus.EXPIRED, DonationStatus.FAILED)
    if donation.status in unsettled and donation.checkout_session_id:
        # Events arrived out of order: ask Stripe what really happened to the checkout.
        state = await _call(stripe_provider.fetch_session(donation.checkout_session_id))
        await apply_session_state(session, donation, state)
    return donation


async def _call(awaitable):
    try:
        return await awaitable
    except ProviderError as exc:
        # Stripe will deliver the event again; nothing of it is stored meanwhile.
        raise ProviderUnavailable(_("Stripe could not be reached.")) from exc


async def _charge_refunded(session, obj):
    donation = await _from_payment(session, obj)
    if donation is None:
        return None, "not ours"
    total = stripe_provider.to_minor(int(obj.get("amount_refunded") or 0), donation.currency)
    missing = min(total, donation.amount_minor) - donation.refunded_minor
    if missing <= 0 or donation.status not in COUNTED:
        return donation, "no change"
    await _append_refund(session, donation, missing, _("Refunded in Stripe"), None, None)
    return donation, "refunded"


async def _dispute_created(session, obj):
    donation = await _from_payment(session, obj)
    if donation is None:
        return None, "not ours"
    return donation, "disputed" if await mark_disputed(session, donation) else "no change"


_HANDLERS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _session_completed,
    "checkout.session.async_payment_failed": _session_failed,
    "checkout.session.expired": _session_expired,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
}


# --- Reconciliation -------------------------------------------------------------------------


async def reconcile_pending(sessionmaker, older_than: timedelta = RECONCILE_AFTER) -> int:
    """Ask the provider about gifts pending for a while and apply their real state."""
    now = utcnow()
    async with sessionmaker() as session:
        ids = list(
            await session.scalars(
                select(Donation.id)
                .where(
                    Donation.status == DonationStatus.PENDING,
                    Donation.provider.in_([Provider.STRIPE, Provider.DEMO]),
                    Donation.created_at < now - older_than,
                    or_(Donation.checked_at.is_(None), Donation.checked_at < now - older_than),
                )
                .order_by(Donation.created_at)
                .limit(200)
            )
        )
    changed = 0
    for donation_id in ids:
        try:
            async with sessionmaker() as session, session.begin():
                changed += await _reconcile_one(session, donation_id)
        except (ProviderError, ProviderUnavailable) as exc:
            log.warning("reconcile: donation %s not checked: %s", donation_id, exc)
    return changed


async def _reconcile_one(session: AsyncSession, donation_id: int) -> int:
    donation = await lock(session, donation_id)
    if donation.status != DonationStatus.PENDING:
        return 0
    donation.checked_at = utcnow()
    if donation.provider == Provider.DEMO:
        if donation.created_at < utcnow() - CHECKOUT_LIFETIME:
            return int(await mark_closed(session, donation, DonationStatus.EXPIRED))
        return 0
    if not get_settings().stripe_secret_key or not donation.checkout_session_id:
        return 0
    state = await stripe_provider.fetch_session(donation.checkout_session_id)
    before = donation.status
    await apply_session_state(session, donation, state)
    return int(donation.status != before)


# --- Listings -------------------------------------------------------------------------------


async def donor_wall(
    session: AsyncSession, campaign: Campaign, limit: int = 20, offset: int = 0
) -> tuple[list[Donation], bool]:
    rows = list(
        await session.scalars(
            select(Donation)
            .where(Donation.campaign_id == campaign.id, Donation.status.in_(COUNTED))
            .order_by(Donation.created_at.desc(), Donation.id.desc())
            .limit(limit + 1)
            .offset(offset)
        )
    )
    return rows[:limit], len(rows) > limit


async def list_donations(
    session: AsyncSession,
    campaign: Campaign,
    status: str | None = None,
    provider: str | None = None,
    search: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Donation], int]:
    query = select(Donation).where(Donation.campaign_id == campaign.id)
    if status:
        query = query.where(Donation.status == status)
    if provider:
        query = query.where(Donation.provider == provider)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Donation.donor_name).like(pattern),
                func.lower(Donation.email).like(pattern),
                Donation.reference == search.strip(),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Donation.created_at.desc(), Donation.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


def status_label(status: str) -> str:
    return labels.status_label("donation", status)
