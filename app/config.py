"""One Settings object, read from the environment (and a local .env file)."""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = Path(".aidons-secret")
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "test", "please-change-me"}


def async_database_url(url: str) -> str:
    """Map plain URLs (postgresql://, sqlite:///) to the async drivers we ship."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    return url


def _dev_secret() -> str:
    # Development keeps a generated key on disk so sessions survive a restart.
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    key = secrets.token_urlsafe(48)
    DEV_SECRET_FILE.write_text(key)
    DEV_SECRET_FILE.chmod(0o600)
    return key


DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./aidons.db"
    secret_key: str = ""
    # The public address, used in links that leave the page (emails, share links, Stripe's
    # return URLs). Unset, it is the address `aidons serve` listens on (see app/cli.py).
    base_url: str = ""
    _base_url_is_set: bool = PrivateAttr(default=False)
    redis_url: str | None = None

    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    # smtp://user:password@host:587 (STARTTLS), smtps://…:465 (TLS), smtp://host:25 (plain).
    smtp_url: str | None = None
    mail_from: str = "Aidons <no-reply@aidons.localhost>"
    # Periodic jobs (mail delivery, reconciliation…) run inside each server process.
    run_background_jobs: bool = True

    default_locale: str = "en"
    # The time zone new campaigns start with when their place names no known city.
    default_time_zone: str = "UTC"
    log_level: str = "INFO"
    # Seconds a public page may be served from a shared cache (CDN, nginx, the page cache).
    public_cache_seconds: int = 10
    # Seconds a rendered public page is reused by the app itself (app/pagecache.py); 0 turns it off.
    page_cache_seconds: float = 3
    max_upload_bytes: int = 8 * 1024 * 1024
    # Only for `make bench`: /_bench/bare, the baseline the landing page is measured against.
    enable_bench_endpoint: bool = False

    # Gift starts (app/donations/limits.py). No volume cap: a proof of work (ALTCHA) is asked
    # when a client (IP) or a campaign fails often, or one IP starts very many gifts; only an
    # absurd rate or repeated wrong proofs are refused (429). Counted over a sliding window.
    gift_limit_window_seconds: int = 600
    # Declined, failed or abandoned gifts of one client, and of one campaign, before the
    # proof is asked, when they are at least this share of the settled gifts (the rest paid).
    gift_challenge_client_failures: int = 5
    gift_challenge_campaign_failures: int = 30
    gift_challenge_failure_share: float = 0.8
    # Starts from one IP (phones behind a carrier NAT share one) and from one email.
    gift_challenge_client_starts: int = 200
    gift_challenge_email_starts: int = 5
    gift_refuse_client_starts: int = 1200
    gift_refuse_wrong_proofs: int = 30
    # Work per proof: the browser tries on average half this many SHA-256 hashes.
    gift_challenge_max_number: int = 50_000
    gift_challenge_lifetime_seconds: int = 1200

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return async_database_url(value)

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _default_base_url(self) -> "Settings":
        self._base_url_is_set = bool(self.base_url)
        if not self.base_url:
            self.base_url = DEFAULT_BASE_URL
        return self

    @property
    def base_url_is_set(self) -> bool:
        """True when BASE_URL came from the environment or .env, not from the default."""
        return self._base_url_is_set

    @model_validator(mode="after")
    def _secret_key(self) -> "Settings":
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
            if self.environment == "production":
                raise ValueError(
                    "SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
            self.secret_key = _dev_secret()
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
