"""Volunteer invitations: a link (its token stored hashed) that expires."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role, User
from app.accounts.service import hash_token
from app.campaigns.access import role_of
from app.campaigns.models import Campaign, CampaignStatus, Membership
from app.db import utcnow
from app.errors import AppError, NotFound
from app.i18n import N_, _
from app.inkind.models import DropOffPoint, VolunteerInvite
from app.inkind.needs import list_drop_off_points

INVITE_LIFETIME = timedelta(days=7)


async def create_invite(session: AsyncSession, campaign: Campaign, user: User) -> str:
    raw = secrets.token_urlsafe(24)
    session.add(
        VolunteerInvite(
            campaign_id=campaign.id,
            token_hash=hash_token(raw),
            created_by_id=user.id,
            expires_at=utcnow() + INVITE_LIFETIME,
        )
    )
    await session.flush()
    return raw


class InviteUnavailable(AppError):
    """An invitation link that cannot be accepted, and why: unknown, revoked, expired, closed."""

    status_code = 410
    default_title = N_("This invitation cannot be used")

    def __init__(self, reason: str, invitation: "Invitation | None" = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation
        if reason == "unknown":
            self.status_code = 404


@dataclass(frozen=True)
class Invitation:
    """What the invitation page tells the person: who invites them, to what, and where."""

    invite: VolunteerInvite
    campaign: Campaign
    inviter_name: str
    points: list[DropOffPoint]


async def look_up(session: AsyncSession, raw: str) -> Invitation:
    """The invitation behind a link; InviteUnavailable says why it cannot be accepted."""
    invite = await session.scalar(
        select(VolunteerInvite).where(VolunteerInvite.token_hash == hash_token(raw or ""))
    )
    campaign = await session.get(Campaign, invite.campaign_id) if invite else None
    if invite is None or campaign is None:
        raise InviteUnavailable("unknown")
    inviter = await session.get(User, invite.created_by_id) if invite.created_by_id else None
    invitation = Invitation(
        invite=invite,
        campaign=campaign,
        inviter_name=inviter.display_name if inviter else _("The organizers"),
        points=await list_drop_off_points(session, campaign),
    )
    if invite.revoked_at is not None:
        raise InviteUnavailable("revoked", invitation)
    if invite.expires_at <= utcnow():
        raise InviteUnavailable("expired", invitation)
    if campaign.status == CampaignStatus.CLOSED:
        raise InviteUnavailable("closed", invitation)
    return invitation


async def accept_invite(session: AsyncSession, raw: str, user: User) -> Campaign:
    """Make `user` a volunteer of the invitation's campaign (nothing changes for a member)."""
    invitation = await look_up(session, raw)
    campaign = invitation.campaign
    if await role_of(session, campaign, user) is None:
        session.add(Membership(campaign_id=campaign.id, user_id=user.id, role=Role.VOLUNTEER))
        invitation.invite.accepted_count += 1
        await session.flush()
    return campaign


async def active_invites(session: AsyncSession, campaign: Campaign) -> list[VolunteerInvite]:
    rows = await session.scalars(
        select(VolunteerInvite)
        .where(
            VolunteerInvite.campaign_id == campaign.id,
            VolunteerInvite.revoked_at.is_(None),
            VolunteerInvite.expires_at > utcnow(),
        )
        .order_by(VolunteerInvite.id.desc())
    )
    return list(rows)


async def revoke_invite(session: AsyncSession, campaign: Campaign, invite_id: int) -> None:
    invite = await session.get(VolunteerInvite, invite_id)
    if invite is None or invite.campaign_id != campaign.id:
        raise NotFound(_("This invitation does not exist."))
    invite.revoked_at = utcnow()
    await session.flush()


async def team(session: AsyncSession, campaign: Campaign) -> list[Membership]:
    rows = await session.scalars(
        select(Membership).where(Membership.campaign_id == campaign.id).order_by(Membership.id)
    )
    return list(rows)
