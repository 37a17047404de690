"""Campaign logic: hashtags, lifecycle, progress. Functions take the session first.

Who may do what in a campaign is decided in campaigns/access.py."""

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role, User
from app.campaigns.hashtags import hashtag_key
from app.campaigns.models import (
    ALLOWED_TRANSITIONS,
    Campaign,
    CampaignStatus,
    Hashtag,
    Membership,
)
from app.campaigns.schemas import CampaignCreate, CampaignUpdate
from app.campaigns.search import search_text_for
from app.campaigns.timezones import default_time_zone
from app.db import utcnow
from app.errors import Conflict, FieldError, NotFound, ValidationFailed
from app.i18n import _, ngettext
from app.labels import status_label
from app.media import store_image
from app.money import Money
from app.text import clean_line, render_markdown

STATUS_ACTIONS = {
    "publish": CampaignStatus.LIVE,
    "resume": CampaignStatus.LIVE,
    "pause": CampaignStatus.PAUSED,
    "close": CampaignStatus.CLOSED,
}


@dataclass(frozen=True)
class Progress:
    raised: Money
    goal: Money | None
    donors: int

    @property
    def percent(self) -> int | None:
        if not self.goal or self.goal.amount_minor <= 0:
            return None
        return self.raised.amount_minor * 100 // self.goal.amount_minor

    @property
    def bar_percent(self) -> int:
        return min(self.percent or 0, 100)

    def summary(self, locale: str) -> str:
        """ "€120.00 raised of €5,000.00 · 3 donors": one sentence for pages, cards and the API."""
        raised = self.raised.format(locale)
        if self.goal:
            text = _("%(raised)s raised of %(goal)s", raised=raised, goal=self.goal.format(locale))
        else:
            text = _("%(raised)s raised", raised=raised)
        return text + " · " + ngettext("%(num)s donor", "%(num)s donors", self.donors)

    def percent_text(self) -> str | None:
        return _("%(percent)s%% of the goal", percent=self.percent) if self.goal else None

    @property
    def bar_step(self) -> int:
        """The bar's width in steps of 5%: CSS classes, since the CSP forbids inline styles."""
        return self.bar_percent // 5 * 5


# --- Lookup -----------------------------------------------------------------------------


async def find_by_tag(session: AsyncSession, tag: str) -> tuple[Campaign, Hashtag]:
    """The campaign a hashtag points to: the active one, else the most recently closed."""
    key = hashtag_key(tag)
    if not key or len(key) > 60:
        raise NotFound(_("No campaign uses the hashtag #%(tag)s.", tag=tag.lstrip("#")[:60]))
    row = (
        await session.execute(
            select(Campaign, Hashtag)
            .join(Hashtag, Hashtag.campaign_id == Campaign.id)
            .where(Hashtag.tag_key == key)
            .order_by(Hashtag.active.desc(), Campaign.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        raise NotFound(_("No campaign uses the hashtag #%(tag)s.", tag=tag.lstrip("#")))
    return row[0], row[1]


async def list_public(
    session: AsyncSession, limit: int = 24, offset: int = 0, status: str = CampaignStatus.LIVE
) -> tuple[list[Campaign], int]:
    query = select(Campaign).where(Campaign.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Campaign.published_at.desc(), Campaign.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


# --- Hashtags ---------------------------------------------------------------------------


async def _claim_hashtags(
    session: AsyncSession, campaign: Campaign, primary: str, aliases: list[str]
) -> None:
    """Give the campaign exactly these hashtags, refusing any another active campaign holds."""
    wanted = [(primary, True)] + [
        (a, False) for a in aliases if hashtag_key(a) != hashtag_key(primary)
    ]
    keys = [hashtag_key(tag) for tag, _primary in wanted]
    taken = await session.scalars(
        select(Hashtag.tag).where(
            Hashtag.tag_key.in_(keys),
            Hashtag.active.is_(True),
            Hashtag.campaign_id != (campaign.id or -1),
        )
    )
    taken = list(taken)
    if taken:
        field = "hashtag" if hashtag_key(taken[0]) == hashtag_key(primary) else "aliases"
        raise Conflict(
            _(
                "#%(tag)s is already used by another campaign. Choose another hashtag.",
                tag=taken[0],
            ),
            field_errors=[
                FieldError(
                    field,
                    _("#%(tag)s is already used by another campaign.", tag=taken[0]),
                )
            ],
        )
    existing = {tag.tag_key: tag for tag in campaign.hashtags}
    kept = []
    for tag, is_primary in wanted:
        row = existing.pop(hashtag_key(tag), None)
        if row is None:
            row = Hashtag(tag=tag, tag_key=hashtag_key(tag), active=True)
        row.tag, row.is_primary = tag, is_primary
        kept.append(row)
    campaign.hashtags = kept


async def _flush_claim(session: AsyncSession, hashtag: str) -> None:
    # Two organizers racing for one hashtag: the partial unique index decides.
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(
            _("#%(tag)s is already used by another campaign. Choose another hashtag.", tag=hashtag),
            field_errors=[
                FieldError(
                    "hashtag", _("#%(tag)s is already used by another campaign.", tag=hashtag)
                )
            ],
        ) from None


# --- Create, update, lifecycle -----------------------------------------------------------


async def create_campaign(session: AsyncSession, user: User, data: CampaignCreate) -> Campaign:
    campaign = Campaign(
        title=clean_line(data.title),
        story_md=data.story,
        story_html=render_markdown(data.story),
        beneficiary=clean_line(data.beneficiary),
        place=clean_line(data.place),
        currency=data.currency,
        goal_minor=data.goal_minor,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        time_zone=data.time_zone or default_time_zone(data.place),
        status=CampaignStatus.DRAFT,
        created_by_id=user.id,
        hashtags=[],
    )
    await _claim_hashtags(session, campaign, data.hashtag, data.aliases)
    campaign.search_text = search_text_for(campaign)
    session.add(campaign)
    await _flush_claim(session, data.hashtag)
    session.add(Membership(campaign_id=campaign.id, user_id=user.id, role=Role.OWNER))
    await session.flush()
    return campaign


async def update_campaign(
    session: AsyncSession, campaign: Campaign, data: CampaignUpdate
) -> Campaign:
    changes = data.model_dump(exclude_unset=True, exclude={"status", "clear_goal", "aliases"})
    currency_changes = "currency" in changes and changes["currency"] != campaign.currency
    # Money is recorded in the campaign's currency, so it is fixed once published.
    if currency_changes and campaign.status != CampaignStatus.DRAFT:
        message = _("The currency cannot change once the campaign is published.")
        raise ValidationFailed([FieldError("currency", message)])
    for name in ("title", "beneficiary", "place"):
        if changes.get(name) is not None:
            setattr(campaign, name, clean_line(changes[name]))
    if changes.get("story") is not None:
        campaign.story_md = changes["story"]
        campaign.story_html = render_markdown(changes["story"])
    for name in ("currency", "goal_minor", "starts_on", "ends_on", "time_zone"):
        if changes.get(name) is not None:
            setattr(campaign, name, changes[name])
    if data.clear_goal:
        campaign.goal_minor = None
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ValidationFailed(
            [FieldError("ends_on", _("The end date must be on or after the start date."))]
        )
    if data.aliases is not None:
        await _claim_hashtags(session, campaign, campaign.hashtag, data.aliases)
        await _flush_claim(session, campaign.hashtag)
    if data.status is not None and data.status != campaign.status:
        await change_status(session, campaign, data.status)
    campaign.search_text = search_text_for(campaign)
    campaign.updated_at = utcnow()
    await session.flush()
    return campaign


async def change_status(
    session: AsyncSession, campaign: Campaign, new_status: CampaignStatus
) -> None:
    current = CampaignStatus(campaign.status)
    if new_status not in ALLOWED_TRANSITIONS[current]:
        raise Conflict(
            _(
                "A %(current)s campaign cannot become %(new)s.",
                current=status_label("campaign", current),
                new=status_label("campaign", new_status),
            ),
            field_errors=[FieldError("status", _("Not allowed from the current status."))],
        )
    now = utcnow()
    campaign.status = new_status
    if new_status == CampaignStatus.LIVE and campaign.published_at is None:
        campaign.published_at = now
    if new_status == CampaignStatus.CLOSED:
        campaign.closed_at = now
        # A closed campaign keeps its page but frees its hashtags for a future campaign.
        await session.execute(
            update(Hashtag).where(Hashtag.campaign_id == campaign.id).values(active=False)
        )
        await session.refresh(campaign, ["hashtags"])
    await session.flush()


async def set_cover(session: AsyncSession, campaign: Campaign, raw: bytes, user: User) -> None:
    media = await store_image(session, raw, user.id, field="cover")
    campaign.cover_id = media.id
    campaign.cover = media
    campaign.updated_at = utcnow()
    await session.flush()


async def remove_cover(session: AsyncSession, campaign: Campaign) -> None:
    # The image itself stays: another campaign or update may show the same bytes.
    campaign.cover_id = None
    campaign.cover = None
    campaign.updated_at = utcnow()
    await session.flush()


# --- Progress ---------------------------------------------------------------------------


async def progress(session: AsyncSession, campaign: Campaign) -> Progress:
    """Money raised and donors, from the kitty's running total (one primary-key read)."""
    from app.donations.service import totals  # the kitty builds on campaigns, not the reverse

    raised_minor, donors = await totals(session, campaign.id)
    return Progress(
        raised=Money(raised_minor, campaign.currency), goal=campaign.goal, donors=donors
    )
