"""Every model module, imported once so Alembic and tests see the whole schema."""

from app.accounts.models import ApiToken, User, UserSession
from app.campaigns.models import Campaign, Hashtag, Membership
from app.db import Base
from app.donations.models import Donation, KittyTotal, PaymentEvent, Refund
from app.media import MediaFile
from app.outbox import OutboxEmail
from app.ratelimit import RateLimitCounter
from app.updates.models import CampaignUpdateSettings, FieldUpdate, UpdatePhoto, UpdateRevision

__all__ = [
    "ApiToken",
    "Base",
    "Campaign",
    "CampaignUpdateSettings",
    "Donation",
    "FieldUpdate",
    "Hashtag",
    "KittyTotal",
    "MediaFile",
    "Membership",
    "OutboxEmail",
    "PaymentEvent",
    "RateLimitCounter",
    "Refund",
    "UpdatePhoto",
    "UpdateRevision",
    "User",
    "UserSession",
]
