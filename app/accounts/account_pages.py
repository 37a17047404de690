"""The account page (name, email, password, signed-in devices, API tokens) and its JSON API."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.accounts import devices, links, recovery, service, verification
from app.accounts.deps import (
    SESSION_COOKIE,
    ApiUser,
    CurrentUser,
    clear_session_cookie,
)
from app.db import PathId, SessionDep, WriteSessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.web import redirect, render, templates, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(tags=["accounts"])

PRIVATE = {"Cache-Control": "private, no-store"}


def needs_email_confirmation(user) -> bool:
    """Whether to remind this person to confirm their address (only if a link can be sent)."""
    return user is not None and not user.email_verified and verification.mail_enabled()


templates.env.globals["needs_email_confirmation"] = needs_email_confirmation


async def _context(session, request: Request, user, **extra) -> dict:
    current_id = await devices.session_id_for(session, request.cookies.get(SESSION_COOKIE))
    return {
        "account": user,
        "mail_enabled": verification.mail_enabled(),
        "pending_email": await links.pending_email_change(session, user),
        "sessions": await devices.active_sessions(session, user, current_id),
        "tokens": await devices.active_tokens(session, user),
        "values": {"display_name": user.display_name},
        "errors": {},
        "new_token": None,
        **extra,
    }


async def _page(session, request, user, status_code: int = 200, **extra) -> Response:
    context = await _context(session, request, user, **extra)
    return render(request, "accounts/account.html", context, status_code, headers=PRIVATE)


@pages.get("/account")
async def account(request: Request, session: SessionDep, user: CurrentUser):
    return await _page(session, request, user)


@pages.post("/account/name")
async def change_name(
    request: Request,
    session: WriteSessionDep,
    user: CurrentUser,
    display_name: Annotated[str, Form()] = "",
):
    try:
        await devices.change_name(session, user, display_name)
    except ValidationFailed as exc:
        values = {"display_name": display_name}
        return await _page(session, request, user, 422, values=values, errors=exc.by_field())
    return redirect("/account", _("Your name is saved."))


@pages.post("/account/email")
async def change_email(
    request: Request,
    session: WriteSessionDep,
    user: CurrentUser,
    email: Annotated[str, Form()] = "",
    current_password: Annotated[str, Form()] = "",
):
    try:
        new_email = await verification.request_email_change(session, user, email, current_password)
    except ValidationFailed as exc:
        values = {"display_name": user.display_name, "email": email}
        errors = {f"email_{name}" if name == "current_password" else name: message
                  for name, message in exc.by_field().items()}  # fmt: skip
        return await _page(session, request, user, 422, values=values, errors=errors)
    return redirect(
        "/account",
        _(
            "We sent a link to %(email)s. Your address changes when you follow it.",
            email=new_email,
        ),
    )


@pages.post("/account/password")
async def change_password(
    request: Request,
    session: WriteSessionDep,
    user: CurrentUser,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
):
    current_id = await devices.session_id_for(session, request.cookies.get(SESSION_COOKIE))
    try:
        await devices.change_password(session, user, current_password, new_password, current_id)
    except ValidationFailed as exc:
        return await _page(session, request, user, 422, errors=exc.by_field())
    return redirect("/account", _("Your password is changed. Your other devices were signed out."))


@pages.post("/account/sessions/{session_id}/revoke")
async def revoke_session(
    request: Request, session_id: PathId, session: WriteSessionDep, user: CurrentUser
):
    await devices.revoke_session(session, user, session_id)
    current_id = await devices.session_id_for(session, request.cookies.get(SESSION_COOKIE))
    if session_id == current_id:
        response = redirect("/", _("You are logged out."))
        clear_session_cookie(response)
        return response
    return redirect("/account", _("That device is signed out."))


@pages.post("/account/sessions/revoke-others")
async def revoke_other_sessions(request: Request, session: WriteSessionDep, user: CurrentUser):
    current_id = await devices.session_id_for(session, request.cookies.get(SESSION_COOKIE))
    ended = await recovery.end_all_sessions(session, user, keep_id=current_id)
    if not ended:
        return redirect("/account", _("No other device was signed in."))
    return redirect("/account", _("Every other device is signed out."))


@pages.post("/account/tokens")
async def create_token(
    request: Request,
    session: WriteSessionDep,
    user: CurrentUser,
    token_name: Annotated[str, Form()] = "",
):
    if len(token_name) > 100:
        errors = {"token_name": _("Must be at most %(n)s characters.", n=100)}
        return await _page(session, request, user, 422, errors=errors)
    raw = await service.create_api_token(session, user, token_name)
    return await _page(session, request, user, 201, new_token=raw)


@pages.post("/account/tokens/{token_id}/revoke")
async def revoke_token(token_id: PathId, session: WriteSessionDep, user: CurrentUser):
    await devices.revoke_token(session, user, token_id)
    return redirect("/account", _("The API token is revoked: it no longer works."))


# --- JSON API ------------------------------------------------------------------------------


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


@api.get("/tokens", response_model=list[TokenOut])
async def list_tokens(user: ApiUser, session: SessionDep):
    """The account's API tokens that still work (never their secret: only its first characters)."""
    return [
        TokenOut(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
        )
        for token in await devices.active_tokens(session, user)
    ]


@api.delete("/tokens/{token_id}", status_code=204)
async def delete_token(token_id: PathId, user: ApiUser, session: WriteSessionDep):
    """Revoke one of the account's API tokens (the one in use included)."""
    await devices.revoke_token(session, user, token_id)
    return Response(status_code=204)
