"""The request's transaction: whole or not at all, decided by the response status in one place.

Small endpoints are added to the real application for these tests, so they go through the
same middleware stack as every page and API call.
"""

from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from app import transaction
from app.db import SessionDep, WriteSessionDep
from app.ratelimit import RateLimitCounter

KEY = "transaction-test"


async def counters(session) -> int:
    return await session.scalar(
        select(func.count()).select_from(RateLimitCounter).where(RateLimitCounter.key == KEY)
    )


def _row(window: int) -> RateLimitCounter:
    return RateLimitCounter(key=KEY, window_start=window, hits=1)


def add_routes(app, effects: list[str]) -> None:
    async def write_then_answer(status: int, session: WriteSessionDep):
        session.add(_row(status))
        await session.flush()
        transaction.after_commit(session, lambda: _note(effects, f"after {status}"))
        # Returned, not raised: the status alone decides.
        return JSONResponse({"status": status}, status_code=status)

    async def write_survivor_then_refuse(session: WriteSessionDep):
        session.add(_row(1))
        await session.flush()

        async def survivor(replay):
            replay.add(_row(2))

        transaction.keep_on_refusal(session, survivor)
        return JSONResponse({}, status_code=429)

    async def read_only_but_writes(session: SessionDep):
        session.add(_row(3))
        await session.flush()
        return {}

    app.add_api_route("/_t/answer/{status}", write_then_answer, methods=["POST"])
    app.add_api_route("/_t/survivor", write_survivor_then_refuse, methods=["POST"])
    app.add_api_route("/_t/undeclared", read_only_but_writes, methods=["GET"])


async def _note(effects: list[str], text: str) -> None:
    effects.append(text)


async def test_a_success_commits_and_runs_its_after_commit_effects(app, client, session):
    effects: list[str] = []
    add_routes(app, effects)
    for status in (200, 201, 303):
        assert (await client.post(f"/_t/answer/{status}")).status_code == status
    assert await counters(session) == 3
    assert effects == ["after 200", "after 201", "after 303"]


async def test_any_error_status_rolls_back_and_drops_the_effects(app, client, session):
    effects: list[str] = []
    add_routes(app, effects)
    for status in (400, 404, 409, 422, 429, 502):
        assert (await client.post(f"/_t/answer/{status}")).status_code == status
    assert await counters(session) == 0
    assert effects == []


async def test_a_write_kept_on_refusal_survives_alone(app, client, session):
    add_routes(app, [])
    assert (await client.post("/_t/survivor")).status_code == 429
    rows = list(await session.scalars(select(RateLimitCounter.window_start).where(
        RateLimitCounter.key == KEY)))  # fmt: skip
    assert rows == [2]


async def test_an_endpoint_that_writes_without_declaring_it_is_refused(app, client, session):
    add_routes(app, [])
    response = await client.get("/_t/undeclared")
    assert response.status_code == 500
    assert await counters(session) == 0
