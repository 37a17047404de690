from app.accounts.models import ApiToken
from tests.factories import DEFAULT_PASSWORD, create_user


async def test_token_lifecycle(client, session):
    await create_user(session, email="api@example.org")
    response = await client.post(
        "/api/v1/tokens", json={"email": "api@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 201
    token = response.json()["token"]
    stored = (await session.execute(ApiToken.__table__.select())).one()
    assert token not in stored.token_hash  # only a hash is kept
    headers = {"Authorization": f"Bearer {token}"}
    created = await client.post(
        "/api/v1/campaigns",
        headers=headers,
        json={
            "hashtag": "tokentest",
            "title": "Token test",
            "beneficiary": "Us",
            "currency": "EUR",
        },
    )
    assert created.status_code == 201
    assert (await client.delete("/api/v1/tokens/current", headers=headers)).status_code == 204
    refused = await client.get("/api/v1/campaigns/tokentest", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert "revoked" in refused.json()["detail"]


async def test_wrong_credentials_get_problem_json(client, session):
    await create_user(session, email="api2@example.org")
    response = await client.post(
        "/api/v1/tokens", json={"email": "api2@example.org", "password": "wrong wrong wrong"}
    )
    assert response.status_code == 401
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["status"] == 401 and body["detail"] == "Email or password is incorrect."


async def test_malformed_token_request_lists_field_errors(client):
    response = await client.post("/api/v1/tokens", json={"email": "x@example.org"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "password", "message": "This field is required."}
    ]


async def test_api_without_token_is_401_with_hint(client):
    response = await client.post("/api/v1/campaigns", json={})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["detail"]
