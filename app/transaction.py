"""One transaction per request: committed when the response succeeds, rolled back otherwise.

The rule lives here, once. Whatever produced the response (a return, an AppError, a validation
error, an exception handler), a status >= 400 rolls back every write of the request, and the
commit happens before the first byte is sent, so a failed commit becomes a 500, never a
success the database forgot. Two kinds of work hang on the outcome:

- after_commit(session, callback): effects another process can observe (page-cache
  invalidation, worker wake-ups); run after the commit, dropped on rollback;
- keep_on_refusal(session, write): the rare write that must survive a refusal (rate-limit and
  failed-login counters); it runs in the request's transaction and, if that is rolled back,
  again in a transaction of its own.
"""

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.config import get_settings

log = logging.getLogger("aidons.transaction")

SCOPE_KEY = "aidons.session"
_WRITES = "aidons.writes"
_FLUSHED = "aidons.flushed"
_BEFORE_COMMIT = "aidons.before_commit"
_AFTER_COMMIT = "aidons.after_commit"
_ON_REFUSAL = "aidons.on_refusal"

AfterCommit = Callable[[], Awaitable[object]]
SessionWork = Callable[[AsyncSession], Awaitable[object]]


class UndeclaredWrite(RuntimeError):
    """An endpoint wrote without declaring WriteSessionDep (SQLite would not lock up front)."""


# --- Hooks ---------------------------------------------------------------------------------


def before_commit(session: AsyncSession, work: SessionWork) -> None:
    """Last writes of the transaction (e.g. resolving what to invalidate), once per callable."""
    hooks = session.info.setdefault(_BEFORE_COMMIT, [])
    if work not in hooks:
        hooks.append(work)


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def keep_on_refusal(session: AsyncSession, write: SessionWork) -> None:
    session.info.setdefault(_ON_REFUSAL, []).append(write)


def mark_writes(session: AsyncSession) -> None:
    session.info[_WRITES] = True


def has_flushed_writes(session: AsyncSession) -> bool:
    return bool(session.info.get(_FLUSHED))


@event.listens_for(Session, "before_flush")
def _refuse_undeclared_writes(session: Session, _context, _instances) -> None:
    if session.info.get(_WRITES) is False and (session.new or session.dirty or session.deleted):
        message = "a read-only endpoint tried to write; declare WriteSessionDep"
        if get_settings().environment in ("development", "test"):
            raise UndeclaredWrite(message)
        log.error(message)


@event.listens_for(Session, "after_flush")
def _remember_flush(session: Session, _context) -> None:
    session.info[_FLUSHED] = True


@event.listens_for(Session, "after_commit")
def _forget_flush(session: Session) -> None:
    # Committed writes (those of an early release()) need no replay after a later refusal.
    session.info.pop(_FLUSHED, None)
    session.info.pop(_ON_REFUSAL, None)


# --- Finishing a unit of work --------------------------------------------------------------


async def commit(session: AsyncSession) -> None:
    """Commit, then run the after-commit callbacks (their failures are logged, not raised)."""
    for work in session.info.pop(_BEFORE_COMMIT, []):
        await work(session)
    await session.commit()
    session.info.pop(_ON_REFUSAL, None)
    for callback in session.info.pop(_AFTER_COMMIT, []):
        try:
            await callback()
        except Exception:  # the data is committed; a missed invalidation only ages out
            log.exception("after-commit callback failed")


async def rollback(session: AsyncSession) -> None:
    """Roll back, drop the after-commit callbacks, and replay the writes that must survive."""
    await session.rollback()
    survivors = session.info.pop(_ON_REFUSAL, [])
    _drop_pending_work(session)
    if not survivors:
        return
    from app.db import begin_write

    try:
        await begin_write(session)
        for write in survivors:
            await write(session)
        await session.commit()
    except Exception:
        log.exception("a write meant to survive a refused request was lost")
        await session.rollback()


def _drop_pending_work(session: AsyncSession) -> None:
    """Forget hooks and whatever modules noted for them (keys under "aidons.")."""
    for key in [key for key in session.info if key.startswith("aidons.") and key != _WRITES]:
        del session.info[key]


def _reset(session: AsyncSession) -> None:
    _drop_pending_work(session)
    session.info.pop(_WRITES, None)


class UnitOfWork:
    """For code outside a request (jobs, CLI): `async with UnitOfWork(sessionmaker) as s:`
    commits on success with the same hooks as a request, rolls back on an exception."""

    def __init__(self, sessionmaker) -> None:
        self._sessionmaker = sessionmaker
        self.session: AsyncSession | None = None

    async def __aenter__(self) -> AsyncSession:
        self.session = self._sessionmaker()
        mark_writes(self.session)
        return self.session

    async def __aexit__(self, exc_type, exc, tb) -> None:
        session = self.session
        try:
            if exc_type is None:
                await commit(session)
            else:
                await rollback(session)
        finally:
            _reset(session)
            await session.close()


# --- The request's session -----------------------------------------------------------------


def request_session(request) -> AsyncSession | None:
    holder = request.scope.get(SCOPE_KEY)
    return holder[0] if holder else None


def attach(request, session: AsyncSession, *, writes: bool, owned: bool = True) -> None:
    """Make `session` the request's; TransactionMiddleware finishes it (and closes it if owned)."""
    session.info[_WRITES] = writes
    request.scope[SCOPE_KEY] = (session, owned)


class TransactionMiddleware:
    """Pure ASGI: decides commit or rollback when the response starts, from its status."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        finished = False

        async def send_after_outcome(message):
            nonlocal finished
            if message["type"] == "http.response.start" and not finished:
                finished = True
                holder = scope.get(SCOPE_KEY)
                if holder is not None:
                    if message["status"] < 400:
                        await commit(holder[0])
                    else:
                        await rollback(holder[0])
            await send(message)

        try:
            await self.app(scope, receive, send_after_outcome)
        finally:
            holder = scope.pop(SCOPE_KEY, None)
            if holder is not None:
                session, owned = holder
                if not finished:  # the handler raised, or the client went away: nothing sent
                    await rollback(session)
                _reset(session)
                # A request served from the page cache never touched its session: skip the
                # round trip through SQLAlchemy's greenlet (~0.1 ms a request).
                if owned and (session.in_transaction() or session.identity_map):
                    await session.close()
