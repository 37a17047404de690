"""Engine, declarative Base and the per-request session (which commits once)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from app.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


SQLITE_IMMEDIATE = "aidons_sqlite_immediate"


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; we emit BEGIN ourselves
    # (SQLAlchemy's documented recipe), and turn on foreign keys and WAL.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection):
        # BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so a
        # read-then-write transaction cannot fail when another writer committed in between.
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | None = None, **kwargs) -> AsyncEngine:
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        _sqlite_pragmas(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class Database:
    """Lazily built engine and sessionmaker, so settings can change before first use."""

    def __init__(self) -> None:
        self._engine: AsyncEngine | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = make_engine()
            self._sessionmaker = async_sessionmaker(self._engine, expire_on_commit=False)
        return self._engine

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        self.engine  # noqa: B018 - builds the sessionmaker on first use
        assert self._sessionmaker is not None
        return self._sessionmaker

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = None
        self._sessionmaker = None


database = Database()


async def get_session() -> AsyncIterator[AsyncSession]:
    """One session per request: commit if the handler returned, roll back if it raised.

    Used with scope="function" so the commit happens before the response is sent: a
    failed commit becomes an error response, never a success the database forgot.
    """
    async with database.sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_write_session(session: SessionDep) -> AsyncSession:
    """The request session, its transaction begun as a writer (BEGIN IMMEDIATE on SQLite).

    For requests that read, then write what they read (capacity checks, counters). Declare it
    before any other dependency that queries, so it procures the connection first; PostgreSQL
    needs nothing more (such code takes row locks).
    """
    await session.connection(execution_options={SQLITE_IMMEDIATE: True})
    return session


WriteSessionDep = Annotated[AsyncSession, Depends(get_write_session)]
