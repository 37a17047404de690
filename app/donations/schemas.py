"""What the donations API accepts and shows. Public shapes never carry an email."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.fields import EMAIL_SCHEMA
from app.inputs import Input
from app.money import MAX_AMOUNT_MINOR

# What a payment provider takes at most (Stripe: 99,999,999 units; less for ISK).
ONLINE_MAX_MINOR = 99_999_999


class DonationCreate(Input):
    model_config = ConfigDict(extra="forbid")

    amount_minor: int = Field(
        ge=1,
        le=MAX_AMOUNT_MINOR,
        description="In the campaign currency, between its minimum gift (1.00 EUR, 500 XOF…) "
        "and its maximum (999,999.99 EUR…)",
        json_schema_extra={"maximum": ONLINE_MAX_MINOR},
    )
    donor_name: str = Field(default="", max_length=120)
    anonymous: bool = False
    message: str = Field(default="", max_length=500)
    email: str | None = Field(
        default=None,
        max_length=254,
        description="For the receipt only",
        json_schema_extra=EMAIL_SCHEMA,
    )
    idempotency_key: str | None = Field(
        default=None, max_length=64, description="Same key, same donation (or Idempotency-Key)"
    )


class DonationStarted(BaseModel):
    id: int
    reference: str
    status: str
    amount_minor: int
    currency: str
    checkout_url: str
    status_url: str


class OfflineDonationCreate(Input):
    model_config = ConfigDict(extra="forbid")

    amount_minor: int = Field(ge=1, le=MAX_AMOUNT_MINOR)
    method: Literal["cash", "bank_transfer", "cheque", "other"]
    received_on: date | None = Field(default=None, description="Today (the default) or earlier")
    donor_name: str = Field(default="", max_length=120)
    anonymous: bool = False
    message: str = Field(default="", max_length=500)
    email: str | None = Field(default=None, max_length=254, json_schema_extra=EMAIL_SCHEMA)
    note: str = Field(default="", max_length=500)


class RefundCreate(Input):
    model_config = ConfigDict(extra="forbid")

    amount_minor: int = Field(
        ge=1, le=MAX_AMOUNT_MINOR, description="At most what is left of the gift after refunds"
    )
    reason: str = Field(default="", max_length=500)


def _display_name(user) -> str | None:
    """A team member as the API shows them: their name, never their account."""
    return user.display_name if user is not None else None


TeamMemberName = Annotated[str | None, BeforeValidator(_display_name)]


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    amount_minor: int
    reason: str
    provider_refund_id: str | None
    created_by: TeamMemberName
    created_at: datetime


class DonationOut(BaseModel):
    """A donation as the campaign's team sees it (with the donor's email)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    status: str
    provider: str
    amount_minor: int
    refunded_minor: int
    currency: str
    donor_name: str
    anonymous: bool
    message: str
    email: str | None
    offline_method: str | None
    received_on: date | None
    recorded_by: TeamMemberName
    created_at: datetime
    succeeded_at: datetime | None
    refunds: list[RefundOut]


class DonationList(BaseModel):
    items: list[DonationOut]
    total: int
    limit: int
    offset: int


class DonationStatusOut(BaseModel):
    """What the thank-you page polls: no personal data."""

    reference: str
    status: str
    status_label: str
    amount_display: str
