"""The volunteer invitation link: who invites you to what, then sign in or sign up to accept."""

from fastapi import APIRouter, Depends, Request

from app.accounts.deps import CurrentUser, OptionalUser
from app.campaigns.access import role_of
from app.db import SessionDep, WriteSessionDep
from app.i18n import _
from app.inkind import volunteers
from app.inkind.views import team_base
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# The link is a credential: never kept by a shared cache.
PRIVATE = {"Cache-Control": "private, no-store"}


def unavailable(request: Request, exc: volunteers.InviteUnavailable):
    context = {"reason": exc.reason, "invitation": exc.invitation}
    return render(
        request, "inkind/invite_unavailable.html", context, exc.status_code, headers=PRIVATE
    )


@pages.get("/invite/{token}")
async def invite_page(token: str, request: Request, session: SessionDep, user: OptionalUser):
    try:
        invitation = await volunteers.look_up(session, token)
    except volunteers.InviteUnavailable as exc:
        return unavailable(request, exc)
    campaign = invitation.campaign
    context = {
        "invitation": invitation,
        "token": token,
        "already_member": await role_of(session, campaign, user) is not None,
        "desk_url": f"{team_base(campaign)}/desk",
    }
    return render(request, "inkind/invite.html", context, headers=PRIVATE)


@pages.post("/invite/{token}")
async def accept_invite(token: str, request: Request, session: WriteSessionDep, user: CurrentUser):
    try:
        campaign = await volunteers.accept_invite(session, token, user)
    except volunteers.InviteUnavailable as exc:
        return unavailable(request, exc)
    return redirect(
        f"{team_base(campaign)}/desk", _("Welcome to the team of #%(tag)s!", tag=campaign.hashtag)
    )
