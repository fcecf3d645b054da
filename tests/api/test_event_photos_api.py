"""Photos of a work order over HTTP: upload, list and download as the 杨舍镇 users; the
type and size refusals; another town sees neither the photos nor the files (404)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.routes import event_photos
from geo.file.settings import FileSettings
from geo.file.store import LocalFileStore, sha256_of
from tests.conftest import scalar
from tests.geo.event.event_flow import grid_point

API = "/api/v1"
Login = Callable[[str], dict[str, str]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x02" * 64


@pytest.fixture
def store(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    settings = FileSettings(file_root=tmp_path, max_photo_bytes=1024)
    monkeypatch.setattr(event_photos, "get_file_settings", lambda: settings)
    app = client.app
    app.dependency_overrides[event_photos.get_file_store] = lambda: LocalFileStore(tmp_path)
    yield tmp_path
    app.dependency_overrides.pop(event_photos.get_file_store, None)


def _event(client: TestClient, headers: dict[str, str], db: Session) -> int:
    lon, lat = grid_point(db)
    body = {"title": "占道经营", "category_code": "0101", "lon": lon, "lat": lat}
    r = client.post(f"{API}/events", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _upload(
    client: TestClient,
    headers: dict[str, str],
    event_id: int,
    files: list[tuple[str, bytes, str]],
    kind: str = "report",
) -> httpx.Response:
    return client.post(
        f"{API}/events/{event_id}/photos",
        files=[("files", f) for f in files],
        data={"kind": kind},
        headers=headers,
    )


def test_upload_list_and_download(
    client: TestClient, login_as: Login, db: Session, store: Path
) -> None:
    grid = login_as("ys_grid")
    event_id = _event(client, grid, db)
    r = _upload(client, grid, event_id, [("现场.jpg", PNG, "image/jpeg"), ("b.jpg", JPEG, "")])
    assert r.status_code == 201, r.text
    uploaded = r.json()
    assert [(p["media_type"], p["size"], p["kind"]) for p in uploaded] == [
        ("image/png", len(PNG), "report"),  # the bytes, not the name or declared type
        ("image/jpeg", len(JPEG), "report"),
    ]
    assert uploaded[0]["sha256"] == sha256_of(PNG)
    assert uploaded[0]["uploaded_by_name"] and uploaded[0]["kind_label"] == "上报照片"

    listed = client.get(f"{API}/events/{event_id}/photos", headers=login_as("ys_dispatcher"))
    assert listed.status_code == 200
    assert [p["sha256"] for p in listed.json()] == [sha256_of(PNG), sha256_of(JPEG)]

    got = client.get(uploaded[0]["url"], headers=login_as("ys_dispatcher"))
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["etag"] == f'"{sha256_of(PNG)}"'
    assert "immutable" in got.headers["cache-control"]
    again = client.get(uploaded[0]["url"], headers={**grid, "If-None-Match": got.headers["etag"]})
    assert again.status_code == 304 and again.content == b""

    stored = scalar(db, "SELECT size FROM stored_file WHERE sha256 = :s", s=sha256_of(PNG))
    assert stored == len(PNG)
    assert (store / sha256_of(PNG)[:2] / sha256_of(PNG)[2:4] / sha256_of(PNG)).exists()


def test_the_same_photo_twice_is_stored_once_and_the_upload_is_audited(
    client: TestClient, login_as: Login, db: Session, store: Path
) -> None:
    grid = login_as("ys_grid")
    event_id = _event(client, grid, db)
    for _ in range(2):
        assert _upload(client, grid, event_id, [("a.png", PNG, "image/png")]).status_code == 201
    sha = sha256_of(PNG)
    assert scalar(db, "SELECT count(*) FROM stored_file WHERE sha256 = :s", s=sha) == 1
    assert scalar(db, "SELECT count(*) FROM event_photo WHERE event_id = :e", e=event_id) == 2
    audited = db.execute(
        text(
            "SELECT action, actor_name, after FROM audit_log"
            " WHERE object_type = 'event' AND object_id = :e AND action = 'event.photo_upload'"
        ),
        {"e": str(event_id)},
    ).all()
    assert len(audited) == 2
    assert audited[0].after == {"kind": "report", "photos": [sha]}
    assert [p for p in store.rglob("*") if p.is_file()] == [store / sha[:2] / sha[2:4] / sha]


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"not a photo at all", 415, "不是 JPEG、PNG 或 WebP"),
        (JPEG + b"\x00" * 2048, 413, "太大"),
        (b"", 422, "空文件"),
    ],
)
def test_refused_files_store_nothing(
    client: TestClient,
    login_as: Login,
    db: Session,
    store: Path,
    content: bytes,
    status: int,
    words: str,
) -> None:
    grid = login_as("ys_grid")
    event_id = _event(client, grid, db)
    files = [("good.png", PNG, "image/png"), ("bad.jpg", content, "image/jpeg")]
    r = _upload(client, grid, event_id, files)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"] and "bad.jpg" in r.json()["detail"]
    assert scalar(db, "SELECT count(*) FROM event_photo WHERE event_id = :e", e=event_id) == 0
    assert [p for p in store.rglob("*") if p.is_file()] == []


def test_another_town_sees_neither_the_photos_nor_the_files(
    client: TestClient, login_as: Login, db: Session, store: Path
) -> None:
    grid = login_as("ys_grid")
    event_id = _event(client, grid, db)
    url = _upload(client, grid, event_id, [("a.png", PNG, "image/png")]).json()[0]["url"]
    other = login_as("tq_dispatcher")
    r = client.get(f"{API}/events/{event_id}/photos", headers=other)
    assert r.status_code == 404 and "管辖范围" in r.json()["detail"]
    assert _upload(client, login_as("tq_grid"), event_id, [("b.jpg", JPEG, "")]).status_code == 404
    r = client.get(url, headers=other)
    assert r.status_code == 404 and "未找到该文件" in r.json()["detail"]
    assert client.get(url, headers=login_as("ys_dispatcher")).status_code == 200
    # A hash of nothing attached, and a malformed one, are just as unknown.
    assert client.get(f"{API}/files/{'0' * 64}", headers=grid).status_code == 404
    assert client.get(f"{API}/files/not-a-hash", headers=grid).status_code == 404


def test_uploading_needs_report_or_handle(
    client: TestClient, login_as: Login, db: Session, store: Path
) -> None:
    event_id = _event(client, login_as("ys_grid"), db)
    r = _upload(client, login_as("ys_leader"), event_id, [("a.png", PNG, "image/png")])
    assert r.status_code == 403, r.text
    assert "不能上传照片" in r.json()["detail"]
    r = _upload(client, login_as("ys_handler"), event_id, [("a.png", PNG, "")], kind="feedback")
    assert r.status_code == 201 and r.json()[0]["kind"] == "feedback"
