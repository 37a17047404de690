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
        connection.exec_driver_sql("BEGIN")


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
    session = database.sessionmaker()
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await session.rollback()
        raise
    else:
        if session.in_transaction():
            await session.commit()
    finally:
        # A request served from the page cache never touched the database: nothing to close,
        # and skipping the round trip through SQLAlchemy's greenlet saves ~0.1 ms a request.
        if session.in_transaction() or session.identity_map:
            await session.close()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
