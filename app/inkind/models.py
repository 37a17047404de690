"""Goods: items, needs, drop-off points and slots, pledges, deliveries, the in-kind ledger.

Every quantity is an integer number of base units (a diaper, a bottle); packs are for entry
and display only. The ledger (InkindEntry) is append-only; InkindTotal caches its sums per
(need, day) and is updated in the same transaction as each entry.
"""

import enum
from datetime import date

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow

# The totals bucket of a one-off need (daily needs have one bucket per day).
ALL_DAYS = date(1970, 1, 1)


class NeedKind(enum.StrEnum):
    ONE_OFF = "one_off"
    DAILY = "daily"


class PledgePolicy(enum.StrEnum):
    ACCEPT_SURPLUS = "accept_surplus"  # more than needed is welcome
    HARD_CAP = "hard_cap"  # refuse pledges beyond what is still missing
    WAITLIST = "waitlist"  # beyond that, the pledge waits for the team's call


class PledgeStatus(enum.StrEnum):
    PLEDGED = "pledged"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    WAITLISTED = "waitlisted"


ALIVE_STATUSES = (PledgeStatus.PLEDGED, PledgeStatus.PARTIALLY_RECEIVED)


class EntryKind(enum.StrEnum):
    PLEDGED = "pledged"
    PLEDGE_CHANGED = "pledge_changed"
    PLEDGE_CANCELLED = "pledge_cancelled"
    PLEDGE_EXPIRED = "pledge_expired"
    PLEDGE_FULFILLED = "pledge_fulfilled"  # the pledged units arrived (see the received entry)
    RECEIVED = "received"
    CORRECTION = "correction"
    PURCHASED = "purchased"  # bought with the kitty's money (see the expense it notes)
    USED = "used"  # handed out or used: leaves what is on hand (see the StockUse it belongs to)


class RefusalReason(enum.StrEnum):
    OPENED = "opened"
    EXPIRED = "expired"
    WRONG_SIZE = "wrong_size"
    OTHER = "other"


class Item(Base):
    __tablename__ = "inkind_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(40))  # plural label of one base unit: "diapers"
    pack_label: Mapped[str] = mapped_column(String(40), default="")  # "pack", "box"
    pack_size: Mapped[int | None] = mapped_column(Integer, nullable=True)  # units in a pack


class Need(Base):
    __tablename__ = "inkind_needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("inkind_items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    target_units: Mapped[int | None] = mapped_column(Integer, nullable=True)  # one-off
    deadline = mapped_column(Date, nullable=True)  # one-off
    per_day_units: Mapped[int | None] = mapped_column(Integer, nullable=True)  # daily
    starts_on = mapped_column(Date, nullable=True)  # daily
    ends_on = mapped_column(Date, nullable=True)  # daily; open-ended when null
    reason: Mapped[str] = mapped_column(String(200), default="")  # "110 newborns"
    priority: Mapped[int] = mapped_column(Integer, default=2)  # 1 urgent, 2 high, 3 normal
    policy: Mapped[str] = mapped_column(String(20), default=PledgePolicy.ACCEPT_SURPLUS)
    # Most units one pledge may promise; null: derived from the need (app.inkind.needs).
    max_per_pledge: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    item: Mapped[Item] = relationship(lazy="joined")

    @property
    def is_daily(self) -> bool:
        return self.kind == NeedKind.DAILY

    @property
    def is_capped(self) -> bool:
        return self.policy != PledgePolicy.ACCEPT_SURPLUS

    def bucket(self, day: date) -> date:
        """The totals bucket a pledge or delivery on `day` counts in."""
        return day if self.is_daily else ALL_DAYS

    def needed_on(self, day: date) -> int:
        if not self.is_daily:
            return self.target_units or 0
        if (self.starts_on and day < self.starts_on) or (self.ends_on and day > self.ends_on):
            return 0
        return self.per_day_units or 0


class DropOffPoint(Base):
    __tablename__ = "inkind_drop_off_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300), default="")
    opening_hours: Mapped[str] = mapped_column(String(300), default="")  # "Mon–Sat 9:00–19:00"
    # ISO weekdays it opens (1 Monday … 7 Sunday), "123456" for Mon–Sat; a slot opens its day too.
    open_weekdays: Mapped[str] = mapped_column(
        String(7), default="1234567", server_default="1234567"
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Slot(Base):
    """A time window at a drop-off point, in the point's local time; capacity in visits."""

    __tablename__ = "inkind_slots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drop_off_point_id: Mapped[int] = mapped_column(
        ForeignKey("inkind_drop_off_points.id", ondelete="CASCADE"), index=True
    )
    day = mapped_column(Date, nullable=False)
    starts_at = mapped_column(Time, nullable=False)
    ends_at = mapped_column(Time, nullable=False)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)

    drop_off_point: Mapped[DropOffPoint] = relationship(lazy="joined")


class Pledge(Base):
    __tablename__ = "inkind_pledges"
    __table_args__ = (UniqueConstraint("campaign_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(8), unique=True)
    manage_token_hash: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    donor_name: Mapped[str] = mapped_column(String(120))
    donor_name_key: Mapped[str] = mapped_column(String(120), index=True)  # casefolded, for search
    donor_email: Mapped[str] = mapped_column(String(254), default="")
    donor_phone: Mapped[str] = mapped_column(String(40), default="")
    drop_off_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("inkind_drop_off_points.id", ondelete="SET NULL"), nullable=True
    )
    slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("inkind_slots.id", ondelete="SET NULL"), nullable=True, index=True
    )
    due_on = mapped_column(Date, nullable=False, index=True)  # the day they plan to bring it
    status: Mapped[str] = mapped_column(String(20), default=PledgeStatus.PLEDGED, index=True)
    # A pledge far ahead reserves only until then, unless confirmed from the emailed link.
    hold_expires_at = mapped_column(UTCDateTime, nullable=True, index=True)
    confirmed_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    lines: Mapped[list["PledgeLine"]] = relationship(
        back_populates="pledge", order_by="PledgeLine.id", lazy="selectin"
    )
    drop_off_point: Mapped[DropOffPoint | None] = relationship(lazy="joined")
    slot: Mapped[Slot | None] = relationship(lazy="joined")

    @property
    def is_alive(self) -> bool:
        return self.status in ALIVE_STATUSES

    @property
    def is_held(self) -> bool:
        """Reserving for a short time only, until the donor confirms from the emailed link."""
        return self.hold_expires_at is not None and self.is_alive


class PledgeLine(Base):
    __tablename__ = "inkind_pledge_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pledge_id: Mapped[int] = mapped_column(
        ForeignKey("inkind_pledges.id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int] = mapped_column(ForeignKey("inkind_needs.id", ondelete="CASCADE"))
    units: Mapped[int] = mapped_column(Integer)  # currently promised (history in the ledger)
    received_units: Mapped[int] = mapped_column(Integer, default=0)
    refused_units: Mapped[int] = mapped_column(Integer, default=0)

    pledge: Mapped[Pledge] = relationship(back_populates="lines")
    need: Mapped[Need] = relationship(lazy="joined")

    @property
    def brought(self) -> int:
        return self.received_units + self.refused_units

    @property
    def open_units(self) -> int:
        """Still pledged and not yet brought: what counts as 'pledged' on the need."""
        return max(self.units - self.brought, 0) if self.pledge.is_alive else 0


class Delivery(Base):
    """A receipt at a drop-off point: against a pledge, or a walk-in gift."""

    __tablename__ = "inkind_deliveries"
    __table_args__ = (UniqueConstraint("campaign_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    pledge_id: Mapped[int | None] = mapped_column(
        ForeignKey("inkind_pledges.id", ondelete="SET NULL"), nullable=True, index=True
    )
    drop_off_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("inkind_drop_off_points.id", ondelete="SET NULL"), nullable=True
    )
    received_on = mapped_column(Date, nullable=False)
    donor_name: Mapped[str] = mapped_column(String(120), default="")  # for walk-ins
    note: Mapped[str] = mapped_column(String(300), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    lines: Mapped[list["DeliveryLine"]] = relationship(order_by="DeliveryLine.id", lazy="selectin")
    pledge: Mapped[Pledge | None] = relationship(lazy="joined")


class DeliveryLine(Base):
    __tablename__ = "inkind_delivery_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("inkind_deliveries.id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int] = mapped_column(ForeignKey("inkind_needs.id", ondelete="CASCADE"))
    pledge_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("inkind_pledge_lines.id", ondelete="SET NULL"), nullable=True
    )
    accepted_units: Mapped[int] = mapped_column(Integer, default=0)
    refused_units: Mapped[int] = mapped_column(Integer, default=0)
    refusal_reason: Mapped[str] = mapped_column(String(20), default="")

    need: Mapped[Need] = relationship(lazy="joined")


class InkindEntry(Base):
    """One append-only change to what is pledged, received or refused for a need on a day."""

    __tablename__ = "inkind_entries"
    __table_args__ = (Index("ix_inkind_entries_need_day", "need_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int] = mapped_column(ForeignKey("inkind_needs.id", ondelete="CASCADE"))
    day = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(20))
    pledged_delta: Mapped[int] = mapped_column(Integer, default=0)
    received_delta: Mapped[int] = mapped_column(Integer, default=0)
    refused_delta: Mapped[int] = mapped_column(Integer, default=0)
    used_delta: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pledge_id: Mapped[int | None] = mapped_column(
        ForeignKey("inkind_pledges.id", ondelete="SET NULL"), nullable=True, index=True
    )
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("inkind_deliveries.id", ondelete="SET NULL"), nullable=True
    )
    use_id: Mapped[int | None] = mapped_column(
        ForeignKey("inkind_stock_uses.id", ondelete="SET NULL"), nullable=True
    )
    refusal_reason: Mapped[str] = mapped_column(String(20), default="")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    actor: Mapped[str] = mapped_column(String(20))  # "donor", "team", "system"
    note: Mapped[str] = mapped_column(Text, default="")  # why
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class InkindTotal(Base):
    """Cached sums of the ledger per (need, day), updated in the entry's transaction."""

    __tablename__ = "inkind_totals"

    need_id: Mapped[int] = mapped_column(
        ForeignKey("inkind_needs.id", ondelete="CASCADE"), primary_key=True
    )
    day = mapped_column(Date, primary_key=True)
    pledged: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class VolunteerInvite(Base):
    """A link that makes whoever opens it (signed in) a volunteer of the campaign, until expiry."""

    __tablename__ = "inkind_volunteer_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    revoked_at = mapped_column(UTCDateTime, nullable=True)
    accepted_count: Mapped[int] = mapped_column(Integer, default=0)


class StockUse(Base):
    """Goods handed out or used on a day, as a volunteer recorded them: one submit of the use
    form (its lines are the USED ledger entries pointing here). The idempotency key makes a
    double tap one record."""

    __tablename__ = "inkind_stock_uses"
    __table_args__ = (UniqueConstraint("campaign_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    used_on = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(String(300), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class NeedChange(Base):
    """An append-only history of a need's quantity (target or daily rate): who changed it from
    what to what, and when. The need row holds the current value; this keeps the past."""

    __tablename__ = "inkind_need_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("inkind_needs.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(20))  # "per_day_units" or "target_units"
    old_value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    new_value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
