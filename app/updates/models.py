import enum

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.inkind.models import Delivery, Need
from app.media import MediaFile
from app.money import Money


class UpdateStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # written by a volunteer, waiting for an organizer's approval
    PUBLISHED = "published"
    RETRACTED = "retracted"


class FieldUpdate(Base):
    """News from the field: what arrived, what was bought, with photos and videos."""

    __tablename__ = "field_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    title: Mapped[str] = mapped_column(String(160))
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), default=UpdateStatus.DRAFT, index=True)
    retraction_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    published_at = mapped_column(UTCDateTime, nullable=True, index=True)
    retracted_at = mapped_column(UTCDateTime, nullable=True)

    author: Mapped[User | None] = relationship(lazy="joined")
    photos: Mapped[list["UpdatePhoto"]] = relationship(
        order_by="UpdatePhoto.position", lazy="selectin", cascade="all, delete-orphan"
    )
    expenses: Mapped[list["Expense"]] = relationship(
        secondary="field_update_expenses", lazy="selectin", order_by="Expense.spent_on"
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        secondary="field_update_deliveries", lazy="selectin", order_by=Delivery.received_on
    )

    @property
    def is_public(self) -> bool:
        return self.status in (UpdateStatus.PUBLISHED, UpdateStatus.RETRACTED)


class UpdateRevision(Base):
    """The text an update had before an edit: edits never erase what was published."""

    __tablename__ = "field_update_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("field_updates.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    body_md: Mapped[str] = mapped_column(Text)
    video_url: Mapped[str] = mapped_column(String(500), default="")
    edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class UpdatePhoto(Base):
    __tablename__ = "field_update_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("field_updates.id", ondelete="CASCADE"), index=True
    )
    # The large version and a small one for phones; both re-encoded without metadata.
    large_id: Mapped[int] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"))
    small_id: Mapped[int] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"))
    alt_text: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    large: Mapped[MediaFile] = relationship(foreign_keys=[large_id], lazy="joined")
    small: Mapped[MediaFile] = relationship(foreign_keys=[small_id], lazy="joined")


class CampaignUpdateSettings(Base):
    """Who may post updates for a campaign."""

    __tablename__ = "campaign_update_settings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    volunteers_can_post: Mapped[bool] = mapped_column(Boolean, default=False)
    volunteer_posts_need_approval: Mapped[bool] = mapped_column(Boolean, default=True)


class Expense(Base):
    """Money spent from the kitty: what, when, how much; append-only (a mistake is voided)."""

    __tablename__ = "expenses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(300))
    spent_on = mapped_column(Date, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    receipt_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the money turned into, when it bought goods a need asked for (430 € → 300 bottles).
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("inkind_needs.id", ondelete="SET NULL"), nullable=True
    )
    units: Mapped[int | None] = mapped_column(Integer, nullable=True)

    receipt: Mapped["ExpenseReceipt | None"] = relationship(lazy="selectin", uselist=False)
    void: Mapped["ExpenseVoid | None"] = relationship(lazy="selectin", uselist=False)
    recorded_by: Mapped[User | None] = relationship(lazy="joined")
    need: Mapped[Need | None] = relationship(lazy="joined")

    @property
    def money(self) -> Money:
        return Money(self.amount_minor, self.currency)


class ExpenseReceipt(Base):
    """The receipt behind an expense: a re-encoded photo or a PDF, public or team-only."""

    __tablename__ = "expense_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expense_id: Mapped[int] = mapped_column(
        ForeignKey("expenses.id", ondelete="CASCADE"), unique=True
    )
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ExpenseVoid(Base):
    """Cancels an expense recorded by mistake, with who and why; the expense row stays."""

    __tablename__ = "expense_voids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expense_id: Mapped[int] = mapped_column(
        ForeignKey("expenses.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(String(300))
    voided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class UpdateExpense(Base):
    """An update reports this spending ("430 € of milk bought — receipt attached")."""

    __tablename__ = "field_update_expenses"

    update_id: Mapped[int] = mapped_column(
        ForeignKey("field_updates.id", ondelete="CASCADE"), primary_key=True
    )
    expense_id: Mapped[int] = mapped_column(
        ForeignKey("expenses.id", ondelete="CASCADE"), primary_key=True
    )


class UpdateDelivery(Base):
    """An update reports this delivery of goods ("Monday: 1,200 diapers received")."""

    __tablename__ = "field_update_deliveries"

    update_id: Mapped[int] = mapped_column(
        ForeignKey("field_updates.id", ondelete="CASCADE"), primary_key=True
    )
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("inkind_deliveries.id", ondelete="CASCADE"), primary_key=True
    )
