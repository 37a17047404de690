"""Browser journeys: a real server process on its own database, driven by headless Chromium."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.dbutil import migrate, reset_database, sibling_database_url
from tests.smtp import free_port

# Debian's chromium (`make test` installs it when it can); CHROMIUM_PATH points elsewhere.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
SCREENSHOTS = Path(os.environ.get("AIDONS_SCREENSHOTS", Path(__file__).parent / "screenshots"))


@dataclass
class LiveServer:
    url: str
    database_url: str
    env: dict
    log: object = None

    def output(self) -> str:
        """What the server printed so far (its start banner, its logs)."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode()

    def cli(self, *args: str) -> str:
        """Run an `aidons` command against the server's database."""
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout


@contextmanager
def running_server(database_url: str, derive_base_url: bool = False, **extra_env: str):
    """`aidons serve` in a subprocess on database_url (migrated here), until the block ends.

    With derive_base_url, BASE_URL is left unset, as on a fresh `make run PORT=…`.
    """
    reset_database(database_url)
    migrate(database_url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "ENVIRONMENT": "test",
        "RUN_BACKGROUND_JOBS": "false",
        **extra_env,
    }
    if derive_base_url:
        del env["BASE_URL"]
    # The server logs every request to stderr: a file, not a pipe nobody reads, which would
    # fill up after a few hundred requests and freeze the server.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read().decode()[-3000:])
            time.sleep(0.2)
        else:
            process.kill()
            raise RuntimeError("the server did not start in 30 s")
        try:
            yield LiveServer(url=url, database_url=database_url, env=env, log=log)
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(migrated_database):
    """`aidons serve` in a subprocess, on a fresh database migrated the production way."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with running_server(sibling_database_url(migrated_database, "e2e")) as server:
        yield server


@pytest.fixture(scope="session")
async def browser():
    # Never a skip: a run without its browser journeys must not pass as green.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def phone(browser):
    """A fresh phone-sized browser context (360×740, touch), with its own cookies."""
    context = await browser.new_context(**PHONE, locale="en-GB")
    page = await context.new_page()
    yield page
    await context.close()


@pytest.fixture
async def desktop(browser):
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = await context.new_page()
    yield page
    await context.close()


async def screenshot(page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
