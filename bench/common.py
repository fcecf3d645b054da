"""What the benchmarks share: percentiles, and HTTP servers run as subprocesses."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def percentiles(times_ms: list[float]) -> dict[str, float | None]:
    """p50 (median) and p95 (nearest rank, rounded down) of a sample, in ms."""
    if not times_ms:
        return {"p50_ms": None, "p95_ms": None}
    ordered = sorted(times_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def median_ms(fn: Callable[[], object], repeat: int) -> dict[str, float | None]:
    """p50/p95 of `repeat` calls after one untimed call: we compare steady states."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return percentiles(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def plain_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://) as libpq/asyncpg spell it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Server:
    """`uvicorn <app>` on a free loopback port, one worker, no access log; stopped on exit.

    Only the process this object started is ever stopped.
    """

    def __init__(
        self,
        app: str,
        env: dict[str, str],
        ready_path: str,
        cwd: Path = ROOT,
        name: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.app, self.env, self.ready_path, self.cwd = app, env, ready_path, cwd
        self.name = name or app
        self.headers = headers or {}  # what every request to this server carries
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                self.app,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=self.cwd,
            env={**os.environ, **self.env},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode}")
            try:
                if httpx.get(self.base + self.ready_path, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"{self.name} did not start within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def signed_in_headers(url: str, username: str = "admin") -> dict[str, str]:
    """A committed bearer token of a demo user: tiles and features need sign-in."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from geo.org.auth import open_session
    from geo.org.models import SessionKind, UserAccount

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            user = session.query(UserAccount).filter_by(username=username).one()
            signed_in = open_session(session, user=user, kind=SessionKind.BEARER)
            session.commit()
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {signed_in.token}"}


def our_server(url: str) -> Server:
    return Server(
        "api.main:app",
        {"DATABASE_URL": url},
        "/health",
        name="api.main:app",
        headers=signed_in_headers(url),
    )
