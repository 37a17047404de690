"""The kitty's ledger: donations, refunds (append-only) and the payment events received."""

import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.money import Money


class DonationStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    DISPUTED = "disputed"


class Provider(enum.StrEnum):
    STRIPE = "stripe"
    DEMO = "demo"
    OFFLINE = "offline"


# Money that reached the kitty; the only statuses the progress bar and the donor wall count.
COUNTED = (DonationStatus.SUCCEEDED, DonationStatus.PARTIALLY_REFUNDED)


class Donation(Base):
    __tablename__ = "donations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "idempotency_key"),
        # The donor wall and the dashboard: a campaign's gifts in a status, newest first.
        Index("ix_donations_campaign_status_created", "campaign_id", "status", "created_at"),
        # Reconciliation: pending gifts, oldest first.
        Index("ix_donations_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Random and unguessable: names the gift in URLs, in Stripe (client_reference_id) and keys.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default=DonationStatus.PENDING)
    provider: Mapped[str] = mapped_column(String(10))
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(Text)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    donor_name: Mapped[str] = mapped_column(String(120), default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    # Offline gifts: how the money came, when, and which team member recorded it.
    offline_method: Mapped[str | None] = mapped_column(String(20))
    received_on = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    succeeded_at = mapped_column(UTCDateTime, nullable=True)
    checked_at = mapped_column(UTCDateTime, nullable=True)
    # Which client started it while it is pending: a keyed hash of its address that changes
    # every day (app/donations/limits.py), cleared once the gift is settled.
    client_key: Mapped[str | None] = mapped_column(String(24))

    recorded_by: Mapped[User | None] = relationship(lazy="joined")
    refunds: Mapped[list["Refund"]] = relationship(
        back_populates="donation", order_by="Refund.id", lazy="selectin"
    )

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def refunded_minor(self) -> int:
        return sum(refund.amount_minor for refund in self.refunds)

    @property
    def refundable(self) -> Money:
        return Money(self.amount_minor - self.refunded_minor, self.currency)

    @property
    def public_name(self) -> str | None:
        return None if self.anonymous or not self.donor_name else self.donor_name


class Refund(Base):
    """Money given back. Append-only: a refund is never edited; their sum never exceeds the gift."""

    __tablename__ = "donation_refunds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donation_id: Mapped[int] = mapped_column(
        ForeignKey("donations.id", ondelete="RESTRICT"), index=True
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500), default="")
    provider_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    donation: Mapped[Donation] = relationship(back_populates="refunds")
    created_by: Mapped[User | None] = relationship(lazy="joined")


class PaymentEvent(Base):
    """Every provider event, recorded once: a duplicate delivery is acknowledged and ignored."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(10))
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(100))
    donation_id: Mapped[int | None] = mapped_column(
        ForeignKey("donations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    outcome: Mapped[str] = mapped_column(String(100), default="")
    received_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class KittyTotal(Base):
    """Raised amount and donor count per campaign, so the landing page costs one row read.

    Changed only by app.donations.service in the same transaction as the donation it counts
    (under the donation's row lock); tests check it against the ledger after every scenario.
    """

    __tablename__ = "kitty_totals"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    raised_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    donors: Mapped[int] = mapped_column(Integer, default=0)
