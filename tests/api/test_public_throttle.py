"""The public inspection record holds each client address to a request rate; `verify`,
which recomputes a draw, to a lower one (api/throttle.py)."""

from __future__ import annotations

import pytest

from api.throttle import SlidingWindow


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_window_admits_the_limit_then_says_when_to_retry() -> None:
    clock = FakeClock()
    window = SlidingWindow(3, window=60, clock=clock)
    assert [window.retry_after("a") for _ in range(3)] == [0, 0, 0]
    clock.now += 20
    assert window.retry_after("a") == 40  # the first request leaves the window at +60
    assert window.retry_after("b") == 0  # another address has its own count
    clock.now += 40
    assert window.retry_after("a") == 0


def test_refused_requests_do_not_extend_the_wait() -> None:
    clock = FakeClock()
    window = SlidingWindow(1, window=10, clock=clock)
    assert window.retry_after("a") == 0
    for _ in range(5):
        clock.now += 1
        window.retry_after("a")
    clock.now += 5
    assert window.retry_after("a") == 0


def test_verify_is_refused_past_its_rate(anon_client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_PUBLIC_VERIFIES_PER_MINUTE", "2")
    url = "/public/inspection/draws/CQ2026-9999/verify"
    assert [anon_client.get(url).status_code for _ in range(2)] == [404, 404]
    refused = anon_client.get(url)
    assert refused.status_code == 429
    assert refused.json()["code"] == "TooManyRequests"
    assert "访问过于频繁" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Reading the record has its own, higher rate.
    assert anon_client.get("/public/inspection/draws").status_code == 200


def test_reads_are_refused_past_their_rate(anon_client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_PUBLIC_READS_PER_MINUTE", "3")
    codes = [anon_client.get("/public/inspection/draws").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
