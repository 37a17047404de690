from fastapi import APIRouter

from app import db
from tests.factories import create_campaign


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).text == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_readiness_fails_when_the_database_is_unreachable(client, monkeypatch):
    broken = db.Database()
    broken._engine = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(db, "database", broken)
    monkeypatch.setattr("app.ops.database", broken)
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    await broken.dispose()


async def test_every_response_carries_security_headers_and_a_request_id(client, session):
    await create_campaign(session, hashtag="headers")
    response = await client.get("/h/headers", headers={"X-Request-ID": "trace-123"})
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-request-id"] == "trace-123"
    generated = await client.get("/healthz", headers={"X-Request-ID": "bad id\n"})
    assert len(generated.headers["x-request-id"]) == 32


async def test_unexpected_errors_get_a_friendly_page_without_a_trace(app, client):
    router = APIRouter()

    @router.get("/boom")
    async def boom():
        raise RuntimeError("secret internals")

    @router.get("/api/v1/boom")
    async def api_boom():
        raise RuntimeError("secret internals")

    app.include_router(router)
    page = await client.get("/boom")
    assert page.status_code == 500
    assert "Something went wrong" in page.text and "secret internals" not in page.text
    api = await client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in api.text


async def test_an_unexpected_error_speaks_the_visitors_language_and_keeps_the_headers(app, client):
    router = APIRouter()

    @router.get("/boom")
    async def boom():
        raise RuntimeError("secret internals")

    app.include_router(router)
    page = await client.get("/boom", headers={"Accept-Language": "fr", "X-Request-ID": "trace-9"})
    assert page.status_code == 500
    assert "Une erreur s’est produite" in page.text
    assert "Something went wrong" not in page.text
    assert page.headers["x-request-id"] == "trace-9"  # what a person can quote to support
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_unknown_api_route_is_problem_json(client):
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


async def test_openapi_documents_the_api(client):
    spec = (await client.get("/api/v1/openapi.json")).json()
    for path in (
        "/api/v1/campaigns",
        "/api/v1/campaigns/{tag}",
        "/api/v1/campaigns/{tag}/progress",
        "/api/v1/tokens",
    ):
        assert path in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_language_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = await client.get("/lang/fr", params={"next": target})
        assert response.headers["location"] == "/"
    assert "aidons_lang=fr" in response.headers["set-cookie"]


async def test_a_malformed_id_in_a_page_address_is_a_404(client, session):
    await create_campaign(session, hashtag="ids")
    for path in ("/h/ids/updates/abc", "/h/ids/updates/" + "9" * 20):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "There is nothing at this address." in response.text
    api = await client.get("/api/v1/campaigns/ids/updates?limit=abc")
    assert api.status_code == 422 and api.headers["content-type"] == "application/problem+json"
