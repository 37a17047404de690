import subprocess
import sys

from sqlalchemy import func, select

from app.accounts.models import User
from app.campaigns.models import Campaign, Hashtag
from app.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from tests.dbutil import migrate, reset_database, sibling_database_url


async def counts(session) -> tuple[int, int, int]:
    return (
        await session.scalar(select(func.count()).select_from(User)),
        await session.scalar(select(func.count()).select_from(Campaign)),
        await session.scalar(select(func.count()).select_from(Hashtag)),
    )


async def test_demo_loads_palidzesim_and_running_it_twice_changes_nothing(session, client):
    await load_demo(session)
    first = await counts(session)
    await load_demo(session)
    assert await counts(session) == first
    page = await client.get("/h/palidzesim")
    assert page.status_code == 200
    assert "110 newborns" in page.text and "300 diapers" in page.text
    alias = await client.get("/h/NominatedForSomalia")
    assert alias.headers["location"] == "/h/LoveArmyForSomalia"
    login = await client.post(
        "/api/v1/tokens", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    assert login.status_code == 201


def test_cli_migrates_creates_an_organizer_and_refuses_weak_passwords(migrated_database):
    url = sibling_database_url(migrated_database, "cli")
    reset_database(url)
    env = {"DATABASE_URL": url, "SECRET_KEY": "k" * 40, "PATH": "/usr/bin:/bin"}

    def aidons(*args):
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=env,
            capture_output=True,
            text=True,
        )

    assert "up to date" in aidons("migrate").stdout
    made = aidons(
        "create-organizer",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--password",
        "a long enough secret",
    )
    assert made.returncode == 0 and "Organizer a@example.org created" in made.stdout
    weak = aidons(
        "create-organizer", "--email", "b@example.org", "--name", "B", "--password", "short"
    )
    assert weak.returncode == 2 and "password: Use at least 10 characters." in weak.stderr
    demo = aidons("demo")
    assert "Demo campaigns created: #palidzesim" in demo.stdout
    assert "nothing changed" in aidons("demo").stdout
    migrate(url)  # migrating an up-to-date database is harmless
