"""Stripe adapter: the only module importing `stripe`. Checkout Sessions, refunds, webhooks."""

import json
from functools import lru_cache

import stripe

from app.config import get_settings
from app.money import STRIPE_TIMES_100, Money
from app.payments.base import (
    BadSignature,
    Checkout,
    CheckoutRequest,
    ProviderError,
    ProviderEvent,
    SessionState,
)

# Checkout's own languages; anything else lets Stripe pick from the browser.
CHECKOUT_LOCALES = {"en", "fr"}


@lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str | None) -> stripe.StripeClient:
    base = {"api": api_base.rstrip("/")} if api_base else None
    return stripe.StripeClient(
        secret_key,
        base_addresses=base,
        max_network_retries=2,
        http_client=stripe.HTTPXClient(),
    )


def client() -> stripe.StripeClient:
    settings = get_settings()
    if not settings.stripe_secret_key:
        raise ProviderError("STRIPE_SECRET_KEY is not set")
    return _client(settings.stripe_secret_key, settings.stripe_api_base)


def to_minor(stripe_amount: int, currency: str) -> int:
    """The inverse of Money.stripe_amount(): Stripe's integer back to our minor units."""
    code = currency.upper()
    return stripe_amount // 100 if code in STRIPE_TIMES_100 else stripe_amount


async def create_checkout(request: CheckoutRequest) -> Checkout:
    money = Money(request.amount_minor, request.currency)
    params = {
        "mode": "payment",
        "submit_type": "donate",
        "client_reference_id": request.reference,
        "metadata": {"reference": request.reference},
        "payment_intent_data": {
            "description": request.description[:500],
            "metadata": {"reference": request.reference},
        },
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": request.currency.lower(),
                    "unit_amount": money.stripe_amount(),
                    "product_data": {"name": request.description[:250]},
                },
            }
        ],
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
        "expires_at": int(request.expires_at.timestamp()),
    }
    if request.email:
        params["customer_email"] = request.email
    if request.locale in CHECKOUT_LOCALES:
        params["locale"] = request.locale
    try:
        session = await client().v1.checkout.sessions.create_async(
            params, {"idempotency_key": f"aidons-checkout-{request.reference}"}
        )
    except stripe.StripeError as exc:
        raise ProviderError(str(exc)) from exc
    return Checkout(session_id=session.id, url=session.url)


async def fetch_session(session_id: str) -> SessionState:
    try:
        session = await client().v1.checkout.sessions.retrieve_async(session_id)
    except stripe.StripeError as exc:
        raise ProviderError(str(exc)) from exc
    return session_state(session.to_dict())


def session_state(session: dict) -> SessionState:
    """Read a Checkout Session given as a plain dict (from the API or from an event)."""
    currency = session.get("currency")
    amount = session.get("amount_total")
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return SessionState(
        status=session.get("status") or "open",
        payment_status=session.get("payment_status") or "unpaid",
        payment_intent_id=intent,
        amount_minor=to_minor(amount, currency) if amount is not None and currency else None,
        currency=currency.upper() if currency else None,
    )


async def create_refund(
    payment_intent_id: str, amount_minor: int, currency: str, idempotency_key: str
) -> str:
    params = {
        "payment_intent": payment_intent_id,
        "amount": Money(amount_minor, currency).stripe_amount(),
        "reason": "requested_by_customer",
    }
    try:
        refund = await client().v1.refunds.create_async(
            params, {"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as exc:
        raise ProviderError(str(exc)) from exc
    return refund.id


def verify_event(payload: bytes, signature: str | None) -> dict:
    """The event as a plain dict, once its signature (HMAC-SHA256, with a timestamp) is good."""
    secret = get_settings().stripe_webhook_secret
    if not secret:
        raise BadSignature("STRIPE_WEBHOOK_SECRET is not set")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, 300)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise BadSignature(str(exc)) from exc
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise BadSignature("not an event")
    return event


async def payment_intent_reference(payment_intent_id: str) -> str | None:
    """Our donation reference, from the metadata we put on the PaymentIntent."""
    try:
        intent = await client().v1.payment_intents.retrieve_async(payment_intent_id)
    except stripe.StripeError as exc:
        raise ProviderError(str(exc)) from exc
    return (intent.to_dict().get("metadata") or {}).get("reference")


_EVENT_KINDS = {
    "checkout.session.completed": "checkout_completed",
    "checkout.session.async_payment_succeeded": "checkout_completed",
    "checkout.session.async_payment_failed": "checkout_failed",
    "checkout.session.expired": "checkout_expired",
    # A card refused on the checkout page (the checkout stays open): counted against card testing.
    "payment_intent.payment_failed": "declined",
    "charge.refunded": "refunded",
    "charge.dispute.created": "disputed",
}


def parse_event(event: dict) -> ProviderEvent:
    """Stripe's payload shapes stop here: the rest of the app reads a ProviderEvent."""
    obj = (event.get("data") or {}).get("object") or {}
    kind = _EVENT_KINDS.get(event["type"], "other")
    metadata = obj.get("metadata") or {}
    base = {"id": str(event["id"])[:255], "type": str(event["type"])[:100], "kind": kind}
    if kind.startswith("checkout"):
        return ProviderEvent(
            **base,
            reference=obj.get("client_reference_id") or metadata.get("reference"),
            checkout_id=str(obj["id"]) if obj.get("id") else None,
            state=session_state(obj),
        )
    intent = obj.get("payment_intent")
    intent = intent.get("id") if isinstance(intent, dict) else intent
    refunded = None
    if kind == "refunded" and obj.get("currency"):
        refunded = to_minor(int(obj.get("amount_refunded") or 0), obj["currency"])
    return ProviderEvent(
        **base, reference=metadata.get("reference"), payment_id=intent, refunded_minor=refunded
    )
