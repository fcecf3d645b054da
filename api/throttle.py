"""Request rates of routes open without sign-in (the public inspection record).

Anyone on the intranet may read published draws, and `verify` recomputes a whole draw, so
one careless script could keep the database busy. Each client address gets a sliding
window of requests per route group; past it the answer is 429 with `Retry-After`. The
counts live in the process (one server per township; a restart forgets them, which only
errs on the lenient side).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from fastapi import HTTPException, Request
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.auth import client_ip

__all__ = ["SlidingWindow", "ThrottleSettings", "throttle"]

# Addresses remembered per group; the least recently seen are forgotten past it.
MAX_CLIENTS = 10_000


class ThrottleSettings(BaseSettings):
    """`APP_PUBLIC_READS_PER_MINUTE`, `APP_PUBLIC_VERIFIES_PER_MINUTE` (per client address)."""

    model_config = SettingsConfigDict(env_prefix="APP_", extra="ignore")

    public_reads_per_minute: int = 120
    public_verifies_per_minute: int = 10


class SlidingWindow:
    """At most `limit` requests per `window` seconds for each key."""

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # sync routes run on several worker threads

    def retry_after(self, key: str) -> int:
        """0 and the request counted when it may pass; else the seconds until it may."""
        now = self.clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            wait = 0
            if len(hits) >= self.limit:
                wait = max(1, math.ceil(hits[0] + self.window - now))
            else:
                hits.append(now)
            self._hits[key] = hits  # most recently seen last
            while len(self._hits) > MAX_CLIENTS:
                self._hits.popitem(last=False)
            return wait


def throttle(group: str) -> Callable[[Request], None]:
    """A dependency counting the caller's requests to `group` ("reads" or "verifies")."""

    def check(request: Request) -> None:
        windows: dict[str, SlidingWindow] = request.app.state.throttles
        window = windows.get(group)
        if window is None:
            limit = getattr(ThrottleSettings(), f"public_{group}_per_minute")
            window = windows.setdefault(group, SlidingWindow(limit))
        wait = window.retry_after(client_ip(request) or "unknown")
        if wait:
            raise HTTPException(
                429,
                f"访问过于频繁，请 {wait} 秒后再试",
                headers={"Retry-After": str(wait)},
            )

    return check
