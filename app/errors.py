"""Errors that carry their HTTP status; one handler renders a page or problem+json."""

import logging
from dataclasses import dataclass

from babel.numbers import format_decimal
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.i18n import N_, _, get_locale

log = logging.getLogger("aidons.errors")

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class AppError(Exception):
    status_code = 400
    default_title = N_("Bad request")

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or _(self.default_title)
        self.field_errors = field_errors or []
        self.headers = headers or {}
        super().__init__(self.message)

    @property
    def title(self) -> str:
        return _(self.default_title)


class NotFound(AppError):
    status_code = 404
    default_title = N_("Not found")


class Unauthorized(AppError):
    status_code = 401
    default_title = N_("Authentication required")


class Forbidden(AppError):
    status_code = 403
    default_title = N_("Forbidden")


class Conflict(AppError):
    status_code = 409
    default_title = N_("Conflict")


class ValidationFailed(AppError):
    status_code = 422
    default_title = N_("Some fields need fixing")

    def __init__(self, field_errors: list[FieldError], message: str | None = None) -> None:
        super().__init__(message or _("Some fields need fixing."), field_errors=field_errors)

    def by_field(self) -> dict[str, str]:
        return {error.field: error.message for error in self.field_errors}


class TooManyRequests(AppError):
    status_code = 429
    default_title = N_("Too many requests")

    def __init__(self, message: str | None = None, retry_after: int = 60) -> None:
        super().__init__(
            message or _("Too many attempts. Please wait a few minutes and try again."),
            headers={"Retry-After": str(retry_after)},
        )


def wants_json(request: Request) -> bool:
    if request.url.path.startswith(("/api/", "/webhooks/")):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    field_errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if field_errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in field_errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _number(value):
    """Limits read like the rest of the page: 1,000,000 in English, 1 000 000 in French."""
    return format_decimal(value, locale=get_locale()) if isinstance(value, int) else value


def _pydantic_message(error: dict) -> str:
    """Translate pydantic's error types into sentences a person can act on."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("This field is required.")
    if kind == "string_too_short":
        return _("Must be at least %(n)s characters.", n=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("Must be at most %(n)s characters.", n=ctx.get("max_length"))
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Must be a whole number.")
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Must be at least %(n)s.", n=_number(limit))
    if kind in {"less_than_equal", "less_than"}:
        return _("Must be at most %(n)s.", n=_number(ctx.get("le", ctx.get("lt"))))
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return _("Must be a date (YYYY-MM-DD).")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in {"json_invalid", "model_attributes_type", "dict_type"}:
        return _("The request body must be a JSON object.")
    if kind in {"literal_error", "enum"}:
        return _("Must be one of: %(choices)s.", choices=ctx.get("expected", ""))
    if kind == "value_error.email" or "email" in kind:
        return _("Enter a valid email address.")
    return _("Invalid value.")


def field_errors_from_pydantic(errors: list[dict], skip: tuple[str, ...] = ("body",)) -> list:
    result = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if str(part) not in skip]
        result.append(FieldError(".".join(location) or "body", _pydantic_message(error)))
    return result


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """The 500 answer. RequestContextMiddleware calls it inside the request's context (locale,
    request id, security headers); Starlette's outermost handler is only the last resort."""
    from app.web import render_error

    log.exception("unhandled error on %s %s", request.method, request.url.path)
    title = _("Something went wrong")
    detail = _("Something went wrong on our side. Nothing was saved; please try again.")
    if wants_json(request):
        return problem_response(request, 500, title, detail)
    return render_error(request, 500, title, detail)


def install_error_handlers(app: FastAPI) -> None:
    from app.web import render_error  # web depends on errors; import here avoids a cycle

    def respond(request: Request, status: int, title: str, detail: str, **kwargs) -> Response:
        if wants_json(request):
            return problem_response(request, status, title, detail, **kwargs)
        return render_error(request, status, title, detail, headers=kwargs.get("headers"))

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return respond(
            request,
            exc.status_code,
            exc.title,
            exc.message,
            field_errors=exc.field_errors,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        bad_address = any(error.get("loc", ("",))[0] == "path" for error in exc.errors())
        if bad_address and not wants_json(request):
            # A page address with a malformed id points to nothing: say so plainly.
            return respond(request, 404, _("Not found"), _("There is nothing at this address."))
        errors = field_errors_from_pydantic(list(exc.errors()), skip=("body", "query", "path"))
        return respond(
            request,
            422,
            _("Some fields need fixing"),
            _("Some fields need fixing."),
            field_errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {
            # Starlette's "There was an error parsing the body": a body that is not UTF-8.
            400: (_("Bad request"), _("The request body could not be read.")),
            404: (_("Not found"), _("There is nothing at this address.")),
            405: (_("Method not allowed"), _("This address does not accept that method.")),
            413: (_("Request too large"), str(exc.detail)),
        }
        title, detail = titles.get(exc.status_code, (_("Error"), str(exc.detail)))
        return respond(request, exc.status_code, title, detail, headers=exc.headers)

    app.add_exception_handler(Exception, unexpected_error)
