"""Who may do what in a campaign: the one place that maps roles to capabilities.

A router asks for the campaign with the capability it needs, as a FastAPI dependency
(`viewer: TeamCampaign`, `viewer: ApiRefundCampaign`…). It gets a `CampaignAccess`: the
campaign, the viewer's role and one boolean per capability, which templates read too.
Nothing else compares role names: to change who may do what, change the tables below.

Drafts exist only for their team: to anyone else a draft's hashtag is a 404, like an unknown one.
Someone outside the team asking for a team page of a published campaign gets a 403.
"""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.deps import ApiUser, ApiUserOptional, CurrentUser, OptionalUser
from app.accounts.models import Role, User
from app.campaigns.models import Campaign, CampaignStatus, Hashtag, Membership
from app.campaigns.service import find_by_tag
from app.db import SessionDep
from app.errors import Forbidden, NotFound
from app.i18n import N_, _
from app.updates.models import CampaignUpdateSettings, FieldUpdate

# Every capability, with what a viewer without it is told.
CAPABILITIES: dict[str, str] = {
    "can_see_team_pages": N_("Only the campaign's team can see this page."),
    "can_log_deliveries": N_("Only the campaign's team can see this."),
    "can_see_private_receipts": N_("Only the campaign's team can see this."),
    "can_edit_campaign": N_("Only the campaign's organizers can change it."),
    "can_manage_goods": N_("Only the campaign's organizers can change it."),
    "can_invite_volunteers": N_("Only the campaign's organizers can change it."),
    "can_see_donations": N_("Only the campaign's organizers can see this."),
    "can_record_offline_gifts": N_("Only the campaign's organizers can change it."),
    "can_refund": N_("Only the campaign's organizers can refund a gift."),
    "can_export": N_("Only the campaign's organizers can see this."),
    "can_record_expense": N_("Only the campaign's organizers can change it."),
    "can_post_update": N_("Only the campaign's team can post updates."),
    "can_publish_update": N_("Only the campaign's organizers can do this."),
    "can_approve_updates": N_("Only the campaign's organizers can do this."),
    "can_retract_updates": N_("Only the campaign's organizers can do this."),
    "can_edit_any_update": N_("Only the campaign's organizers can do this."),
    "can_manage_update_settings": N_("Only the campaign's organizers can do this."),
}

_ORGANIZER = frozenset(CAPABILITIES)
_VOLUNTEER = frozenset({"can_see_team_pages", "can_log_deliveries", "can_see_private_receipts"})
ROLE_CAPABILITIES: dict[Role, frozenset[str]] = {
    Role.OWNER: _ORGANIZER,
    Role.ORGANIZER: _ORGANIZER,
    Role.VOLUNTEER: _VOLUNTEER,
}


@dataclass(frozen=True)
class UpdatePolicy:
    """The campaign's settings for volunteers' field updates."""

    volunteers_can_post: bool = False
    volunteer_posts_need_approval: bool = True


def capabilities(role: Role | None, policy: UpdatePolicy | None = None) -> frozenset[str]:
    """What this role may do in a campaign with these update settings."""
    granted = ROLE_CAPABILITIES.get(role, frozenset())
    policy = policy or UpdatePolicy()
    if role == Role.VOLUNTEER and policy.volunteers_can_post:
        granted |= {"can_post_update"}
        if not policy.volunteer_posts_need_approval:
            granted |= {"can_publish_update"}
    return granted


@dataclass(frozen=True)
class CampaignAccess:
    """A campaign as one viewer sees it: routers and templates read the booleans."""

    campaign: Campaign
    user: User | None
    role: Role | None
    hashtag: Hashtag | None = None
    granted: frozenset[str] = field(default_factory=frozenset)

    def has(self, capability: str) -> bool:
        if capability not in CAPABILITIES:
            raise KeyError(capability)
        return capability in self.granted

    def require(self, capability: str) -> "CampaignAccess":
        if not self.has(capability):
            raise Forbidden(_(CAPABILITIES[capability]))
        return self

    # One property per capability, so templates and routers can say viewer.can_refund.
    can_see_team_pages = property(lambda self: self.has("can_see_team_pages"))
    can_log_deliveries = property(lambda self: self.has("can_log_deliveries"))
    can_see_private_receipts = property(lambda self: self.has("can_see_private_receipts"))
    can_edit_campaign = property(lambda self: self.has("can_edit_campaign"))
    can_manage_goods = property(lambda self: self.has("can_manage_goods"))
    can_invite_volunteers = property(lambda self: self.has("can_invite_volunteers"))
    can_see_donations = property(lambda self: self.has("can_see_donations"))
    can_record_offline_gifts = property(lambda self: self.has("can_record_offline_gifts"))
    can_refund = property(lambda self: self.has("can_refund"))
    can_export = property(lambda self: self.has("can_export"))
    can_record_expense = property(lambda self: self.has("can_record_expense"))
    can_post_update = property(lambda self: self.has("can_post_update"))
    can_publish_update = property(lambda self: self.has("can_publish_update"))
    can_approve_updates = property(lambda self: self.has("can_approve_updates"))
    can_retract_updates = property(lambda self: self.has("can_retract_updates"))
    can_edit_any_update = property(lambda self: self.has("can_edit_any_update"))
    can_manage_update_settings = property(lambda self: self.has("can_manage_update_settings"))

    @property
    def update_needs_approval(self) -> bool:
        """Whether what this viewer publishes waits for an organizer first."""
        return not self.can_publish_update

    def update_refusal(self, update: FieldUpdate) -> str | None:
        """Why this viewer may not change this update (text, reports, photos), or None.

        Organizers change anything. Others change only their own updates, and once one is
        public only if they may publish without approval: an edit never skips the approval.
        """
        if self.can_edit_any_update:
            return None
        if not self.can_post_update:
            refusal = CAPABILITIES["can_post_update"]
            return _(refusal)
        if self.user is None or update.author_id != self.user.id:
            return _("Only its author or an organizer can change this update.")
        if update.is_public and not self.can_publish_update:
            return _(
                "This update is published: only an organizer can change it now. "
                "Write a new update, or ask an organizer."
            )
        return None

    def can_edit_update(self, update: FieldUpdate) -> bool:
        return self.update_refusal(update) is None

    def require_edit_update(self, update: FieldUpdate) -> None:
        if (reason := self.update_refusal(update)) is not None:
            raise Forbidden(reason)


# --- Resolving ------------------------------------------------------------------------------


async def role_of(session: AsyncSession, campaign: Campaign, user: User | None) -> Role | None:
    if user is None:
        return None
    role = await session.scalar(
        select(Membership.role).where(
            Membership.campaign_id == campaign.id, Membership.user_id == user.id
        )
    )
    return Role(role) if role else None


async def _policy(session: AsyncSession, campaign_id: int) -> UpdatePolicy:
    settings = await session.get(CampaignUpdateSettings, campaign_id)
    if settings is None:
        return UpdatePolicy()
    return UpdatePolicy(settings.volunteers_can_post, settings.volunteer_posts_need_approval)


async def _grant(session: AsyncSession, campaign: Campaign, role: Role | None) -> frozenset[str]:
    # Only volunteers' rights depend on the campaign's settings: nobody else pays the query.
    policy = await _policy(session, campaign.id) if role == Role.VOLUNTEER else None
    return capabilities(role, policy)


async def for_campaign(
    session: AsyncSession, campaign: Campaign, user: User | None, hashtag: Hashtag | None = None
) -> CampaignAccess:
    """The viewer's access to a campaign already loaded (no draft check: see `resolve`)."""
    role = await role_of(session, campaign, user)
    granted = await _grant(session, campaign, role)
    return CampaignAccess(campaign, user, role, hashtag, granted)


async def resolve(session: AsyncSession, tag: str, user: User | None) -> CampaignAccess:
    """The campaign a hashtag points to, as this viewer (None: anyone) may see it."""
    campaign, hashtag = await find_by_tag(session, tag)
    access = await for_campaign(session, campaign, user, hashtag)
    if campaign.status == CampaignStatus.DRAFT and access.role is None:
        raise NotFound(_("No campaign uses the hashtag #%(tag)s.", tag=tag.lstrip("#")))
    return access


async def my_campaigns(session: AsyncSession, user: User) -> list[CampaignAccess]:
    """The campaigns this person is in the team of, newest first."""
    rows = list(
        await session.execute(
            select(Campaign, Membership.role)
            .join(Membership, Membership.campaign_id == Campaign.id)
            .where(Membership.user_id == user.id)
            .order_by(Campaign.created_at.desc())
        )
    )
    ids = [campaign.id for campaign, role in rows if role == Role.VOLUNTEER]
    policies = {
        s.campaign_id: UpdatePolicy(s.volunteers_can_post, s.volunteer_posts_need_approval)
        for s in await session.scalars(
            select(CampaignUpdateSettings).where(CampaignUpdateSettings.campaign_id.in_(ids))
        )
    }
    return [
        CampaignAccess(c, user, Role(r), None, capabilities(Role(r), policies.get(c.id)))
        for c, r in rows
    ]


# --- FastAPI dependencies -------------------------------------------------------------------


async def viewer_campaign(tag: str, session: SessionDep, user: OptionalUser) -> CampaignAccess:
    """A page's campaign as the signed-in visitor (or anyone) may see it."""
    return await resolve(session, tag, user)


async def public_campaign(tag: str, session: SessionDep) -> CampaignAccess:
    """The campaign as anyone sees it, whoever asks: drafts are 404 even to their team."""
    return await resolve(session, tag, None)


async def api_viewer_campaign(
    tag: str, session: SessionDep, user: ApiUserOptional
) -> CampaignAccess:
    return await resolve(session, tag, user)


def _page(capability: str):
    CAPABILITIES[capability]

    async def dependency(
        tag: str, request: Request, session: SessionDep, user: CurrentUser
    ) -> CampaignAccess:
        viewer = (await resolve(session, tag, user)).require(capability)
        # Every team page shows the campaign's navigation for this viewer (base.html).
        request.state.team_access = viewer
        return viewer

    return Annotated[CampaignAccess, Depends(dependency)]


def _api(capability: str):
    CAPABILITIES[capability]

    async def dependency(tag: str, session: SessionDep, user: ApiUser) -> CampaignAccess:
        return (await resolve(session, tag, user)).require(capability)

    return Annotated[CampaignAccess, Depends(dependency)]


ViewerCampaign = Annotated[CampaignAccess, Depends(viewer_campaign)]
PublicCampaign = Annotated[CampaignAccess, Depends(public_campaign)]
ApiViewerCampaign = Annotated[CampaignAccess, Depends(api_viewer_campaign)]

# Pages (a signed-in user; anonymous visitors are sent to the login page).
TeamCampaign = _page("can_see_team_pages")
OrganizerCampaign = _page("can_edit_campaign")
GoodsCampaign = _page("can_manage_goods")
VolunteersCampaign = _page("can_invite_volunteers")
DeskCampaign = _page("can_log_deliveries")
DonationsCampaign = _page("can_see_donations")
OfflineGiftCampaign = _page("can_record_offline_gifts")
RefundCampaign = _page("can_refund")
ExportCampaign = _page("can_export")
SpendingCampaign = _page("can_record_expense")
UpdateWriterCampaign = _page("can_post_update")
UpdateSettingsCampaign = _page("can_manage_update_settings")

# The API (a bearer token).
ApiOrganizerCampaign = _api("can_edit_campaign")
ApiGoodsCampaign = _api("can_manage_goods")
ApiDeskCampaign = _api("can_log_deliveries")
ApiDonationsCampaign = _api("can_see_donations")
ApiOfflineGiftCampaign = _api("can_record_offline_gifts")
ApiSpendingCampaign = _api("can_record_expense")
ApiUpdateWriterCampaign = _api("can_post_update")
