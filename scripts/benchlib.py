"""Shared by the benchmark scripts: start `aidons serve` on 127.0.0.1, and run wrk."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def server_env(database_url: str, port: int, **extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-the-checks",
        "RUN_BACKGROUND_JOBS": "false",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start_server(env: dict, port: int) -> subprocess.Popen:
    """One uvicorn worker on 127.0.0.1:port; returns once /readyz answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def wrk(url: str, seconds: int = 10, connections: int = 50) -> float:
    """Requests/s that wrk measured; any error response fails the benchmark."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
