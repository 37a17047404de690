"""Templating, CSRF tokens, flash messages and cache headers for server-rendered pages."""

import base64
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.config import get_settings
from app.errors import Forbidden
from app.formatting import format_datetime, format_day, format_money, format_number
from app.i18n import LOCALE_NAMES, LOCALES, _, get_locale, raw_gettext, raw_ngettext
from app.labels import status_label

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"

CSRF_COOKIE = "aidons_csrf"
CSRF_FIELD = "csrf_token"
FLASH_COOKIE = "aidons_flash"

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
)
templates.env.install_gettext_callables(raw_gettext, raw_ngettext, newstyle=True)
templates.env.globals.update(LOCALES=LOCALES, LOCALE_NAMES=LOCALE_NAMES, get_locale=get_locale)


def _static_versions() -> dict[str, str]:
    versions = {}
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            versions[str(path.relative_to(STATIC_DIR))] = digest
    return versions


_STATIC_VERSIONS = _static_versions()


def static_url(path: str) -> str:
    """A cache-busting URL: the file's hash changes the query string when the file changes."""
    return f"/static/{path}?v={_STATIC_VERSIONS.get(path, '0')}"


templates.env.globals["static_url"] = static_url
templates.env.filters.update(money=format_money, day=format_day, number=format_number)
# A moment in the campaign's time zone: {{ gift.created_at | datetime(campaign.time_zone) }}.
templates.env.filters["datetime"] = format_datetime
# Status labels from app/labels.py: status_label("pledge", s) or s | status_label("pledge").
templates.env.globals["status_label"] = status_label
templates.env.filters["status_label"] = lambda status, kind: status_label(kind, status)


# --- CSRF: a random cookie, and a form token that is the cookie's HMAC -----------------


def _sign(value: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The hidden-field token for this visitor; issues the cookie on first use."""
    cookie = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not cookie:
        cookie = secrets.token_urlsafe(32)
        request.state.new_csrf = cookie
    return _sign(cookie)


def csrf_input(request: Request) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, csrf_token(request)
    )


async def verify_csrf(request: Request) -> None:
    """Router dependency: every state-changing form post must carry a valid token."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    form = await request.form()
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = str(form.get(CSRF_FIELD, ""))
    if not cookie or not hmac.compare_digest(sent, _sign(cookie)):
        raise Forbidden(_("This form has expired. Please reload the page and try again."))


# --- Flash messages: one signed cookie, shown once on the next page ---------------------


def flash(response: Response, message: str, kind: str = "success") -> Response:
    payload = base64.urlsafe_b64encode(json.dumps([kind, message]).encode()).decode()
    # Secure over https: a flash may carry a pledge code, which lets its holder cancel it.
    response.set_cookie(
        FLASH_COOKIE,
        f"{payload}.{_sign(payload)}",
        httponly=True,
        samesite="lax",
        max_age=120,
        secure=get_settings().https,
    )
    return response


def _read_flash(request: Request) -> dict | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(payload)):
        return None
    try:
        kind, message = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, TypeError):
        return None
    return {"kind": kind, "message": message}


def redirect(url: str, message: str | None = None, kind: str = "success") -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, message, kind)
    return response


# --- Rendering ------------------------------------------------------------------------


def render(
    request: Request,
    name: str,
    context: dict | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    flash_message = _read_flash(request)
    settings = get_settings()
    full_context = {
        "user": getattr(request.state, "user", None),
        "locale": get_locale(),
        "flash": flash_message,
        "csrf_input": lambda: csrf_input(request),
        "base_url": settings.base_url,
        "current_path": request.url.path,
        # Set by campaigns/access.py on team pages: base.html shows the campaign's navigation.
        "team_access": getattr(request.state, "team_access", None),
        **(context or {}),
    }
    response = templates.TemplateResponse(
        request, name, full_context, status_code=status_code, headers=headers
    )
    new_csrf = getattr(request.state, "new_csrf", None)
    if new_csrf:
        response.set_cookie(
            CSRF_COOKIE, new_csrf, httponly=True, samesite="lax", secure=settings.https
        )
    if flash_message:
        response.delete_cookie(FLASH_COOKIE, httponly=True, samesite="lax", secure=settings.https)
    if new_csrf or flash_message or full_context["user"] is not None:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def render_error(
    request: Request, status: int, title: str, detail: str, headers: dict | None = None
) -> Response:
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail},
        status_code=status,
        headers=headers,
    )


def public_cache(response: Response, seconds: int | None = None) -> Response:
    """Let a CDN or nginx serve this anonymous page for a few seconds during a spike."""
    if "Cache-Control" in response.headers:
        return response  # a private page (signed-in user, form cookie) stays private
    seconds = get_settings().public_cache_seconds if seconds is None else seconds
    response.headers["Cache-Control"] = (
        f"public, max-age={seconds}, s-maxage={seconds}, stale-while-revalidate={seconds * 6}"
    )
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def _ascii_part(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-_")


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition value for any filename (RFC 6266): an ASCII fallback for old
    clients, and the real name in UTF-8 (RFC 8187). Header values must be Latin-1: a hashtag
    such as #Palīdzēsim or #помощь put in raw would fail to encode (a 500)."""
    stem, _dot, extension = filename.rpartition(".") if "." in filename else (filename, "", "")
    fallback = _ascii_part(stem) or "download"
    if extension := _ascii_part(extension):
        fallback += f".{extension}"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
