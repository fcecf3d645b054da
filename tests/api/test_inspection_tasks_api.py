"""Inspection tasks and the red / white / black lists over HTTP, as the phone app and the
web form use them: my tasks → confirm → save → submit, photos, the list history and
manual moves; status codes for others (403 without the permission or off the team, 404
in another town, 409 stale, 422 bad input)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.routes import event_photos, inspection_tasks
from geo.file.settings import FileSettings
from geo.file.store import LocalFileStore, sha256_of
from tests.geo.inspection.inspection_scene import Scene, make_scene

API = "/api/v1/inspection"
Login = Callable[[str], dict[str, str]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


@pytest.fixture
def scene(db: Session) -> Scene:
    return make_scene(db)


@pytest.fixture
def store(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    settings = FileSettings(file_root=tmp_path, max_photo_bytes=1024)
    monkeypatch.setattr(inspection_tasks, "get_file_settings", lambda: settings)
    app = client.app
    app.dependency_overrides[event_photos.get_file_store] = lambda: LocalFileStore(tmp_path)
    yield tmp_path
    app.dependency_overrides.pop(event_photos.get_file_store, None)


def test_an_officer_confirms_scores_saves_and_submits(
    client: TestClient, login_as: Login, scene: Scene
) -> None:
    officer = login_as("ys_officer")
    a = scene.assignment(scene.object("white"))
    mine = client.get(f"{API}/tasks/mine", params={"view": "open"}, headers=officer).json()
    assert [r["id"] for r in mine["items"]] == [a.id]
    assert mine["items"][0]["status_label"] == "待确认"

    form = client.get(f"{API}/assignments/{a.id}", headers=officer).json()
    assert form["actions"] == ["confirm"] and form["object"]["risk_list_label"] == "白库"
    assert [m["is_leader"] for m in form["team"]] == [True, False]
    r = client.post(f"{API}/assignments/{a.id}/confirm", json={"expected_status": "to_confirm"},
                    headers=officer)  # fmt: skip
    assert r.status_code == 200 and r.json()["actions"] == ["save", "submit"]
    again = client.post(f"{API}/assignments/{a.id}/confirm", json={"expected_status": "to_confirm"},
                        headers=officer)  # fmt: skip
    assert again.status_code == 409 and "已确认" in again.json()["detail"]

    contents = [line["content_id"] for item in form["check_list"] for line in item["lines"]]
    partial = {"expected_status": "confirmed", "note": "现场检查中",
               "results": [{"content_id": contents[0], "score": 8, "passed": True}]}  # fmt: skip
    saved = client.put(f"{API}/assignments/{a.id}/results", json=partial, headers=officer)
    assert saved.status_code == 200 and saved.json()["status"] == "confirmed"
    early = client.post(f"{API}/assignments/{a.id}/submit", json={}, headers=officer)
    assert early.status_code == 422 and "尚未评分" in early.json()["detail"]

    rest = [{"content_id": c, "score": 10, "passed": True} for c in contents[1:]]
    body = {"expected_status": "confirmed", "results": rest, "note": "整体良好"}
    r = client.post(f"{API}/assignments/{a.id}/submit", json=body, headers=officer)
    assert r.status_code == 200, r.text
    outcome = r.json()
    assert (outcome["passed"], outcome["score"], outcome["max_score"]) == (True, 28, 30)
    assert outcome["list_change"]["to_weight"] == 0.9
    assert outcome["assignment"]["status"] == "submitted" and outcome["assignment"]["actions"] == []
    late = client.put(f"{API}/assignments/{a.id}/results", json=partial, headers=officer)
    assert late.status_code == 409
    done = client.get(f"{API}/tasks/mine", params={"view": "completed"}, headers=officer).json()
    assert done["items"][0]["id"] == a.id and done["items"][0]["passed"] is True
    moves = client.get(f"{API}/lists/moves", params={"enterprise_id": a.enterprise_id},
                       headers=officer).json()  # fmt: skip
    assert [m["assignment_id"] for m in moves["items"]] == [a.id]


def test_bad_input_is_422(client: TestClient, login_as: Login, scene: Scene) -> None:
    officer = login_as("ys_officer")
    a = scene.assignment()
    client.post(f"{API}/assignments/{a.id}/confirm", json={}, headers=officer)
    content = scene.check_list.contents[0].id
    for line in ({"content_id": content, "score": 11, "passed": True},
                 {"content_id": content, "score": -1, "passed": True},
                 {"content_id": 2**40, "score": 1, "passed": True}):  # fmt: skip
        r = client.put(f"{API}/assignments/{a.id}/results", json={"results": [line]},
                       headers=officer)  # fmt: skip
        assert r.status_code == 422, line
    assert (
        client.get(f"{API}/tasks/mine", params={"cursor": "x"}, headers=officer).status_code == 422
    )


def test_who_may_see_and_act(client: TestClient, login_as: Login, scene: Scene) -> None:
    a = scene.assignment()
    tq = login_as("tq_officer")
    assert client.get(f"{API}/assignments/{a.id}", headers=tq).status_code == 404
    assert client.post(f"{API}/assignments/{a.id}/confirm", json={}, headers=tq).status_code == 404
    assert client.get(f"{API}/tasks/{a.task_id}", headers=tq).status_code == 404
    legal = login_as("ys_legal")  # may view, may not perform
    form = client.get(f"{API}/assignments/{a.id}", headers=legal).json()
    assert (form["on_team"], form["actions"]) == (False, [])
    assert (
        client.post(f"{API}/assignments/{a.id}/confirm", json={}, headers=legal).status_code == 403
    )
    task = client.get(f"{API}/tasks/{a.task_id}", headers=legal).json()
    assert task["task"]["total"] == 1 and task["assignments"][0]["id"] == a.id
    assert client.get(f"{API}/tasks/mine", headers=legal).status_code == 403


def test_photos_are_attached_while_confirmed(
    client: TestClient, login_as: Login, scene: Scene, store: Path
) -> None:
    officer = login_as("ys_officer")
    a = scene.assignment()
    files = [("files", ("现场.png", PNG, "image/png"))]
    early = client.post(f"{API}/assignments/{a.id}/photos", files=files, headers=officer)
    assert early.status_code == 409
    client.post(f"{API}/assignments/{a.id}/confirm", json={}, headers=officer)
    r = client.post(f"{API}/assignments/{a.id}/photos", files=files, headers=officer)
    assert r.status_code == 201, r.text
    [photo] = r.json()
    assert photo["sha256"] == sha256_of(PNG)
    got = client.get(photo["url"], headers=login_as("ys_legal"))
    assert got.status_code == 200 and got.content == PNG
    assert client.get(photo["url"], headers=login_as("tq_officer")).status_code == 404
    form = client.get(f"{API}/assignments/{a.id}", headers=officer).json()
    assert [p["id"] for p in form["photos"]] == [photo["id"]]
    bad = [("files", ("假.png", b"not a photo", "image/png"))]
    refused = client.post(f"{API}/assignments/{a.id}/photos", files=bad, headers=officer)
    assert refused.status_code in (415, 422)


def test_lists_moves_and_rules(client: TestClient, login_as: Login, scene: Scene) -> None:
    obj = scene.object("white")
    officer = login_as("ys_officer")
    listed = client.get(f"{API}/lists", params={"list": "white", "q": "抽查测试企业"},
                        headers=officer).json()  # fmt: skip
    assert obj in {o["id"] for o in listed["items"]}
    counts = client.get(f"{API}/lists/counts", headers=officer).json()
    assert set(counts) == {"red", "white", "black"} and counts["white"] >= 1
    move = {"enterprise_id": obj, "to_list": "red", "expected_list": "white", "reason": "信用良好"}
    assert client.post(f"{API}/lists/moves", json=move, headers=officer).status_code == 403
    r = client.post(f"{API}/lists/moves", json=move)  # the administrator
    assert r.status_code == 201 and r.json()["to_list"] == "red"
    assert client.post(f"{API}/lists/moves", json=move).status_code == 409
    assert client.post(f"{API}/lists/moves", json={**move, "reason": ""}).status_code == 422
    history = client.get(f"{API}/lists/moves", params={"enterprise_id": obj}).json()["items"]
    assert [(m["kind"], m["reason"]) for m in history] == [("manual", "信用良好")]
    rules = client.get(f"{API}/lists/rules", headers=officer).json()
    assert {r["key"]: r["value"] for r in rules["rules"]} == {
        "inspection.promote_after": 3, "inspection.demote_after": 2,
        "inspection.pass_weight_step": 0.1, "inspection.fail_weight_step": 0.2,
        "inspection.pass_ratio": 0.6,
    }  # fmt: skip
    assert (rules["weight_floor"], rules["weight_cap"]) == (0.1, 10.0)
    tq = login_as("tq_officer")
    assert (
        client.get(f"{API}/lists/moves", params={"enterprise_id": obj}, headers=tq).status_code
        == 404
    )
