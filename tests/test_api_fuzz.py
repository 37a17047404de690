"""A property-based run over the JSON API (schemathesis): the server does what the OpenAPI
document says.

For each /api/v1 operation, schemathesis generates requests from the published document, data
that fits it and (where there is any) data that does not, and checks every response: never a
5xx, a documented status code and content type, a body that matches the documented schema,
and a request that fits the document never refused as malformed (400, 413, or a 422 naming a
field whose rule the document does not state).

The requests go through the test's app and session (one rolled-back transaction per run), on
the test's event loop: Hypothesis runs in a worker thread and hands each request to the loop.
Most examples are steered to records that exist (the campaign's hashtag, its needs, a real
image), so they reach the handlers' logic and not only the 404 for an unknown hashtag. The run
is bounded (MAX_EXAMPLES per operation and mode) and derandomized: CI sees the same examples
every time.
"""

import asyncio
import codecs
import fnmatch
import functools
import io
import json
import os
import secrets
import unicodedata
from collections import Counter

import jsonschema_rs
import pytest
import schemathesis
from argon2 import PasswordHasher
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.accounts import service as accounts_service
from app.accounts.models import ApiToken, Role
from app.accounts.service import hash_token
from app.campaigns.models import CampaignStatus, Membership
from app.db import utcnow
from app.donations import service as donations
from app.main import create_app
from app.updates import expenses
from app.updates import service as updates
from tests.factories import DEFAULT_PASSWORD, create_campaign, create_user
from tests.inkind.factories import create_need, create_point, create_slot, deliver, pledge

# A deeper run: AIDONS_FUZZ_EXAMPLES=200 pytest tests/test_api_fuzz.py
MAX_EXAMPLES = int(os.environ.get("AIDONS_FUZZ_EXAMPLES", "25"))
BASE_URL = "http://testserver"
TAG = "fuzzhilfe"
OWNER_EMAIL = "fuzz-owner@example.org"


def _encode_assigned(text: str, errors: str = "strict") -> tuple[bytes, int]:
    for index, char in enumerate(text):
        if unicodedata.category(char) in ("Cn", "Cs"):
            raise UnicodeEncodeError(ASSIGNED, text, index, index + 1, "unassigned here")
    return text.encode("utf-8"), len(text)


def _assigned_codec(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != ASSIGNED:
        return None
    return codecs.CodecInfo(_encode_assigned, codecs.utf_8_decode, name=ASSIGNED)


# Generated text keeps to the characters this Python's Unicode database knows: schemathesis
# checks `\p{…}` patterns with a newer one (Rust's), so a character it calls a letter may be
# unassigned for the server, and a hashtag refused for a reason no document could prevent.
ASSIGNED = "aidons-assigned"
codecs.register(_assigned_codec)
SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
SCHEMA.config.generation.update(codec=ASSIGNED)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]

# Refusals (422) of requests that fit the document, for rules no JSON schema can state: they
# compare two fields, or depend on stored records, today's date or a file's content. The
# fields' descriptions say them in words. Any other field in a 422 fails the run.
STATED_IN_WORDS = {
    "POST /api/v1/campaigns": {"ends_on"},
    "PATCH /api/v1/campaigns/{tag}": {"currency", "ends_on"},
    "PUT /api/v1/campaigns/{tag}/cover": {"cover"},
    "POST /api/v1/campaigns/{tag}/updates": {"expense_ids", "delivery_ids"},
    "POST /api/v1/campaigns/{tag}/updates/{update_id}/photos": {"photo"},
    "POST /api/v1/campaigns/{tag}/expenses": {"currency", "spent_on", "need_id"},
    "POST /api/v1/campaigns/{tag}/expenses/{expense_id}/receipt": {"receipt"},
    "POST /api/v1/campaigns/{tag}/donations": {"amount"},
    "POST /api/v1/campaigns/{tag}/donations/offline": {"received_on"},
    "POST /api/v1/donations/{donation_id}/refunds": {"amount"},
    "POST /api/v1/campaigns/{tag}/needs": {"body"},  # ends_on before starts_on
    "POST /api/v1/campaigns/{tag}/pledges": {
        "lines.*.need_id",
        "lines.*.quantity",
        "slot_id",
        "drop_off_point_id",
        "due_on",
    },
    "POST /api/v1/campaigns/{tag}/deliveries": {"lines.*.need_id"},
    "PATCH /api/v1/campaigns/{tag}/needs/{need_id}": {"per_day_units", "target_units"},
    "POST /api/v1/campaigns/{tag}/uses": {"lines.*.need_id", "lines.*.units", "used_on"},
}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


@functools.cache
def _body_validator(label: str):
    operation = next(op for op in OPERATIONS if op.label == label)
    content = operation.definition.raw["requestBody"]["content"]["application/json"]
    return jsonschema_rs.validator_for(
        {**content["schema"], "components": SCHEMA.raw_schema["components"]}
    )


def _fits_document(case) -> bool:
    """Whether a JSON body really fits the document: the generator handles \\p{…} classes
    loosely (it may put a private-use character where the pattern wants a visible one)."""
    if not isinstance(case.body, dict) or case.media_type != "application/json":
        return True
    return _body_validator(case.operation.label).is_valid(case.body)


@schemathesis.check
def fitting_request_accepted(ctx, response, case) -> bool | None:
    """A request that fits the document is not refused as malformed: the document states every
    rule of a request's shape, and names the others in STATED_IN_WORDS."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    status = response.status_code
    assert status not in (400, 413), f"a fitting request got {status}: {response.content[:300]!r}"
    if status == 422 and _fits_document(case):
        fields = [error["field"] for error in json.loads(response.content).get("errors", [])]
        allowed = STATED_IN_WORDS.get(case.operation.label, set())
        unstated = [f for f in fields if not any(fnmatch.fnmatch(f, a) for a in allowed)]
        assert fields and not unstated, (
            f"a fitting request was refused for {unstated or 'no field'}: "
            f"{response.content[:500]!r}"
        )
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    fitting_request_accepted,
]


def _can_be_invalid(operation) -> bool:
    """Whether invalid data exists for it: a body, or a parameter that is not any string."""
    raw = operation.definition.raw
    return "requestBody" in raw or any(
        {k: v for k, v in p["schema"].items() if k not in ("title", "default")}
        != {"type": "string"}
        for p in raw.get("parameters", [])
    )


RUNS = [
    pytest.param(operation, mode, id=f"{operation.label} {mode.value}")
    for operation in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode.is_positive or _can_be_invalid(operation)
]


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """argon2 at its production cost takes 0.15 s a hash; the fuzz logs in hundreds of times."""
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(accounts_service, "_hasher", hasher)
    monkeypatch.setattr(accounts_service, "_DUMMY_HASH", hasher.hash("not-a-real-password"))


async def _world(session) -> dict:
    """A live campaign with needs, a drop-off point and a slot, a pledge, a gift, an update and
    an expense; a campaign where the user is only a volunteer (403s) and a paused one (409s)."""
    today = utcnow().date()
    owner = await create_user(session, email=OWNER_EMAIL)
    campaign = await create_campaign(session, owner, hashtag=TAG)
    diapers = await create_need(session, campaign)
    milk = await create_need(session, campaign, item="Formula milk", unit="bottles",
                             kind="one_off", target_units=500, per_day_units=None)  # fmt: skip
    point = await create_point(session, campaign)
    slot = await create_slot(session, point, day=today)
    pledged = await pledge(session, campaign, {diapers: 30}, today=today)
    stocked = [{"need_id": need.id, "accepted_units": 1_000_000} for need in (diapers, milk)]
    await deliver(session, campaign, owner, today, lines=stocked)  # goods on hand to use
    gift = donations.GiftInput(2_000, "Līga", False, "", "liga@example.org")
    donation = await donations.record_offline(session, campaign, owner, gift, "cash", None, "")
    update = await updates.create_update(
        session, campaign, owner, title="First week", body="300 diapers", publish=True
    )
    expense = await expenses.record_expense(
        session, campaign, owner, amount_minor=1_500, currency="EUR", description="Diapers",
        spent_on=today,
    )  # fmt: skip
    other = await create_campaign(session, hashtag=TAG + "bis")
    session.add(Membership(campaign_id=other.id, user_id=owner.id, role=Role.VOLUNTEER))
    await create_campaign(session, owner, hashtag=TAG + "pause", status=CampaignStatus.PAUSED)
    spare_token = ApiToken(token_hash=hash_token("aid_fuzz-spare"), user_id=owner.id, name="spare")
    session.add(spare_token)
    await session.flush()
    return {
        "tags": [TAG] * 6 + [TAG + "bis", TAG + "pause"],
        "need_id": [diapers.id, milk.id],
        "drop_off_point_id": [point.id],
        "slot_id": [slot.id],
        "expense_ids": [expense.id],
        "code": pledged.pledge.code,
        "pledge_token": pledged.token,
        "donation_id": donation.id,
        "update_id": update.id,
        "expense_id": expense.id,
        "owner_id": owner.id,
        "token_id": spare_token.id,
    }


async def _token(session, user_id: int) -> str:
    raw = "aid_" + secrets.token_urlsafe(16)
    session.add(ApiToken(token_hash=hash_token(raw), user_id=user_id, name="fuzz"))
    await session.flush()
    return raw


def _often(data, label: str, tenths: int = 8) -> bool:
    return data.draw(st.integers(0, 9), label=label) < tenths


def _steer(case, world: dict, data) -> None:
    """Point most examples at records that exist."""
    params = case.path_parameters or {}
    if "tag" in params and _often(data, "real tag", 9):
        params["tag"] = data.draw(st.sampled_from(world["tags"]), label="tag")
    for name in ("donation_id", "update_id", "expense_id", "code", "token_id"):
        if name in params and _often(data, f"real {name}"):
            params[name] = world[name]
    if "need_id" in params and _often(data, "real need_id"):
        params["need_id"] = data.draw(st.sampled_from(world["need_id"]), label="need_id")
    query = case.query if isinstance(case.query, dict) else None
    donor_link = query is not None and params.get("code") == world["code"]
    if donor_link and _often(data, "donor link", 5):
        query["t"] = world["pledge_token"]
    body = case.body if isinstance(case.body, dict) else None
    if body is None:
        return
    if case.operation.label == "POST /api/v1/tokens" and _often(data, "real login", 5):
        body.update(email=OWNER_EMAIL, password=DEFAULT_PASSWORD)
    for key in ("cover", "photo", "receipt"):
        if key in body and _often(data, f"real {key}", 7):
            body[key] = PNG
    if case.operation.path.endswith("/expenses") and _often(data, "campaign currency"):
        body["currency"] = "EUR"
    pledge_code = isinstance(body.get("pledge_code"), str) or body.get("full") is True
    if pledge_code and _often(data, "real pledge", 7):
        body["pledge_code"] = world["code"]
    for key in ("drop_off_point_id", "slot_id"):
        if isinstance(body.get(key), int) and _often(data, f"real {key}", 5):
            body[key] = data.draw(st.sampled_from(world[key]))
    lines = body.get("lines")
    for line in lines if isinstance(lines, list) else []:
        steerable = isinstance(line, dict) and isinstance(line.get("need_id"), int)
        if steerable and _often(data, "real need"):
            line["need_id"] = data.draw(st.sampled_from(world["need_id"]))


def _httpx_kwargs(case, authorization: str | None) -> dict:
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    kwargs.pop("cookies", None)
    # Header values are ASCII on the wire (our generated alphabet is wider than a header's).
    headers = {
        name: value.encode("ascii", "replace").decode() if isinstance(value, str) else value
        for name, value in kwargs["headers"].items()
        if name.lower() != "authorization"
    }
    if authorization is not None:
        headers["Authorization"] = authorization
    kwargs["headers"] = headers
    if isinstance(kwargs.get("data"), bytes | str) and "files" not in kwargs:
        kwargs["content"] = kwargs.pop("data")
    if kwargs.get("files"):  # generated form fields may be numbers or booleans
        kwargs["files"] = [
            (name, (filename, value if isinstance(value, bytes | str) else str(value)))
            for name, (filename, value, *_rest) in kwargs["files"]
        ]
    return kwargs


@pytest.mark.parametrize(("operation", "mode"), RUNS)
async def test_api_keeps_its_documented_promises(app, session, operation, mode):
    world = await _world(session)
    loop = asyncio.get_running_loop()
    statuses: Counter[int] = Counter()
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url=BASE_URL) as client:

        async def send(case, auth: str):
            authorization = {
                # A fresh token each time: DELETE /tokens/current revokes the one it is sent with.
                "token": f"Bearer {await _token(session, world['owner_id'])}",
                "bogus": "Bearer aid_not-a-token",
                "none": None,
            }[auth]
            kwargs = _httpx_kwargs(case, authorization)
            request = client.build_request(**kwargs)
            request.read()  # multipart bodies too, so that a failure can show the request
            return await client.send(request), kwargs["headers"]

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def run(data):
            case = data.draw(operation.as_strategy(generation_mode=mode), label="case")
            _steer(case, world, data)
            auth = data.draw(st.sampled_from(["token"] * 8 + ["none", "bogus"]), label="auth")
            future = asyncio.run_coroutine_threadsafe(send(case, auth), loop)
            response, headers = future.result(timeout=120)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        await asyncio.to_thread(run)
    if mode.is_positive:  # the examples reached the handler's logic, not only its refusals
        assert any(200 <= status < 300 for status in statuses), dict(statuses)


def test_every_api_operation_is_fuzzed():
    paths = SCHEMA.raw_schema["paths"]
    documented = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
    assert {run.values[0].label for run in RUNS} == documented
    assert set(STATED_IN_WORDS) <= documented
