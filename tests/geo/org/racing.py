"""Two writers at once, deterministically: the first holds its transaction open, the
second starts on its own connection and runs until it waits on a lock; then the first
commits and the second finishes. Both work on committed data, which the tests clean up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.db import get_engine
from geo.org.auth import open_session
from geo.org.models import SessionKind, UserAccount

__all__ = ["actor_named", "race"]

WAIT_S = 5.0


def actor_named(username: str) -> Actor:
    """The demo user as services see them, without leaving a session row behind."""
    with Session(get_engine()) as s:
        user = s.scalars(select(UserAccount).filter_by(username=username)).one()
        actor = open_session(s, user=user, kind=SessionKind.BEARER).actor
        s.rollback()
    assert actor is not None
    return actor


def _wait_until_blocked(pid: int, second: Future[Any]) -> None:
    """Return once the backend `pid` waits on a lock (or the second writer is done)."""
    deadline = time.monotonic() + WAIT_S
    with get_engine().connect() as watcher:
        while time.monotonic() < deadline and not second.done():
            waiting = watcher.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pid},
            ).scalar()
            watcher.rollback()  # a fresh snapshot of pg_stat_activity each time
            if waiting == "Lock":
                return
            time.sleep(0.02)
    if not second.done():
        raise AssertionError("the second writer neither finished nor waited on a lock")


def race(first: Callable[[Session], object], second: Callable[[Session], object]) -> object:
    """Run `first`, then `second` while `first` is uncommitted; commit `first`, then
    `second` (if it succeeds). The second's result, or the exception it raised."""

    def run(session: Session) -> object:
        try:
            result = second(session)
            session.commit()
            return result
        except Exception as exc:  # the outcome under test
            session.rollback()
            return exc

    with Session(get_engine()) as one, Session(get_engine()) as two:
        first(one)
        two.execute(text("SET lock_timeout = '10s'"))
        pid = int(two.execute(text("SELECT pg_backend_pid()")).scalar_one())
        with ThreadPoolExecutor(1) as pool:
            outcome = pool.submit(run, two)
            try:
                _wait_until_blocked(pid, outcome)
            finally:
                one.commit()
            return outcome.result(timeout=15)
