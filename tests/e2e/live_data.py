"""Seeding the live server's own database from a test, committed so the server sees it."""

from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import async_sessionmaker

from app.db import make_engine


@asynccontextmanager
async def live_session(live_server):
    """A session on the live server's database; commits when the block ends without error."""
    engine = make_engine(live_server.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session, session.begin():
            yield session
    finally:
        await engine.dispose()
