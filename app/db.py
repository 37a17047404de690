"""Engine, declarative Base and the per-request session (which commits once)."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from app import transaction
from app.config import get_settings

# Execution option: on SQLite, begin the transaction with BEGIN IMMEDIATE (a writer).
SQLITE_IMMEDIATE = "sqlite_immediate"
# Primary keys are INTEGER columns (32 bits on PostgreSQL): an id past this names no row, and
# sending it to the database would fail instead of answering "not found".
MAX_ID = 2**31 - 1

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
        # Writers take the write lock up front (waiting for it under busy_timeout); a deferred
        # transaction that reads and then writes would fail with SQLITE_BUSY under concurrency.
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
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
        self._sessionmakers: dict[bool, async_sessionmaker[AsyncSession]] = {}

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = make_engine()
            writer = self._engine.execution_options(**{SQLITE_IMMEDIATE: True})
            self._sessionmakers = {
                False: async_sessionmaker(self._engine, expire_on_commit=False),
                True: async_sessionmaker(writer, expire_on_commit=False),
            }
        return self._engine

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for reading (and for writing on PostgreSQL, where it makes no difference)."""
        self.engine  # noqa: B018 - builds the sessionmakers on first use
        return self._sessionmakers[False]

    @property
    def write_sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Sessions that will write: on SQLite they begin with BEGIN IMMEDIATE."""
        self.engine  # noqa: B018
        return self._sessionmakers[True]

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = None
        self._sessionmakers = {}


database = Database()


def _declares(dependant, call) -> bool:
    return any(d.call is call or _declares(d, call) for d in dependant.dependencies)


def route_writes(request: Request) -> bool:
    """Whether the matched endpoint declared WriteSessionDep (decided once per route)."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return False
    writes = getattr(route, "aidons_writes", None)
    if writes is None:
        writes = _declares(route.dependant, get_write_session)
        route.aidons_writes = writes
    return writes


async def get_session(request: Request) -> AsyncSession:
    """The request's one session. app.transaction commits it when the response is a success
    (status < 400) and rolls it back otherwise, whichever way the response was produced."""
    session = transaction.request_session(request)
    if session is None:
        writes = route_writes(request)
        session = (database.write_sessionmaker if writes else database.sessionmaker)()
        transaction.attach(request, session, writes=writes)
    return session


async def get_write_session(session: Annotated[AsyncSession, Depends(get_session)]) -> AsyncSession:
    """Declares that the endpoint writes: on SQLite its transaction takes the write lock first."""
    return session


async def begin_write(session: AsyncSession) -> None:
    """End the current read transaction and begin a writing one (BEGIN IMMEDIATE on SQLite).

    For endpoints that read, call a provider with no transaction open, then write. Objects
    already loaded stay usable (expire_on_commit is off and nothing was written yet).
    """
    await release(session)
    transaction.mark_writes(session)
    await session.connection(execution_options={SQLITE_IMMEDIATE: True})


async def release(session: AsyncSession) -> None:
    """Before a network call: hold no connection (PostgreSQL) and no lock (SQLite) meanwhile.
    Only a read-only transaction may end here: a write would be committed early."""
    if session.new or session.dirty or session.deleted or transaction.has_flushed_writes(session):
        raise RuntimeError("release() after writes: they would be committed early")
    if session.in_transaction():
        await session.commit()  # nothing to write: this only frees the connection and locks


async def insert_unless_taken(session: AsyncSession, row) -> bool:
    """Add and flush `row`; False (and nothing written) when a unique constraint says its
    twin exists: the same submit, event or hashtag arriving twice at once."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


SessionDep = Annotated[AsyncSession, Depends(get_session)]
WriteSessionDep = Annotated[AsyncSession, Depends(get_write_session)]
# A row id in a URL: past MAX_ID it is a 422 like any other malformed id, never a 500.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# How many rows a list skips: there are never more rows than ids, and an offset past 2**63 - 1
# would overflow the database's BIGINT (a 500) instead of answering an empty page.
MAX_OFFSET = MAX_ID
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")]
