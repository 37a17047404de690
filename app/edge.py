"""Hostile input stops at the edge: control characters and oversized bodies get a 4xx before
any handler, query or parser sees them.

- EdgeMiddleware (pure ASGI) looks at what arrives before the body: a path with a control
  character names nothing (404); a query string with one is a field error (422); a body whose
  Content-Length exceeds the limit for its type is refused (413) without reading a byte, and a
  body sent without Content-Length is counted as it streams in (413 once past the limit).
- check_body_text, an application-wide dependency, looks at form fields (urlencoded and
  multipart text parts) and JSON strings once the body has been read: 422 with the field.

Tab, newline and carriage return are ordinary text in values; the services turn single-line
fields into one line. Everything else below U+0020, DEL, and (in JSON) lone surrogates are
refused: PostgreSQL cannot store NUL, nor a string that is not valid UTF-8.
"""

import json
import re
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.exceptions import HTTPException

from app.config import get_settings
from app.errors import FieldError, ValidationFailed, problem_response, wants_json
from app.i18n import _
from app.web import render_error

MAX_FORM_BYTES = 1024 * 1024  # JSON and urlencoded forms: far more than any form we show
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Cheap pre-checks on raw bytes: only a body that may hold a control character is decoded.
_QUERY_SUSPECT = re.compile(rb"%[01][0-9a-fA-F]|%7[fF]|[\x00-\x1f\x7f]")
_JSON_SUSPECT = re.compile(
    rb"\\(?:u00[01][0-9a-fA-F]|u007[fF]|u[dD][89a-fA-F][0-9a-fA-F]{2}|[bf])|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def has_control_characters(text: str) -> bool:
    """True when text holds a character no field accepts (tab, CR and LF are text)."""
    return _TEXT_CONTROL.search(text) is not None


def _printable(name: str) -> str:
    return _PATH_CONTROL.sub("\ufffd", _TEXT_CONTROL.sub("\ufffd", name))


def _field_error(field: str) -> FieldError:
    return FieldError(_printable(field) or "body", _("Contains a control character (such as NUL)."))


def _refusal(errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed(
        errors, _("Some fields contain control characters. Remove them and try again.")
    )


class RequestTooLarge(HTTPException):
    """Raised while reading a body past its limit (an HTTPException, so that FastAPI's body
    parsing lets it through and the error handler renders it)."""

    def __init__(self, limit: int) -> None:
        megabytes = max(limit // (1024 * 1024), 1)
        super().__init__(413, _("The request is too large (at most %(mb)s MB).", mb=megabytes))


def _header(scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def body_limit(content_type: bytes | None) -> int:
    """Bytes a request body may have: uploads get the configured limit (plus room for the
    form's other fields), everything else MAX_FORM_BYTES."""
    media = (content_type or b"").split(b";", 1)[0].strip().lower()
    if media == b"multipart/form-data":
        return get_settings().max_upload_bytes + MAX_FORM_BYTES
    return MAX_FORM_BYTES


def _query_errors(query_string: bytes) -> list[FieldError]:
    if not _QUERY_SUSPECT.search(query_string):
        return []
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, errors="replace")
    return [
        _field_error(key)
        for key, value in pairs
        if has_control_characters(key) or has_control_characters(value)
    ]


async def _respond(scope, receive, send, status: int, title: str, detail: str, errors=None):
    """The same answers as the application's error handlers: problem+json or the error page."""
    request = Request(scope, receive)
    if wants_json(request):
        response = problem_response(request, status, title, detail, field_errors=errors)
    else:
        response = render_error(request, status, title, detail)
    await response(scope, receive, send)


class EdgeMiddleware:
    """Pure ASGI, inside RequestContextMiddleware (locale, request id, security headers)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if _PATH_CONTROL.search(scope["path"]):
            title, detail = _("Not found"), _("There is nothing at this address.")
            return await _respond(scope, receive, send, 404, title, detail)
        if errors := _query_errors(scope.get("query_string", b"")):
            refusal = _refusal(errors)
            return await _respond(scope, receive, send, 422, refusal.title, refusal.message, errors)
        if scope["method"] in SAFE_METHODS:
            return await self.app(scope, receive, send)

        limit = body_limit(_header(scope, b"content-type"))
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            detail = RequestTooLarge(limit).detail  # refused before reading a byte
            return await _respond(scope, receive, send, 413, _("Request too large"), detail)

        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestTooLarge(limit)
            return message

        async def watching_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except RequestTooLarge as exc:
            # Normally the error handler answers; this is for a body read outside a handler.
            if started:
                raise
            await _respond(scope, receive, send, 413, _("Request too large"), exc.detail)


async def check_body_text(request: Request) -> None:
    """Application dependency: refuse control characters in form fields and JSON strings."""
    if request.method in SAFE_METHODS or request.url.path.startswith("/webhooks/"):
        return  # a provider's signed event is taken as sent; it is checked by its handler
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media in _FORM_TYPES:
        form = await request.form()  # parsed once: the endpoint gets the same form
        errors = [
            _field_error(key)
            for key, value in form.multi_items()
            if has_control_characters(key)
            or (isinstance(value, str) and has_control_characters(value))
        ]
    elif media == "application/json" or media.endswith("+json"):
        raw = await request.body()
        if not _JSON_SUSPECT.search(raw):
            return
        try:
            document = json.loads(raw)
        except (ValueError, RecursionError):
            return  # malformed JSON is the endpoint's 422 (or 400) to give
        errors = _json_errors(document)
    else:
        return
    if errors:
        raise _refusal(errors)


def _json_errors(document) -> list[FieldError]:
    """Walk a JSON document without recursion (it may be nested as deep as the parser allows)."""
    errors, stack = [], [((), document)]
    while stack:
        location, value = stack.pop()
        if isinstance(value, str):
            if has_control_characters(value):
                errors.append(_field_error(".".join(location)))
        elif isinstance(value, dict):
            for key, item in value.items():
                if has_control_characters(key):
                    errors.append(_field_error(".".join((*location, key))))
                else:
                    stack.append(((*location, key), item))
        elif isinstance(value, list):
            stack.extend(((*location, str(index)), item) for index, item in enumerate(value))
    errors.reverse()
    return errors
