"""Volunteer invitations: a link (its token stored hashed) that expires."""

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role, User
from app.accounts.service import hash_token
from app.campaigns.access import role_of
from app.campaigns.models import Campaign, CampaignStatus, Membership
from app.db import utcnow
from app.errors import Conflict, NotFound
from app.i18n import _
from app.inkind.models import VolunteerInvite

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


async def find_invite(session: AsyncSession, raw: str) -> VolunteerInvite:
    invite = await session.scalar(
        select(VolunteerInvite).where(VolunteerInvite.token_hash == hash_token(raw or ""))
    )
    if invite is None or invite.revoked_at is not None:
        raise NotFound(_("This invitation link is not valid. Ask the organizer for a new one."))
    if invite.expires_at <= utcnow():
        raise NotFound(_("This invitation link has expired. Ask the organizer for a new one."))
    return invite


async def accept_invite(session: AsyncSession, raw: str, user: User) -> Campaign:
    invite = await find_invite(session, raw)
    campaign = await session.get(Campaign, invite.campaign_id)
    if campaign is None or campaign.status == CampaignStatus.CLOSED:
        raise Conflict(_("This campaign is closed."))
    if await role_of(session, campaign, user) is None:
        session.add(Membership(campaign_id=campaign.id, user_id=user.id, role=Role.VOLUNTEER))
        invite.accepted_count += 1
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
