"""Creating, resetting and migrating test databases (SQLite files or PostgreSQL databases)."""

import os
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from app.cli import alembic_config
from app.config import get_settings


def _psycopg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    return parsed.set(
        drivername="postgresql", database=database or parsed.database
    ).render_as_string(hide_password=False)


def reset_database(url: str) -> None:
    """An empty database: the SQLite file deleted, or the PostgreSQL public schema recreated."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    try:
        connection = psycopg.connect(_psycopg_dsn(url), autocommit=True)
    except psycopg.OperationalError:
        with psycopg.connect(_psycopg_dsn(url, "postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{parsed.database}"')
        connection = psycopg.connect(_psycopg_dsn(url), autocommit=True)
    with connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def sibling_database_url(url: str, suffix: str) -> str:
    """Another database next to the test one, e.g. for a server running in its own process."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        return str(parsed.set(database=str(path.with_name(f"{path.stem}_{suffix}{path.suffix}"))))
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)


def migrate(url: str) -> None:
    """Run `alembic upgrade head` against url, exactly as `aidons migrate` does."""
    from alembic import command

    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        command.upgrade(alembic_config(), "head")
    finally:
        if previous is not None:
            os.environ["DATABASE_URL"] = previous
        get_settings.cache_clear()
