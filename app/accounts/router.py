"""Sign up, log in and out (pages), and API tokens."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from app import ratelimit
from app.accounts import service
from app.accounts.deps import SESSION_COOKIE, ApiUser, OptionalUser, client_ip
from app.accounts.service import SESSION_LIFETIME
from app.config import get_settings
from app.db import WriteSessionDep
from app.errors import FieldError, TooManyRequests, ValidationFailed, problem_response
from app.i18n import _
from app.inputs import Input
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["accounts"])

LOGIN_LIMIT_PER_IP = (30, 600)
LOGIN_LIMIT_PER_EMAIL = (10, 900)
SIGNUP_LIMIT_PER_IP = (10, 3600)


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a person to another site after login."""
    if not target:
        return "/dashboard"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/dashboard"
    return target


def _set_session_cookie(response: Response, raw: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=get_settings().https,
    )


def _login_limits(request: Request, email: str) -> list[tuple[str, int, int]]:
    return [
        (f"login:ip:{client_ip(request)}", *LOGIN_LIMIT_PER_IP),
        (f"login:email:{email.strip().lower()[:200]}", *LOGIN_LIMIT_PER_EMAIL),
    ]


async def _login_blocked(session, request: Request, email: str) -> bool:
    """Too many failed attempts lately, from this address or for this account."""
    for key, limit, window in _login_limits(request, email):
        if await ratelimit.count(session, key, window) >= limit:
            return True
    return False


async def _count_failed_login(session, request: Request, email: str) -> None:
    # Only failures count: a team sharing one account logs in as often as it needs.
    for key, limit, window in _login_limits(request, email):
        await ratelimit.hit(session, key, limit, window)


@pages.get("/signup")
async def signup_form(request: Request, user: OptionalUser, next: str | None = None):
    if user:
        return redirect(safe_next(next))
    context = {"values": {}, "errors": {}, "next": safe_next(next)}
    return render(request, "accounts/signup.html", context)


@pages.post("/signup")
async def signup(
    request: Request,
    session: WriteSessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
):
    values = {"email": email, "display_name": display_name}
    if not await ratelimit.hit(session, f"signup:ip:{client_ip(request)}", *SIGNUP_LIMIT_PER_IP):
        errors = {"form": _("Too many attempts. Please wait a few minutes and try again.")}
        context = {"values": values, "errors": errors, "next": safe_next(next)}
        return render(request, "accounts/signup.html", context, 429)
    try:
        user = await service.sign_up(session, email, password, display_name)
    except ValidationFailed as exc:
        context = {"values": values, "errors": exc.by_field(), "next": safe_next(next)}
        return render(request, "accounts/signup.html", context, status_code=422)
    raw = await service.start_session(session, user, request.headers.get("user-agent", ""))
    # Someone invited to a team comes back to the invitation; others start a campaign.
    target = safe_next(next)
    message = (
        _("Welcome to Aidons!") if next else _("Welcome to Aidons! Create your first campaign.")
    )
    response = redirect(target, message)
    _set_session_cookie(response, raw)
    return response


@pages.get("/login")
async def login_form(request: Request, user: OptionalUser, next: str | None = None):
    if user:
        return redirect(safe_next(next))
    return render(request, "accounts/login.html", {"values": {}, "next": safe_next(next)})


@pages.post("/login")
async def login(
    request: Request,
    session: WriteSessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
):
    context = {"values": {"email": email}, "next": safe_next(next)}
    if await _login_blocked(session, request, email):
        context["error"] = _("Too many attempts. Please wait a few minutes and try again.")
        return render(request, "accounts/login.html", context, status_code=429)
    user = await service.authenticate(session, email, password)
    if user is None:
        await _count_failed_login(session, request, email)
        context["error"] = _("Email or password is incorrect.")
        return render(request, "accounts/login.html", context, status_code=400)
    raw = await service.start_session(session, user, request.headers.get("user-agent", ""))
    response = redirect(safe_next(next))
    _set_session_cookie(response, raw)
    return response


@pages.post("/logout")
async def logout(request: Request, session: WriteSessionDep):
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        await service.end_session(session, raw)
    response = redirect("/", _("You are logged out."))
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=get_settings().https
    )
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
    if await _login_blocked(session, request, body.email):
        raise TooManyRequests(retry_after=600)
    user = await service.authenticate(session, body.email, body.password)
    if user is None:
        await _count_failed_login(session, request, body.email)
        return problem_response(
            request,
            401,
            _("Authentication required"),
            _("Email or password is incorrect."),
            field_errors=[FieldError("password", _("Email or password is incorrect."))],
        )
    raw = await service.create_api_token(session, user, body.name)
    return JSONResponse({"token": raw, "token_type": "bearer"}, status_code=201)


@api.delete("/tokens/current", status_code=204)
async def revoke_current_token(request: Request, user: ApiUser, session: WriteSessionDep):
    """Revoke the token that authenticates this request."""
    raw = request.headers["authorization"].partition(" ")[2].strip()
    await service.revoke_api_token(session, raw)
    return Response(status_code=204)
