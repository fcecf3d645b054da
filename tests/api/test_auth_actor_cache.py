"""Reads reuse a token's actor for a few seconds; anything that changes who may act
(sign-out, an account or role change) forgets it at once, and writes never use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.auth
from api.auth import ActorCache
from geo.core.actor import Actor, sessions_changed


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens the database was asked about, in order."""
    seen: list[str] = []
    real = api.auth.authenticate

    def counting(session: Any, *, token: str, **kw: Any) -> Any:
        seen.append(token)
        return real(session, token=token, **kw)

    monkeypatch.setattr(api.auth, "authenticate", counting)
    return seen


def test_repeated_reads_ask_the_database_once(
    anon_client: TestClient, login_as: Any, lookups: list[str]
) -> None:
    headers = login_as("ys_grid")
    for _ in range(5):
        assert anon_client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert len(lookups) == 1


def test_writes_always_ask_the_database(
    anon_client: TestClient, login_as: Any, lookups: list[str]
) -> None:
    headers = login_as("ys_clerk")
    anon_client.get("/api/v1/auth/me", headers=headers)
    windows = anon_client.get("/api/v1/auth/me", headers=headers).json()["windows"]
    for window in windows:
        body = {"window_id": window["id"]}
        assert anon_client.put("/api/v1/auth/window", json=body, headers=headers).status_code == 200
    assert len(lookups) == 1 + len(windows)


def test_sign_out_is_seen_by_the_next_read(anon_client: TestClient, login_as: Any) -> None:
    headers = login_as("ys_grid")
    assert anon_client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert anon_client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert anon_client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_a_role_change_is_seen_by_the_next_read(
    anon_client: TestClient, client: TestClient, login_as: Any, db: Any
) -> None:
    grid = login_as("ys_grid")
    assert anon_client.get("/api/v1/layers", headers=grid).status_code == 200
    revoked = [p for p in _grants(client, "grid_member") if p != "map.view"]
    patched = client.patch("/api/v1/org/roles/grid_member", json={"permissions": revoked})
    assert patched.status_code == 200, patched.text
    assert anon_client.get("/api/v1/layers", headers=grid).status_code == 403


def _grants(client: TestClient, role: str) -> list[str]:
    roles = {r["code"]: r for r in client.get("/api/v1/org/roles").json()}
    return list(roles[role]["permissions"])


def _actor() -> Actor:
    return Actor(1, "u", "U", 1, "320582000000", "district", (), frozenset())


def test_entries_end_with_their_session_their_age_or_any_change() -> None:
    cache = ActorCache(ttl=60)
    soon, gone = datetime.now(UTC) + timedelta(minutes=5), datetime.now(UTC) - timedelta(1)
    from geo.core.actor import sessions_epoch

    cache.put(b"a", _actor(), soon, sessions_epoch())
    cache.put(b"b", _actor(), gone, sessions_epoch())
    assert cache.get(b"a") == _actor() and cache.get(b"b") is None
    sessions_changed()
    assert cache.get(b"a") is None
    off = ActorCache(ttl=0)
    off.put(b"a", _actor(), soon, sessions_epoch())
    assert off.get(b"a") is None
    small = ActorCache(ttl=60, size=2)
    for key in (b"1", b"2", b"3"):
        small.put(key, _actor(), soon, sessions_epoch())
    assert small.get(b"1") is None and small.get(b"3") is not None
