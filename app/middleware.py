"""Per-request context (request id, locale, structured access log) and security headers."""

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from http.cookies import SimpleCookie

from starlette.requests import Request

from app.config import get_settings
from app.errors import unexpected_error
from app.i18n import LOCALE_COOKIE, negotiate_locale, reset_locale, set_locale

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
access_log = logging.getLogger("aidons.access")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self' https://checkout.stripe.com; "
    "frame-ancestors 'none'"
)
EMBED_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)
# The interactive API docs load Swagger UI/ReDoc from a CDN with an inline bootstrap script.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data: https://fastapi.tiangolo.com; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; frame-ancestors 'none'"
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": request_id_var.get(),
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _header(scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _locale_for(scope) -> str:
    cookie_header = _header(scope, b"cookie")
    lang_cookie = None
    if cookie_header and LOCALE_COOKIE in cookie_header:
        cookies = SimpleCookie()
        try:
            cookies.load(cookie_header)
        except Exception:  # a malformed cookie header must not break the page
            cookies = SimpleCookie()
        morsel = cookies.get(LOCALE_COOKIE)
        lang_cookie = morsel.value if morsel else None
    return negotiate_locale(lang_cookie, _header(scope, b"accept-language"))


class RequestContextMiddleware:
    """Pure ASGI: cheaper than BaseHTTPMiddleware on every request of a viral spike."""

    def __init__(self, app) -> None:
        self.app = app
        self.https = get_settings().https

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _SAFE_REQUEST_ID.match(incoming) else None
        request_id = request_id or uuid.uuid4().hex
        id_token = request_id_var.set(request_id)
        locale_token = set_locale(_locale_for(scope))
        path = scope["path"]
        started = time.perf_counter()
        status_holder = {"status": 500}
        is_https = self.https or scope.get("scheme") == "https"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                extra = self._security_headers(path, is_https)
                extra[b"x-request-id"] = request_id.encode()
                headers.extend((k, v) for k, v in extra.items() if k not in present)
                message["headers"] = headers
            await send(message)

        try:
            try:
                await self.app(scope, receive, send_with_headers)
            except Exception as exc:
                if status_holder.get("started"):
                    raise
                # Answer here, not in Starlette's outermost handler: this way the 500 page
                # speaks the visitor's language and carries the request id and headers.
                response = await unexpected_error(Request(scope), exc)
                await response(scope, receive, send_with_headers)
        finally:
            access_log.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": path,
                        "status": status_holder["status"],
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )
            reset_locale(locale_token)
            request_id_var.reset(id_token)

    @staticmethod
    def _security_headers(path: str, https: bool) -> dict[bytes, bytes]:
        if path in {"/docs", "/redoc"}:
            csp = DOCS_CSP
        elif path.startswith("/h/") and path.endswith("/embed"):
            csp = EMBED_CSP  # the widget is made to be framed by partner sites
        else:
            csp = STRICT_CSP
        headers = {
            b"content-security-policy": csp.encode(),
            b"x-content-type-options": b"nosniff",
            b"referrer-policy": b"strict-origin-when-cross-origin",
            b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
        }
        if csp != EMBED_CSP:
            headers[b"x-frame-options"] = b"DENY"
        if https:
            headers[b"strict-transport-security"] = b"max-age=63072000; includeSubDomains"
        return headers
