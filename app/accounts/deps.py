"""Who is asking: the signed-in browser (cookie) or the API client (bearer token)."""

from typing import Annotated

from fastapi import Depends, Request, Response

from app.accounts import service
from app.accounts.models import User
from app.config import get_settings
from app.db import SessionDep
from app.errors import AppError, Unauthorized
from app.i18n import N_, _

SESSION_COOKIE = "aidons_session"


class LoginRequired(AppError):
    """Raised by pages that need a signed-in user; rendered as a redirect to the login page."""

    status_code = 401
    default_title = N_("Authentication required")


async def optional_user(request: Request, session: SessionDep) -> User | None:
    raw = request.cookies.get(SESSION_COOKIE)
    user = await service.user_for_session(session, raw) if raw else None
    request.state.user = user
    return user


async def require_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise LoginRequired(_("Please log in to continue."))
    return user


def _bearer(request: Request) -> str | None:
    scheme, _sep, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def api_user_optional(request: Request, session: SessionDep) -> User | None:
    raw = _bearer(request)
    if raw is None:
        return None
    user = await service.user_for_api_token(session, raw)
    if user is None:
        raise Unauthorized(
            _("This API token is invalid or was revoked."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


async def api_user(user: Annotated[User | None, Depends(api_user_optional)]) -> User:
    if user is None:
        raise Unauthorized(
            _("Send an API token: Authorization: Bearer <token> (POST /api/v1/tokens)."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def set_session_cookie(response: Response, raw: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=int(service.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=get_settings().https,
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=get_settings().https
    )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(require_user)]
ApiUser = Annotated[User, Depends(api_user)]
ApiUserOptional = Annotated[User | None, Depends(api_user_optional)]
