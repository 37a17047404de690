import enum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.media import MediaFile


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
