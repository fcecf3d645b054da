"""An idempotent report (APP-7): a phone retrying a report with the same key gets the
first work order (200) instead of a second one; photos sent after the replay attach to
that work order; two replays racing each other open exactly one; another user's equal
key is another report."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.routes import event_photos
from geo.core.db import get_engine
from geo.event import replay
from geo.event.replay import Submitted
from geo.event.schemas import EventCreate
from geo.file.settings import FileSettings
from geo.file.store import LocalFileStore
from tests.conftest import scalar
from tests.geo.event.event_flow import grid_point
from tests.geo.org.racing import actor_named, race

API = "/api/v1"
Login = Callable[[str], dict[str, str]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


def _key() -> str:
    return str(uuid.uuid4())


def _body(db: Session, username: str = "ys_grid", **extra: object) -> dict[str, object]:
    lon, lat = grid_point(db, username)
    return {"title": "占道经营", "category_code": "0101", "lon": lon, "lat": lat, **extra}


def _count(db: Session, key: str) -> int:
    return int(scalar(db, "SELECT count(*) FROM event WHERE client_ref = :k", k=key))  # type: ignore[arg-type]


def test_same_key_twice_is_one_event(client: TestClient, login_as: Login, db: Session) -> None:
    headers = login_as("ys_grid")
    key = _key()
    first = client.post(f"{API}/events", json=_body(db, client_ref=key), headers=headers)
    assert first.status_code == 201, first.text
    again = client.post(f"{API}/events", json=_body(db, client_ref=key), headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["event_no"] == first.json()["event_no"]
    assert _count(db, key) == 1


def test_the_header_key_works_like_the_field(
    client: TestClient, login_as: Login, db: Session
) -> None:
    headers = {**login_as("ys_grid"), "Idempotency-Key": _key()}
    first = client.post(f"{API}/events", json=_body(db), headers=headers)
    assert first.status_code == 201, first.text
    again = client.post(
        f"{API}/events", json=_body(db, client_ref=headers["Idempotency-Key"]), headers=headers
    )
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert _count(db, headers["Idempotency-Key"]) == 1


def test_without_a_key_each_report_is_new(client: TestClient, login_as: Login, db: Session) -> None:
    headers = login_as("ys_grid")
    ids = {client.post(f"{API}/events", json=_body(db), headers=headers).json()["id"] for _ in "ab"}
    assert len(ids) == 2


def test_other_users_same_key_are_two_events(
    client: TestClient, login_as: Login, db: Session
) -> None:
    key = _key()
    one = client.post(f"{API}/events", json=_body(db, client_ref=key), headers=login_as("ys_grid"))
    two = client.post(
        f"{API}/events", json=_body(db, "ys_grid", client_ref=key), headers=login_as("ys_wg01")
    )
    assert (one.status_code, two.status_code) == (201, 201), two.text
    assert one.json()["id"] != two.json()["id"]
    assert _count(db, key) == 2


def test_bad_or_conflicting_keys_are_refused(
    client: TestClient, login_as: Login, db: Session
) -> None:
    headers = login_as("ys_grid")
    short = client.post(f"{API}/events", json=_body(db, client_ref="abc"), headers=headers)
    assert short.status_code == 422
    odd = client.post(f"{API}/events", json=_body(db, client_ref="键" * 10), headers=headers)
    assert odd.status_code == 422
    clash = client.post(
        f"{API}/events",
        json=_body(db, client_ref=_key()),
        headers={**headers, "Idempotency-Key": _key()},
    )
    assert clash.status_code == 422
    assert "不一致" in clash.json()["detail"]


@pytest.fixture
def store(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    settings = FileSettings(file_root=tmp_path, max_photo_bytes=1024)
    monkeypatch.setattr(event_photos, "get_file_settings", lambda: settings)
    app = client.app
    app.dependency_overrides[event_photos.get_file_store] = lambda: LocalFileStore(tmp_path)
    yield tmp_path
    app.dependency_overrides.pop(event_photos.get_file_store, None)


def test_photos_after_a_replay_attach_to_the_first_event(
    client: TestClient, login_as: Login, db: Session, store: Path
) -> None:
    headers = login_as("ys_grid")
    key = _key()
    first = client.post(f"{API}/events", json=_body(db, client_ref=key), headers=headers)
    again = client.post(f"{API}/events", json=_body(db, client_ref=key), headers=headers)
    event_id = again.json()["id"]
    up = client.post(
        f"{API}/events/{event_id}/photos",
        files=[("files", ("现场.png", PNG, "image/png"))],
        data={"kind": "report"},
        headers=headers,
    )
    assert up.status_code == 201, up.text
    photos = client.get(f"{API}/events/{first.json()['id']}/photos", headers=headers).json()
    assert len(photos) == 1


# ---- two submissions at once (committed data, cleaned up) ---------------------------------
@pytest.fixture
def committed_key(demo_area) -> Iterator[str]:  # noqa: ANN001
    key = _key()
    try:
        yield key
    finally:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM event WHERE client_ref = :k"), {"k": key})


def test_two_concurrent_replays_open_one_event(committed_key: str) -> None:
    actor = actor_named("ys_grid")
    with Session(get_engine()) as s:
        lon, lat = grid_point(s)
    data = EventCreate(
        title="并发重复上报", category_code="0101", lon=lon, lat=lat, client_ref=committed_key
    )
    firsts: list[Submitted] = []

    def first(session: Session) -> None:
        firsts.append(replay.submit_report(session, actor=actor, data=data))

    def second(session: Session) -> Submitted:
        return replay.submit_report(session, actor=actor, data=data)

    outcome = race(first, second)
    assert isinstance(outcome, Submitted), outcome
    assert firsts[0].created and not outcome.created
    assert outcome.event.id == firsts[0].event.id
    with get_engine().connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM event WHERE client_ref = :k"), {"k": committed_key}
        ).scalar_one()
    assert count == 1
