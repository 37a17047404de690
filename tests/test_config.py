import pytest
from pydantic import ValidationError

from app.config import Settings


def test_plain_urls_are_mapped_to_async_drivers():
    pg = Settings(database_url="postgresql://postgres@127.0.0.1:5432/test", secret_key="x" * 40)
    assert pg.database_url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    lite = Settings(database_url="sqlite:///./local.db", secret_key="x" * 40)
    assert lite.database_url == "sqlite+aiosqlite:///./local.db"


def test_production_refuses_a_placeholder_secret():
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key="changeme")
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key="short")


def test_development_generates_and_keeps_a_secret(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = Settings(environment="development", secret_key="")
    second = Settings(environment="development", secret_key="")
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / ".aidons-secret").stat().st_mode & 0o077 == 0
