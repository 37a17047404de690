"""What the kitty needs from a payment provider, whichever one is configured."""

from dataclasses import dataclass
from datetime import datetime


class ProviderError(Exception):
    """The provider refused or could not be reached; nothing was charged or refunded."""


class BadSignature(Exception):
    """A webhook whose signature is missing, wrong or too old."""


@dataclass(frozen=True)
class CheckoutRequest:
    reference: str
    amount_minor: int
    currency: str
    description: str
    success_url: str
    cancel_url: str
    email: str | None
    locale: str
    expires_at: datetime


@dataclass(frozen=True)
class Checkout:
    session_id: str
    url: str


@dataclass(frozen=True)
class SessionState:
    """A checkout session as the provider sees it now."""

    status: str  # open | complete | expired
    payment_status: str  # paid | unpaid | no_payment_required
    payment_intent_id: str | None
    amount_minor: int | None
    currency: str | None


@dataclass(frozen=True)
class ProviderEvent:
    """A provider's notification, read by its adapter into what the kitty acts on.

    kind: checkout_completed | checkout_failed | checkout_expired | declined | refunded |
    disputed | other
    """

    id: str
    type: str
    kind: str
    reference: str | None = None
    checkout_id: str | None = None
    payment_id: str | None = None
    state: SessionState | None = None  # checkout events: the session as the event shows it
    refunded_minor: int | None = None  # refunded events: the total refunded so far
