"""The OpenAPI document: every /api/v1 operation documents its errors as RFC 9457 problems."""

import pytest

from app.main import create_app
from app.openapi import EXTRA_ERRORS

PROBLEM = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
CHALLENGE_REF = {"$ref": "#/components/schemas/ChallengeProblem"}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document() -> dict:
    return create_app().openapi()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", path, operation


def by_label(document: dict) -> dict:
    return {label: operation for label, _path, operation in operations(document)}


def test_the_problem_schema_is_documented(document):
    schemas = document["components"]["schemas"]
    problem = schemas["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert set(problem["properties"]) == {"type", "title", "status", "detail", "instance", "errors"}
    items = problem["properties"]["errors"]["anyOf"][0]["items"]
    assert items == {"$ref": "#/components/schemas/ProblemFieldError"}
    assert set(schemas["ProblemFieldError"]["required"]) == {"field", "message"}
    # FastAPI's own validation error shape is never sent: its 422s are problems too.
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas


def test_every_api_operation_documents_its_errors_as_problems(document):
    labels = []
    for label, path, operation in operations(document):
        if not path.startswith("/api/v1/"):
            continue
        labels.append(label)
        responses = operation["responses"]
        errors = {status: r for status, r in responses.items() if status.startswith("4")}
        assert errors, f"{label} documents no error"
        for status, response in errors.items():
            # A 428 is a problem that carries a proof of work to solve (ChallengeProblem).
            schema = CHALLENGE_REF if status == "428" else PROBLEM_REF
            assert response["content"] == {PROBLEM: {"schema": schema}}, (label, status)
            assert response["description"], (label, status)
        if operation.get("security") and {} not in operation["security"]:
            assert "401" in errors, f"{label} needs a token but documents no 401"
        if "{" in path:
            assert "404" in errors, f"{label} names a record but documents no 404"
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= set(errors), f"{label} takes a body"
        if operation.get("parameters") or "requestBody" in operation:
            assert "422" in errors, f"{label} takes input but documents no 422"
    assert len(labels) >= 23


def test_operations_say_who_may_call_them(document):
    scheme = document["components"]["securitySchemes"]["bearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operation = by_label(document)
    assert operation["POST /api/v1/campaigns"]["security"] == [{"bearerToken": []}]
    # Public reads take a token too (drafts are visible to their team), and refuse a bad one.
    assert operation["GET /api/v1/campaigns/{tag}"]["security"] == [{}, {"bearerToken": []}]
    assert "401" in operation["GET /api/v1/campaigns/{tag}"]["responses"]
    assert "security" not in operation["POST /api/v1/campaigns/{tag}/pledges"]
    gifts = operation["POST /api/v1/campaigns/{tag}/donations"]["responses"]
    assert {"409", "429"} <= set(gifts) and "401" not in gifts


def test_the_statuses_listed_by_hand_name_real_operations(document):
    labels = {label for label, _path, _operation in operations(document)}
    for (method, path), statuses in EXTRA_ERRORS.items():
        label = f"{method} /api/v1{path}"
        assert label in labels, f"EXTRA_ERRORS names {label}, which does not exist"
        responses = by_label(document)[label]["responses"]
        assert {str(status) for status in statuses} <= set(responses), label


async def test_the_served_document_is_the_completed_one(client):
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert "Problem" in served["components"]["schemas"]
    responses = served["paths"]["/api/v1/campaigns/{tag}/needs"]["post"]["responses"]
    assert responses["403"]["content"] == {PROBLEM: {"schema": PROBLEM_REF}}


async def test_validation_errors_are_the_documented_problems(client):
    response = await client.get("/api/v1/campaigns", params={"limit": 0})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance", "errors"}
    assert body["errors"] == [{"field": "limit", "message": "Must be at least 1."}]


async def test_an_unreadable_body_is_a_documented_400_problem(client):
    response = await client.post(
        "/api/v1/tokens", content=b"\x80abc", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["title"] == "Bad request"
