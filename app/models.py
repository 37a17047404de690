"""Every model module, imported once so Alembic and tests see the whole schema."""

from app.accounts.models import ApiToken, User, UserSession
from app.campaigns.models import Campaign, Hashtag, Membership
from app.db import Base
from app.donations.models import Donation, KittyTotal, PaymentEvent, Refund
from app.inkind.models import (
    Delivery,
    DeliveryLine,
    DropOffPoint,
    InkindEntry,
    InkindTotal,
    Item,
    Need,
    Pledge,
    PledgeLine,
    Slot,
    VolunteerInvite,
)
from app.media import MediaFile
from app.outbox import OutboxEmail
from app.ratelimit import RateLimitCounter
from app.updates.models import (
    CampaignUpdateSettings,
    Expense,
    ExpenseReceipt,
    ExpenseVoid,
    FieldUpdate,
    UpdateDelivery,
    UpdateExpense,
    UpdatePhoto,
    UpdateRevision,
)

__all__ = [
    "ApiToken",
    "Base",
    "Campaign",
    "CampaignUpdateSettings",
    "Delivery",
    "DeliveryLine",
    "Donation",
    "DropOffPoint",
    "Expense",
    "ExpenseReceipt",
    "ExpenseVoid",
    "FieldUpdate",
    "Hashtag",
    "InkindEntry",
    "InkindTotal",
    "Item",
    "KittyTotal",
    "MediaFile",
    "Membership",
    "Need",
    "OutboxEmail",
    "PaymentEvent",
    "Pledge",
    "PledgeLine",
    "RateLimitCounter",
    "Refund",
    "Slot",
    "UpdateDelivery",
    "UpdateExpense",
    "UpdatePhoto",
    "UpdateRevision",
    "User",
    "UserSession",
    "VolunteerInvite",
]
