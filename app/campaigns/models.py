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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.media import MediaFile
from app.money import Money


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    PAUSED = "paused"
    CLOSED = "closed"


# draft → live ⇄ paused → closed (a live campaign may also close directly).
ALLOWED_TRANSITIONS = {
    CampaignStatus.DRAFT: {CampaignStatus.LIVE},
    CampaignStatus.LIVE: {CampaignStatus.PAUSED, CampaignStatus.CLOSED},
    CampaignStatus.PAUSED: {CampaignStatus.LIVE, CampaignStatus.CLOSED},
    CampaignStatus.CLOSED: set(),
}


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(140))
    story_md: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitized when the story is saved, so the landing page never re-renders it.
    story_html: Mapped[str] = mapped_column(Text, default="")
    beneficiary: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200), default="")
    currency: Mapped[str] = mapped_column(String(3))
    goal_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    starts_on = mapped_column(Date, nullable=True)
    ends_on = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default=CampaignStatus.DRAFT, index=True)
    # An IANA name ("Europe/Riga"): every time the team and the public read is shown in it.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Title, beneficiary, place and hashtags, case- and accent-folded in Python (see
    # campaigns/search.py): one LIKE finds "Palīdzēsim" from "palidzesim" on any database.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    cover_id: Mapped[int | None] = mapped_column(
        ForeignKey("media_files.id", ondelete="SET NULL"), nullable=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    published_at = mapped_column(UTCDateTime, nullable=True)
    closed_at = mapped_column(UTCDateTime, nullable=True)

    hashtags: Mapped[list["Hashtag"]] = relationship(
        back_populates="campaign",
        order_by="(Hashtag.is_primary.desc(), Hashtag.id)",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    cover: Mapped[MediaFile | None] = relationship(lazy="joined")

    @property
    def primary_hashtag(self) -> "Hashtag":
        return next(tag for tag in self.hashtags if tag.is_primary)

    @property
    def hashtag(self) -> str:
        return self.primary_hashtag.tag

    @property
    def aliases(self) -> list[str]:
        return [tag.tag for tag in self.hashtags if not tag.is_primary]

    @property
    def goal(self) -> Money | None:
        return Money(self.goal_minor, self.currency) if self.goal_minor is not None else None

    @property
    def path(self) -> str:
        return f"/h/{self.hashtag}"

    @property
    def is_public(self) -> bool:
        return self.status != CampaignStatus.DRAFT


class Hashtag(Base):
    """A hashtag of a campaign: one primary, any number of aliases that redirect to it."""

    __tablename__ = "hashtags"
    __table_args__ = (
        # A hashtag belongs to one live, paused or draft campaign; closing frees it.
        Index(
            "uq_hashtags_active_tag_key",
            "tag_key",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(60))
    tag_key: Mapped[str] = mapped_column(String(60), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    campaign: Mapped[Campaign] = relationship(back_populates="hashtags")


class Membership(Base):
    """A person's role in one campaign's team."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship(lazy="joined")
    campaign: Mapped[Campaign] = relationship(lazy="joined")
