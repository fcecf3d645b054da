"""The live feed of event changes (CMD-1): one LISTEN connection per process, fanned out
to the connected screens through asyncio queues, each screen receiving only the events of
its region subtree.

The database trigger (migration 8f2b3c4d5e67) notifies `event_change` with the event id
and status; the listener thread reads the event's place, title and region path once per
notification and hands the message to every subscriber whose scope holds it. A dropped
connection is reopened; screens that missed messages catch up on their next refresh.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import psycopg

from geo.core.scope import path_within
from geo.core.settings import get_database_settings
from geo.event.workflow import STATUS_LABELS, Status

CHANNEL = "event_change"
STOP_CHECK_S = 0.2
QUEUE_SIZE = 200  # a screen that stops reading loses old messages, never blocks the feed
log = logging.getLogger(__name__)

_DETAILS = """
    SELECT e.event_no, e.title, e.status, c.name AS category, e.reported_at,
           ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat, CAST(r.path AS text) AS path
    FROM event e JOIN event_category c ON c.code = e.category_code
    LEFT JOIN region r ON r.id = e.region_id
    WHERE e.id = %s"""


@dataclass(eq=False)
class Subscriber:
    """One connected screen: its scope (None: district-wide) and where its messages go."""

    scope_path: str | None
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def wants(self, path: str | None) -> bool:
        if self.scope_path is None:
            return True
        return path is not None and path_within(path, self.scope_path)

    def offer(self, message: dict[str, Any]) -> None:
        # Runs on the subscriber's loop: drop the oldest rather than grow without bound.
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(message)


def describe(conn: psycopg.Connection[Any], payload: str) -> tuple[str | None, dict[str, Any]]:
    """The message for one notification and the region path it belongs to."""
    note = json.loads(payload)
    row = conn.execute(_DETAILS, (note["id"],)).fetchone()
    message: dict[str, Any] = {"id": note["id"], "op": note.get("op"), "status": note["status"]}
    if row is None:  # rolled back or deleted since: nothing to place on a map
        return None, message
    event_no, title, status, category, reported_at, lon, lat, path = row
    message.update(
        event_no=event_no, title=title, status=status,
        status_label=STATUS_LABELS[Status(status)], category=category,
        reported_at=reported_at.isoformat(), lon=lon, lat=lat,
    )  # fmt: skip
    return path, message


class EventFeed:
    """Started on the first subscriber; stopped with the application."""

    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()

    def subscribe(self, scope_path: str | None) -> Subscriber:
        sub = Subscriber(scope_path, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(sub)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="event-feed", daemon=True)
                self._thread.start()
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def publish(self, path: str | None, message: dict[str, Any]) -> int:
        with self._lock:
            targets = [s for s in self._subscribers if s.wants(path)]
        for sub in targets:
            try:
                sub.loop.call_soon_threadsafe(sub.offer, message)
            except RuntimeError:  # the screen's loop is closed: it is going away
                self.unsubscribe(sub)
        return len(targets)

    def _run(self) -> None:
        url = get_database_settings().url.replace("postgresql+psycopg://", "postgresql://")
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    url, autocommit=True, connect_timeout=10, keepalives=1,
                    keepalives_idle=30, keepalives_interval=10, keepalives_count=3,
                ) as conn:  # fmt: skip
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    while not self._stop.is_set():
                        notes = list(conn.notifies(timeout=STOP_CHECK_S, stop_after=50))
                        for note in notes:
                            self.publish(*describe(conn, note.payload))
            except Exception:  # noqa: BLE001 - keep listening whatever went wrong
                log.exception("event feed lost its connection")
                self.ready.clear()
                self._stop.wait(2.0)
