"""Sign up, log in and out (pages, which may carry a volunteer invitation), and API tokens."""

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from app import ratelimit
from app.accounts import account_pages, recovery_pages, service, throttle, verification
from app.accounts.deps import (
    SESSION_COOKIE,
    ApiUser,
    OptionalUser,
    clear_session_cookie,
    client_ip,
    set_session_cookie,
)
from app.db import SessionDep, WriteSessionDep
from app.errors import FieldError, TooManyRequests, ValidationFailed, problem_response
from app.i18n import _
from app.inkind import volunteers
from app.inkind.views import team_base
from app.inputs import Input
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["accounts"])

SIGNUP_LIMIT_PER_IP = (10, 3600)


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a person to another site after login."""
    if not target:
        return "/dashboard"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/dashboard"
    return target


async def _invitation(session, invite: str | None) -> volunteers.Invitation | None:
    """The volunteer invitation a person is signing in or up to accept, if it still stands."""
    if not invite:
        return None
    try:
        return await volunteers.look_up(session, invite)
    except volunteers.InviteUnavailable:
        return None


async def _signed_in(
    request: Request, session, user, next: str, invite: str, welcome: str | None = None
) -> Response:
    """Open a session for this browser, accept the invitation it came with, and go on."""
    raw = await service.start_session(session, user, request.headers.get("user-agent", ""))
    if invite:
        try:
            campaign = await volunteers.accept_invite(session, invite, user)
        except volunteers.InviteUnavailable:
            # The link died while they signed in: its page says why.
            response = redirect(f"/invite/{quote(invite)}")
        else:
            response = redirect(
                f"{team_base(campaign)}/desk",
                _("Welcome to the team of #%(tag)s!", tag=campaign.hashtag),
            )
    else:
        response = redirect(safe_next(next), welcome)
    set_session_cookie(response, raw)
    return response


def _auth_context(values: dict, next: str | None, invite: str | None, invitation) -> dict:
    return {
        "values": values,
        "next": safe_next(next),
        "invite": invite if invitation else "",
        "invitation": invitation,
    }


@pages.get("/signup")
async def signup_form(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    next: str | None = None,
    invite: str | None = None,
):
    if user:
        return redirect(f"/invite/{quote(invite)}" if invite else safe_next(next))
    invitation = await _invitation(session, invite)
    if invite and invitation is None:
        return redirect(f"/invite/{quote(invite)}")
    context = {**_auth_context({}, next, invite, invitation), "errors": {}}
    return render(request, "accounts/signup.html", context)


@pages.post("/signup")
async def signup(
    request: Request,
    session: WriteSessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
    invite: Annotated[str, Form()] = "",
):
    values = {"email": email, "display_name": display_name}
    context = _auth_context(values, next, invite, await _invitation(session, invite))
    if not await ratelimit.hit(session, f"signup:ip:{client_ip(request)}", *SIGNUP_LIMIT_PER_IP):
        context["errors"] = {
            "form": _("Too many attempts. Please wait a few minutes and try again.")
        }
        return render(request, "accounts/signup.html", context, 429)
    try:
        user = await service.sign_up(session, email, password, display_name)
    except ValidationFailed as exc:
        context["errors"] = exc.by_field()
        return render(request, "accounts/signup.html", context, status_code=422)
    await verification.send_link(session, user)
    # Someone invited to a team comes back to the invitation; others start a campaign.
    welcome = (
        _("Welcome to Aidons!") if next else _("Welcome to Aidons! Create your first campaign.")
    )
    return await _signed_in(request, session, user, next, invite, welcome)


@pages.get("/login")
async def login_form(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    next: str | None = None,
    invite: str | None = None,
):
    if user:
        return redirect(f"/invite/{quote(invite)}" if invite else safe_next(next))
    invitation = await _invitation(session, invite)
    if invite and invitation is None:
        return redirect(f"/invite/{quote(invite)}")
    return render(request, "accounts/login.html", _auth_context({}, next, invite, invitation))


@pages.post("/login")
async def login(
    request: Request,
    session: WriteSessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
    invite: Annotated[str, Form()] = "",
):
    context = _auth_context({"email": email}, next, invite, await _invitation(session, invite))
    client = client_ip(request)
    if wait := await throttle.seconds_to_wait(session, email, client):
        context["error"] = throttle.wait_message(wait)
        headers = {"Retry-After": str(wait)}
        return render(request, "accounts/login.html", context, 429, headers=headers)
    user = await service.authenticate(session, email, password)
    if user is None:
        await throttle.record_failure(session, email, client)
        context["error"] = _("Email or password is incorrect.")
        return render(request, "accounts/login.html", context, status_code=400)
    await throttle.record_success(session, email, client)
    return await _signed_in(request, session, user, next, invite)


@pages.post("/logout")
async def logout(request: Request, session: WriteSessionDep):
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        await service.end_session(session, raw)
    response = redirect("/", _("You are logged out."))
    clear_session_cookie(response)
    return response


class TokenRequest(Input):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    name: str = Field(default="", max_length=100)


class TokenResponse(BaseModel):
    token: str
    token_type: str = "bearer"


@api.post("/tokens", status_code=201, response_model=TokenResponse)
async def create_token(body: TokenRequest, request: Request, session: WriteSessionDep):
    """Exchange an email and password for a bearer token (stored hashed; revocable)."""
    client = client_ip(request)
    if wait := await throttle.seconds_to_wait(session, body.email, client):
        raise TooManyRequests(throttle.wait_message(wait), retry_after=wait)
    user = await service.authenticate(session, body.email, body.password)
    if user is None:
        await throttle.record_failure(session, body.email, client)
        return problem_response(
            request,
            401,
            _("Authentication required"),
            _("Email or password is incorrect."),
            field_errors=[FieldError("password", _("Email or password is incorrect."))],
        )
    await throttle.record_success(session, body.email, client)
    raw = await service.create_api_token(session, user, body.name)
    return JSONResponse({"token": raw, "token_type": "bearer"}, status_code=201)


@api.delete("/tokens/current", status_code=204)
async def revoke_current_token(request: Request, user: ApiUser, session: WriteSessionDep):
    """Revoke the token that authenticates this request."""
    raw = request.headers["authorization"].partition(" ")[2].strip()
    await service.revoke_api_token(session, raw)
    return Response(status_code=204)


# The account's other pages: recovery and verification links, the account page and its API.
pages.include_router(recovery_pages.pages)
pages.include_router(account_pages.pages)
api.include_router(account_pages.api)
