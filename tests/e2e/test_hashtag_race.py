"""Many organizers racing for one hashtag against a real server: exactly one wins."""

import asyncio

import httpx


async def test_concurrent_claims_of_one_hashtag_give_one_campaign(live_server):
    tokens = []
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        for number in range(8):
            email = f"racer{number}@example.org"
            live_server.cli(
                "create-organizer",
                "--email",
                email,
                "--name",
                f"R{number}",
                "--password",
                "racing for the hashtag",
            )
            response = await client.post(
                "/api/v1/tokens", json={"email": email, "password": "racing for the hashtag"}
            )
            tokens.append(response.json()["token"])

        async def claim(token: str) -> httpx.Response:
            return await client.post(
                "/api/v1/campaigns",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "hashtag": "RaceTag",
                    "title": "Race",
                    "beneficiary": "Us",
                    "currency": "EUR",
                },
            )

        responses = await asyncio.gather(*(claim(token) for token in tokens))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7, [r.text for r in responses]
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.json()["errors"][0]["field"] == "hashtag"
