"""Field updates: written by the team, published, edited with history, retracted in the open."""

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.db import utcnow
from app.errors import FieldError, NotFound, ValidationFailed
from app.i18n import _
from app.inkind.models import Delivery
from app.media import store_image
from app.text import clean_line, render_markdown
from app.updates.models import (
    CampaignUpdateSettings,
    Expense,
    FieldUpdate,
    UpdateDelivery,
    UpdateExpense,
    UpdatePhoto,
    UpdateRevision,
    UpdateStatus,
)
from app.updates.video import clean_video_url

MAX_PHOTOS = 10
SMALL_SIDE = 640


async def settings_for(session: AsyncSession, campaign: Campaign) -> CampaignUpdateSettings:
    settings = await session.get(CampaignUpdateSettings, campaign.id)
    return settings or CampaignUpdateSettings(
        campaign_id=campaign.id, volunteers_can_post=False, volunteer_posts_need_approval=True
    )


async def save_settings(
    session: AsyncSession, campaign: Campaign, volunteers_can_post: bool, need_approval: bool
) -> None:
    settings = await session.get(CampaignUpdateSettings, campaign.id)
    if settings is None:
        settings = CampaignUpdateSettings(campaign_id=campaign.id)
        session.add(settings)
    settings.volunteers_can_post = volunteers_can_post
    settings.volunteer_posts_need_approval = need_approval
    await session.flush()


def _validated(title: str, body: str, video_url: str) -> tuple[str, str, str]:
    errors = []
    title = clean_line(title)
    if len(title) < 3:
        errors.append(FieldError("title", _("Must be at least %(n)s characters.", n=3)))
    elif len(title) > 160:
        errors.append(FieldError("title", _("Must be at most %(n)s characters.", n=160)))
    if len(body or "") > 20000:
        errors.append(FieldError("body", _("Must be at most %(n)s characters.", n=20000)))
    try:
        video_url = clean_video_url(video_url)
    except ValueError as exc:
        errors.append(FieldError("video_url", str(exc)))
    if errors:
        raise ValidationFailed(errors)
    return title, body or "", video_url


async def create_update(
    session: AsyncSession,
    campaign: Campaign,
    author: User,
    *,
    title: str,
    body: str = "",
    video_url: str = "",
    publish: bool = False,
    needs_approval: bool = False,
) -> FieldUpdate:
    """A new update by someone allowed to post (campaigns.access decides who is)."""
    title, body, video_url = _validated(title, body, video_url)
    update = FieldUpdate(
        campaign_id=campaign.id,
        author_id=author.id,
        title=title,
        body_md=body,
        body_html=render_markdown(body),
        video_url=video_url,
        status=UpdateStatus.DRAFT,
        photos=[],
    )
    session.add(update)
    await session.flush()
    if publish:
        await submit(session, update, needs_approval=needs_approval)
    return update


async def submit(session: AsyncSession, update: FieldUpdate, *, needs_approval: bool) -> None:
    """Publish, or send for approval when the author's posts need an organizer's eye."""
    if update.status not in (UpdateStatus.DRAFT, UpdateStatus.PENDING):
        return
    if needs_approval:
        update.status = UpdateStatus.PENDING
    else:
        update.status = UpdateStatus.PUBLISHED
        update.published_at = utcnow()
    await session.flush()


async def edit_update(
    session: AsyncSession,
    update: FieldUpdate,
    editor: User,
    *,
    title: str,
    body: str,
    video_url: str,
) -> FieldUpdate:
    if update.status == UpdateStatus.RETRACTED:
        raise ValidationFailed([FieldError("status", _("A retracted update cannot be edited."))])
    title, body, video_url = _validated(title, body, video_url)
    if (title, body, video_url) == (update.title, update.body_md, update.video_url):
        return update
    session.add(
        UpdateRevision(
            update_id=update.id,
            title=update.title,
            body_md=update.body_md,
            video_url=update.video_url,
            edited_by_id=editor.id,
        )
    )
    update.title, update.body_md, update.video_url = title, body, video_url
    update.body_html = render_markdown(body)
    update.updated_at = utcnow()
    await session.flush()
    return update


async def retract(session: AsyncSession, update: FieldUpdate, reason: str) -> None:
    reason = clean_line(reason)
    if update.status != UpdateStatus.PUBLISHED:
        raise ValidationFailed(
            [FieldError("status", _("Only a published update can be retracted."))]
        )
    if len(reason) < 3:
        raise ValidationFailed([FieldError("reason", _("Say briefly why it is retracted."))])
    update.status = UpdateStatus.RETRACTED
    update.retraction_reason = reason[:500]
    update.retracted_at = utcnow()
    await session.flush()


async def add_photo(
    session: AsyncSession, update: FieldUpdate, raw: bytes, alt_text: str, user: User
) -> UpdatePhoto:
    if len(update.photos) >= MAX_PHOTOS:
        raise ValidationFailed(
            [FieldError("photo", _("At most %(n)s photos per update.", n=MAX_PHOTOS))]
        )
    large = await store_image(session, raw, user.id, field="photo")
    small = await store_image(session, raw, user.id, field="photo", max_side=SMALL_SIDE)
    photo = UpdatePhoto(
        update_id=update.id,
        large_id=large.id,
        small_id=small.id,
        large=large,
        small=small,
        alt_text=clean_line(alt_text)[:300],
        position=len(update.photos),
    )
    update.photos.append(photo)
    await session.flush()
    return photo


async def get_update(session: AsyncSession, campaign: Campaign, update_id: int) -> FieldUpdate:
    update = await session.get(FieldUpdate, update_id)
    if update is None or update.campaign_id != campaign.id:
        raise NotFound(_("This update does not exist."))
    return update


async def public_updates(
    session: AsyncSession, campaign: Campaign, limit: int = 20, offset: int = 0
) -> list[FieldUpdate]:
    rows = await session.scalars(
        select(FieldUpdate)
        .where(
            FieldUpdate.campaign_id == campaign.id,
            FieldUpdate.status.in_([UpdateStatus.PUBLISHED, UpdateStatus.RETRACTED]),
        )
        .order_by(FieldUpdate.published_at.desc(), FieldUpdate.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


async def count_public(session: AsyncSession, campaign: Campaign) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(FieldUpdate)
            .where(
                FieldUpdate.campaign_id == campaign.id,
                FieldUpdate.status.in_([UpdateStatus.PUBLISHED, UpdateStatus.RETRACTED]),
            )
        )
        or 0
    )


async def team_updates(session: AsyncSession, campaign: Campaign) -> list[FieldUpdate]:
    rows = await session.scalars(
        select(FieldUpdate)
        .where(FieldUpdate.campaign_id == campaign.id)
        .order_by(FieldUpdate.created_at.desc(), FieldUpdate.id.desc())
    )
    return list(rows)


async def revisions(session: AsyncSession, update: FieldUpdate) -> list[UpdateRevision]:
    rows = await session.scalars(
        select(UpdateRevision)
        .where(UpdateRevision.update_id == update.id)
        .order_by(UpdateRevision.created_at.desc(), UpdateRevision.id.desc())
    )
    return list(rows)


async def link_reports(
    session: AsyncSession,
    campaign: Campaign,
    update: FieldUpdate,
    expense_ids: list[int],
    delivery_ids: list[int],
) -> None:
    """The update reports exactly these expenses and deliveries of its own campaign."""
    await _replace_links(
        session, update, UpdateExpense, "expense_id", Expense, campaign, expense_ids
    )
    await _replace_links(
        session, update, UpdateDelivery, "delivery_id", Delivery, campaign, delivery_ids
    )
    await session.flush()
    await session.refresh(update, ["expenses", "deliveries"])


async def _replace_links(session, update, link_model, column: str, target, campaign, ids) -> None:
    wanted = set(ids)
    found = set(
        await session.scalars(
            select(target.id).where(target.campaign_id == campaign.id, target.id.in_(wanted))
        )
    )
    if wanted - found:  # the error names the input (expense_ids), as forms and the API call it
        message = _("Choose among this campaign's records.")
        raise ValidationFailed([FieldError(f"{column}s", message)])
    link_column = getattr(link_model, column)
    current = set(
        await session.scalars(select(link_column).where(link_model.update_id == update.id))
    )
    for target_id in wanted - current:
        session.add(link_model(update_id=update.id, **{column: target_id}))
    if current - wanted:
        await session.execute(
            delete(link_model).where(
                link_model.update_id == update.id, link_column.in_(current - wanted)
            )
        )


async def reportable(session: AsyncSession, campaign: Campaign) -> tuple[list, list]:
    """Recent expenses and deliveries an update may point to."""
    expenses = await session.scalars(
        select(Expense)
        .where(Expense.campaign_id == campaign.id)
        .order_by(Expense.spent_on.desc(), Expense.id.desc())
        .limit(50)
    )
    deliveries = await session.scalars(
        select(Delivery)
        .where(Delivery.campaign_id == campaign.id)
        .order_by(Delivery.received_on.desc(), Delivery.id.desc())
        .limit(50)
    )
    return list(expenses), list(deliveries)
