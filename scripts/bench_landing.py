"""Benchmark: the landing page against a bare endpoint of the same app, in one run.

Starts `aidons serve` (one worker) on a fresh database with the demo campaign, fetches
/h/palidzesim to learn its size, then runs wrk against the page and against /_bench/bare
returning the same number of bytes. Prints both requests/s and their ratio.

    make bench                      # SQLite file in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/aidons_bench make bench
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.benchlib import server_env, start_server, wrk  # noqa: E402
from tests.dbutil import migrate, reset_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    tmp = tempfile.mkdtemp(prefix="aidons-bench-")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/bench.db"
    reset_database(database_url)
    migrate(database_url)
    env = server_env(database_url, args.port, ENABLE_BENCH_ENDPOINT="true")
    subprocess.run([sys.executable, "-m", "app.cli", "demo"], env=env, cwd=ROOT, check=True)
    server = start_server(env, args.port)
    try:
        base = f"http://127.0.0.1:{args.port}"
        page = httpx.get(f"{base}/h/palidzesim")
        page.raise_for_status()
        size = len(page.content)
        bare_url = f"{base}/_bench/bare?size={size}"
        assert len(httpx.get(bare_url).content) == size
        wrk(f"{base}/h/palidzesim", 2, args.connections)  # warm-up
        wrk(bare_url, 2, args.connections)
        landing = wrk(f"{base}/h/palidzesim", args.seconds, args.connections)
        bare = wrk(bare_url, args.seconds, args.connections)
    finally:
        server.terminate()
        server.wait(timeout=10)
    backend = database_url.split(":", 1)[0]
    load = f"wrk -t2 -c{args.connections} -d{args.seconds}s"
    print(f"database: {backend}; page size: {size} bytes; {load}")
    print(f"bare endpoint   : {bare:10.1f} requests/s")
    print(f"/h/palidzesim   : {landing:10.1f} requests/s")
    print(f"ratio           : {landing / bare:10.2f} (goal: at least 0.50)")


if __name__ == "__main__":
    main()
