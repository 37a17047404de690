"""Test harness: a database built by Alembic, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points there.
"""

import os
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="aidons-tests-"))
os.environ.setdefault("DATABASE_URL", f"sqlite+aiosqlite:///{_TMP}/test.db")
os.environ["ENVIRONMENT"] = "test"
os.environ["SECRET_KEY"] = "test-secret-key-that-is-long-enough-for-the-checks"
os.environ["BASE_URL"] = "http://testserver"
os.environ.pop("REDIS_URL", None)
os.environ.pop("SMTP_URL", None)
os.environ["RUN_BACKGROUND_JOBS"] = "false"
# Tests see every change at once; tests/test_pagecache.py turns the page cache on.
os.environ["PAGE_CACHE_SECONDS"] = "0"

import pytest  # noqa: E402
from fastapi import Request  # noqa: E402
from httpx import ASGITransport, AsyncClient  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from app.config import async_database_url, get_settings  # noqa: E402
from app.db import get_session, make_engine  # noqa: E402
from app.transaction import SCOPE_KEY  # noqa: E402
from tests.dbutil import migrate, reset_database  # noqa: E402

TEST_DATABASE_URL = async_database_url(os.environ["DATABASE_URL"])


@pytest.fixture(autouse=True)
def steady_rate_limit_clock(monkeypatch):
    """Fixed-window limits: a test that crossed a window boundary would see its count reset."""
    from app import ratelimit

    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_300.0)


@pytest.fixture(scope="session", autouse=True)
def migrated_database():
    """Build the schema the way production does: `alembic upgrade head` on an empty database."""
    get_settings.cache_clear()
    reset_database(TEST_DATABASE_URL)
    migrate(TEST_DATABASE_URL)
    return TEST_DATABASE_URL


@pytest.fixture(scope="session")
async def engine(migrated_database):
    engine = make_engine(migrated_database)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine):
    """A session inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        db_session = AsyncSession(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield db_session
        finally:
            await db_session.close()
            await transaction.rollback()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ledger_drift: the test corrupts a cached total on purpose (no ledger check)"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.aidons_call_failed = report.failed
    return report


@pytest.fixture(autouse=True)
def ledgers_agree(request):
    """After each test that used the database: every cached total equals its ledger, checked
    in the test's own transaction before it is rolled back (app.ledgers: three queries)."""
    if "session" in request.fixturenames and not request.node.get_closest_marker("ledger_drift"):
        # Set up after the test's session, so torn down before it.
        request.getfixturevalue("_check_ledgers_at_teardown")


@pytest.fixture
async def _check_ledgers_at_teardown(request, session):
    yield
    if getattr(request.node, "aidons_call_failed", True):
        return  # the test's own failure says more; its session may be unusable
    from app import ledgers

    drifts = await ledgers.check(session)
    if drifts:
        pytest.fail(ledgers.report(drifts), pytrace=False)


@pytest.fixture
def app(session):
    from app.main import create_app

    application = create_app()

    async def test_session(request: Request):
        # The request uses the test's session; app.transaction commits or rolls it back (a
        # savepoint here). What the test set up before the request counts as committed.
        from app.db import route_writes
        from app.transaction import attach

        if request.scope.get(SCOPE_KEY) is None:
            await session.commit()
            attach(request, session, writes=route_writes(request), owned=False)
        return session

    application.dependency_overrides[get_session] = test_session
    return application


@pytest.fixture
async def client(app):
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def sessionmaker(session):
    """Sessions for code that opens its own (jobs), inside the test's transaction."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    return async_sessionmaker(
        bind=session.bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; SMTP_URL points at it during the test."""
    from tests.smtp import running_smtp_server

    with running_smtp_server() as server:
        monkeypatch.setenv("SMTP_URL", server.url)
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()
