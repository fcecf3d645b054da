"""Listens for committed edits (PostgreSQL NOTIFY from statement triggers) and evicts the
cached tiles they touch. If the connection drops, everything cached is dropped: a missed
notification must never leave a stale tile behind."""

from __future__ import annotations

import json
import logging
import threading

import psycopg

from geo.core.settings import get_database_settings
from tiles.cache import TileCache
from tiles.registry import SOURCES_BY_TABLE

CHANNEL = "feature_change"
STOP_CHECK_S = 0.2
log = logging.getLogger(__name__)


def apply(cache: TileCache, payload: str) -> int:
    change = json.loads(payload)
    sources = SOURCES_BY_TABLE.get(change.get("table"), set())
    bbox = change.get("bbox")
    return cache.invalidate(sources, tuple(bbox) if bbox else None)


class InvalidationListener:
    def __init__(self, cache: TileCache) -> None:
        self.cache = cache
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tile-invalidation", daemon=True)
        self.ready = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        url = get_database_settings().url.replace("postgresql+psycopg://", "postgresql://")
        while not self._stop.is_set():
            try:
                # Keepalives: a silently dead connection (NAT, firewall) must surface as an
                # error, or the cache would never hear of edits again.
                with psycopg.connect(
                    url,
                    autocommit=True,
                    connect_timeout=10,
                    keepalives=1,
                    keepalives_idle=30,
                    keepalives_interval=10,
                    keepalives_count=3,
                    tcp_user_timeout=60_000,
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.cache.clear()  # anything cached before we listened may be stale
                    self.ready.set()
                    while not self._stop.is_set():
                        # A short wait: stopping (every test client's shutdown) is prompt.
                        for note in conn.notifies(timeout=STOP_CHECK_S, stop_after=100):
                            apply(self.cache, note.payload)
            except Exception:  # noqa: BLE001 - keep listening whatever went wrong
                log.exception("tile invalidation listener lost its connection")
                self.ready.clear()
                self.cache.clear()
                self._stop.wait(2.0)
