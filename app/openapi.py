"""The OpenAPI document of /api/v1: FastAPI's, completed with what errors each operation answers.

Every refusal of the API is an RFC 9457 problem (app/errors.py); this module documents them in
one place instead of on each endpoint:

- what follows from the route itself: 401 when it reads a bearer token (an invalid or revoked
  token is refused even where none is needed), 404 when its address names a record, 422 when it
  takes parameters or a body, 400 (unreadable) and 413 (too large) when it takes a body;
- what follows from its logic, listed in EXTRA_ERRORS: 403 (not on the campaign's team), 409
  (the state of a record forbids it), 429 (rate-limited).

FastAPI's own validation errors are rendered as problems too, so its default 422 entry
(HTTPValidationError, application/json) is replaced by the Problem schema.
"""

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from app.accounts.deps import api_user, api_user_optional
from app.errors import PROBLEM_JSON

API_PREFIX = "/api/v1"
BEARER = "bearerToken"


class ProblemFieldError(BaseModel):
    field: str = Field(description="The field to fix, dotted for nested ones: lines.0.quantity")
    message: str = Field(description="What to change, in the client's language")


class Problem(BaseModel):
    """An RFC 9457 problem: every error of the API has this shape."""

    type: str = Field(description="Always about:blank: the status says what kind of error")
    title: str = Field(description="Short summary of the status, in the client's language")
    status: int = Field(ge=400, le=599, description="The HTTP status, repeated")
    detail: str = Field(description="What happened and what to do, in the client's language")
    instance: str = Field(description="The path that was requested")
    errors: list[ProblemFieldError] | None = Field(
        default=None, description="One entry per field to fix (422, sometimes 401 or 409)"
    )


class AltchaChallenge(BaseModel):
    """A proof of work (ALTCHA): the n, 0 <= n <= maxnumber, with SHA-256(salt + n) == challenge."""

    algorithm: str = Field(description="SHA-256")
    challenge: str = Field(description="The hash to reach, in lowercase hex")
    maxnumber: int = Field(description="The largest number to try")
    salt: str = Field(description="Prefix each number with it, as it is")
    signature: str = Field(description="Send it back with the solution")


class ChallengeProblem(Problem):
    """A 428: the gift start needs a solved proof of work first (card testing suspected)."""

    type: str = Field(description="urn:aidons:problem:challenge-required")
    challenge: AltchaChallenge = Field(
        description="Send the request again with the header Altcha: base64 of the JSON "
        "{algorithm, challenge, number, salt, signature}"
    )


DESCRIPTIONS = {
    400: "The body could not be read (not UTF-8, or not the declared content type)",
    401: "No bearer token where one is needed, or an invalid or revoked token "
    "(POST /api/v1/tokens gives one)",
    403: "The token's user is not on the campaign's team, or not an organizer of it",
    404: "No such campaign or record (a draft campaign exists only for its team)",
    409: "The current state forbids it (hashtag taken, campaign not open, gift already "
    "refunded, nothing left to deliver…)",
    413: "The request body or an uploaded file is too large",
    422: "The request does not fit: `errors` lists each field to fix",
    428: "A proof of work is needed first (many declined or abandoned gifts lately): solve "
    "`challenge` and send the request again with the solution in the Altcha header",
    429: "Too many attempts from this address: wait as long as Retry-After says",
}

RESPONSE_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}},
}

# Statuses an operation's logic can answer, beyond those that follow from its route.
EXTRA_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/tokens"): (401, 429),
    ("POST", "/campaigns"): (409,),
    ("PATCH", "/campaigns/{tag}"): (403, 409),
    ("PUT", "/campaigns/{tag}/cover"): (403,),
    ("POST", "/campaigns/{tag}/updates"): (403,),
    ("POST", "/campaigns/{tag}/updates/{update_id}/photos"): (403,),
    ("POST", "/campaigns/{tag}/expenses"): (403,),
    ("POST", "/campaigns/{tag}/expenses/{expense_id}/receipt"): (403,),
    ("POST", "/campaigns/{tag}/donations"): (409, 428, 429),
    ("GET", "/campaigns/{tag}/donations"): (403,),
    ("POST", "/campaigns/{tag}/donations/offline"): (403,),
    ("POST", "/donations/{donation_id}/refunds"): (403, 409),
    ("POST", "/campaigns/{tag}/needs"): (403,),
    ("POST", "/campaigns/{tag}/pledges"): (409, 429),
    ("GET", "/pledges/{code}"): (403,),
    ("POST", "/campaigns/{tag}/deliveries"): (403, 409),
    ("PATCH", "/campaigns/{tag}/needs/{need_id}"): (403,),
    ("POST", "/campaigns/{tag}/uses"): (403, 409),
}


def _calls(dependant) -> set:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _api_routes(routes, prefix: str = ""):
    """(path, APIRoute) pairs, looking inside included routers (recent FastAPI keeps them
    wrapped, with their include prefix, instead of copying their routes into the app)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _api_routes(inner.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute) and route.include_in_schema:
            yield prefix + route.path_format, route


def _bearer_use(route: APIRoute) -> str | None:
    """'required' (ApiUser), 'optional' (ApiUserOptional) or None."""
    calls = _calls(route.dependant)
    if api_user in calls:
        return "required"
    if api_user_optional in calls:
        return "optional"
    return None


def _reads_path(dependant) -> bool:
    """Whether the address names a record, read by the endpoint or by one of its dependencies
    (campaigns.access resolves the campaign from `tag`)."""
    return bool(dependant.path_params) or any(_reads_path(d) for d in dependant.dependencies)


def _error_statuses(
    path: str, route: APIRoute, method: str, operation: dict, bearer: str | None
) -> set:
    statuses = set(EXTRA_ERRORS.get((method, path.removeprefix(API_PREFIX)), ()))
    if bearer:
        statuses.add(401)
    if _reads_path(route.dependant):
        statuses.add(404)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if operation.get("requestBody"):
        statuses |= {400, 413}
    return statuses


def _problem_response(status: int) -> dict:
    schema = "ChallengeProblem" if status == 428 else "Problem"
    response = {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if status in RESPONSE_HEADERS:
        response["headers"] = RESPONSE_HEADERS[status]
    return response


def _add_schemas(document: dict) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    challenge = ChallengeProblem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(challenge.pop("$defs", {}))
    schemas["ChallengeProblem"] = challenge
    # FastAPI's validation error shapes are never sent: its errors are problems too.
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    document["components"]["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /api/v1/tokens (revocable)",
        }
    }


# What app/edge.py refuses in any text a request sends (tab, line feed and return pass).
NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"


def _refuse_control_characters(node, schemas: dict, seen: set) -> None:
    """State the edge's rule in every request schema: strings and object keys hold no control
    characters. Nested patterns are kept: the rule joins them through allOf."""
    if isinstance(node, list):
        for item in node:
            _refuse_control_characters(item, schemas, seen)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _refuse_control_characters(schemas.get(name), schemas, seen)
    if node.get("type") == "string" and node.get("format") != "binary":
        if "pattern" in node:
            node.setdefault("allOf", []).append({"pattern": NO_CONTROL_CHARACTERS})
        else:
            node["pattern"] = NO_CONTROL_CHARACTERS
    if node.get("type") == "object" or "properties" in node:
        node["propertyNames"] = {"pattern": NO_CONTROL_CHARACTERS}
    for key, value in node.items():
        if key not in ("$ref", "propertyNames"):
            _refuse_control_characters(value, schemas, seen)


def document_errors(app: FastAPI, document: dict) -> dict:
    """Add the Problem schema and each /api/v1 operation's error responses to `document`."""
    _add_schemas(document)
    seen: set[str] = set()
    for path, route in _api_routes(app.routes):
        if not path.startswith(API_PREFIX + "/"):
            continue
        path_item = document["paths"].get(path, {})
        bearer = _bearer_use(route)
        for method in route.methods:
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            inputs = [operation.get("requestBody"), operation.get("parameters")]
            _refuse_control_characters(inputs, document["components"]["schemas"], seen)
            responses = operation.setdefault("responses", {})
            for status in sorted(_error_statuses(path, route, method, operation, bearer)):
                responses[str(status)] = _problem_response(status)
            if bearer == "required":
                operation["security"] = [{BEARER: []}]
            elif bearer == "optional":
                operation["security"] = [{}, {BEARER: []}]
    return document


def install(app: FastAPI) -> None:
    """Serve the completed document at app.openapi_url (built once, then cached)."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(app, FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi
