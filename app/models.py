"""Every model module, imported once so Alembic and tests see the whole schema."""

from app.accounts.models import ApiToken, User, UserSession
from app.campaigns.models import Campaign, Hashtag, Membership
from app.db import Base
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

__all__ = [
    "ApiToken",
    "Base",
    "Campaign",
    "Delivery",
    "DeliveryLine",
    "DropOffPoint",
    "Hashtag",
    "InkindEntry",
    "InkindTotal",
    "Item",
    "MediaFile",
    "Membership",
    "Need",
    "OutboxEmail",
    "Pledge",
    "PledgeLine",
    "RateLimitCounter",
    "Slot",
    "User",
    "UserSession",
    "VolunteerInvite",
]
