"""Test fixtures: a real PostGIS test database, migrated once per run, each test in a
transaction that is rolled back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _test_database_url() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    out = subprocess.run(
        [str(ROOT / "scripts" / "devdb.sh"), "test-url"], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


# Point every part of the application at the test database before anything connects
# (remembered in TEST_DATABASE_URL so a second import of this module agrees).
os.environ["TEST_DATABASE_URL"] = os.environ["DATABASE_URL"] = _test_database_url()

import httpx  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import settings  # noqa: E402
from sqlalchemy import Connection, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from api.deps import get_session  # noqa: E402
from api.main import create_app  # noqa: E402
from geo.core.db import get_engine  # noqa: E402

# Speed is measured in `make bench`, never per example in a unit test: a busy 2-core CI
# machine would otherwise fail property tests at random on Hypothesis's 200 ms deadline.
settings.register_profile("project", deadline=None)
settings.load_profile("project")


def _alembic_config() -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


@pytest.fixture(scope="session")
def migrated() -> Iterator[None]:
    """Migrations down to nothing and up again: this also tests that they reverse.

    A session-long advisory lock makes a second concurrent run on the same test database
    wait instead of dropping tables under the first one."""
    with get_engine().connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(4490)"))
        holder.commit()
        cfg = _alembic_config()
        command.downgrade(cfg, "base")
        command.upgrade(cfg, "head")
        yield
        holder.execute(text("SELECT pg_advisory_unlock(4490)"))


@pytest.fixture(scope="session")
def demo_area(migrated: None) -> dict[str, int]:
    """The demo district at scale 1, generated once per run (committed)."""
    from data.demo import generate

    return generate(get_engine(), seed=20261128, scale=1)


@pytest.fixture
def connection(demo_area: dict[str, int]) -> Iterator[Connection]:
    with get_engine().connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session whose commits are savepoints inside the test's rolled-back transaction."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()


def scalar(conn: Connection | Session, sql: str, **params: object) -> object:
    return conn.execute(text(sql), params).scalar()


def bearer_headers(session: Session, username: str) -> dict[str, str]:
    """Headers of a signed-in demo user (a session opened directly: no password hashing)."""
    from geo.org.auth import open_session
    from geo.org.models import SessionKind, UserAccount

    user = session.query(UserAccount).filter_by(username=username).one()
    signed_in = open_session(session, user=user, kind=SessionKind.BEARER)
    session.flush()
    return {"Authorization": f"Bearer {signed_in.token}"}


@pytest.fixture
def actor_of(db: Session) -> Callable[[str], Any]:
    """`actor_of("ys_admin")`: the demo user as services see them (a fresh session)."""
    from geo.org.auth import open_session
    from geo.org.models import SessionKind, UserAccount

    def load(username: str) -> Any:
        user = db.query(UserAccount).filter_by(username=username).one()
        signed_in = open_session(db, user=user, kind=SessionKind.BEARER)
        assert signed_in.actor is not None
        return signed_in.actor

    return load


@pytest.fixture
def login_as(db) -> Callable[[str], dict[str, str]]:  # noqa: ANN001
    """`login_as("ys_grid")` → the Authorization header of that demo user."""
    return lambda username: bearer_headers(db, username)


def _app_client(db) -> Iterator[TestClient]:  # noqa: ANN001
    app = create_app()
    app.dependency_overrides[get_session] = lambda: db
    with TestClient(app) as c:
        yield c


@pytest.fixture
def anon_client(db) -> Iterator[TestClient]:  # noqa: ANN001
    """A client that has not signed in."""
    yield from _app_client(db)


@pytest.fixture
def client(db) -> Iterator[TestClient]:  # noqa: ANN001
    """A client signed in as the district administrator (sees everything)."""
    for c in _app_client(db):
        c.headers.update(bearer_headers(db, "admin"))
        yield c


@pytest.fixture(scope="session")
def live_headers(demo_area) -> dict[str, str]:  # noqa: ANN001
    """A committed administrator token for clients of `live_server` (other process)."""
    with Session(get_engine()) as session:
        headers = bearer_headers(session, "admin")
        session.commit()
    return headers


@pytest.fixture(scope="session")
def live_server(demo_area) -> Iterator[str]:  # noqa: ANN001
    """The application in its own process on a real port, for clients that speak HTTP
    themselves (GDAL holds the GIL while it waits, so an in-process server would stall)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ},
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("test server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: they act through a real server, so what they create is
    committed (and audit rows cannot be removed); the rolled-back tests must not see it."""
    items.sort(key=lambda item: "e2e" in item.path.parts)
