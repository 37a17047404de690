"""The `aidons` command: serve, migrate, demo, create-organizer, worker, reconcile,
check-ledgers."""

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from app.config import get_settings

ROOT = Path(__file__).resolve().parent.parent


def alembic_config():
    from alembic.config import Config

    ini = Path("alembic.ini") if Path("alembic.ini").exists() else ROOT / "alembic.ini"
    config = Config(str(ini))
    config.set_main_option("script_location", str(ini.parent / "migrations"))
    return config


def migrate(_args=None) -> None:
    from alembic import command

    command.upgrade(alembic_config(), "head")
    print("Database is up to date.")


async def _in_session(work):
    from app.db import database
    from app.transaction import UnitOfWork

    try:
        async with UnitOfWork(database.write_sessionmaker) as session:
            return await work(session)
    finally:
        await database.dispose()


def demo(args) -> None:
    from app.address import settle_base_url
    from app.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo

    _user, created = asyncio.run(_in_session(load_demo))
    base, _ = settle_base_url(args.host, args.port)
    if created:
        print("Demo campaigns created: " + ", ".join(f"#{tag}" for tag in created))
    else:
        print("Demo data already present; nothing changed.")
    print(f"Landing page: {base}/h/palidzesim")
    print(f"Demo organizer login: {DEMO_EMAIL} / {DEMO_PASSWORD}  ({base}/login)")


def create_organizer(args) -> None:
    from app.accounts import service
    from app.errors import ValidationFailed

    password = args.password or getpass.getpass("Password: ")

    async def work(session):
        # Whoever runs the server vouches for the address: no confirmation link needed.
        return await service.sign_up(session, args.email, password, args.name, verified=True)

    try:
        user = asyncio.run(_in_session(work))
    except ValidationFailed as exc:
        for error in exc.field_errors:
            print(f"{error.field}: {error.message}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"Organizer {user.email} created. Log in at {get_settings().base_url}/login")


def worker(args) -> None:
    """Run the periodic jobs without a web server (or once, with --once)."""
    from app import jobs
    from app.db import database

    jobs.register_builtin_jobs()

    async def run():
        try:
            if args.once:
                await jobs.run_once(database.write_sessionmaker)
            else:
                await asyncio.gather(*jobs.start_all(database.write_sessionmaker))
        finally:
            await database.dispose()

    asyncio.run(run())


def reconcile(args) -> None:
    """Ask the payment provider about gifts pending for a while; apply their real state."""
    from datetime import timedelta

    from app.db import database
    from app.donations.reconcile import reconcile_pending

    async def run():
        try:
            older = timedelta(minutes=args.older_than_minutes)
            return await reconcile_pending(database.write_sessionmaker, older)
        finally:
            await database.dispose()

    result = asyncio.run(run())
    print(f"Reconciled: {result}.")


def check_ledgers(_args) -> None:
    """Compare every cached total with its ledger; exit 1 when one differs."""
    from app import ledgers
    from app.db import database

    async def run():
        try:
            return await ledgers.check_with(database.sessionmaker)
        finally:
            await database.dispose()

    drifts = asyncio.run(run())
    print(ledgers.report(drifts))
    if drifts:
        raise SystemExit(1)


def serve(args) -> None:
    import uvicorn

    from app.address import settle_base_url

    base, from_setting = settle_base_url(args.host, args.port)
    source = "BASE_URL" if from_setting else f"derived from --host {args.host} --port {args.port}"
    print(f"Aidons listens on {args.host}:{args.port}; links use {base} ({source}).", flush=True)
    if not from_setting:
        print("Set BASE_URL to the public address when the server sits behind a proxy.", flush=True)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        access_log=False,
        log_config=None,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="aidons", description="Aidons command line")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_cmd = commands.add_parser("serve", help="run the web server")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--workers", type=int, default=1)
    serve_cmd.set_defaults(handler=serve)

    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(
        handler=migrate
    )
    demo_cmd = commands.add_parser("demo", help="load the #palidzesim demo campaign")
    demo_cmd.add_argument("--host", default="127.0.0.1", help="where `serve` will listen")
    demo_cmd.add_argument("--port", type=int, default=8000)
    demo_cmd.set_defaults(handler=demo)

    worker_cmd = commands.add_parser("worker", help="run periodic jobs (email delivery…)")
    worker_cmd.add_argument("--once", action="store_true", help="run every job once and exit")
    worker_cmd.set_defaults(handler=worker)

    reconcile_cmd = commands.add_parser("reconcile", help="apply the real state of pending gifts")
    reconcile_cmd.add_argument("--older-than-minutes", type=float, default=5)
    reconcile_cmd.set_defaults(handler=reconcile)

    commands.add_parser(
        "check-ledgers", help="compare every cached total with its ledger (exit 1 on drift)"
    ).set_defaults(handler=check_ledgers)

    organizer_cmd = commands.add_parser("create-organizer", help="create an organizer account")
    organizer_cmd.add_argument("--email", required=True)
    organizer_cmd.add_argument("--name", required=True)
    organizer_cmd.add_argument("--password", help="prompted for when omitted")
    organizer_cmd.set_defaults(handler=create_organizer)

    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
