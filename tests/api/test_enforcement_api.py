"""The patrol, task-dispatch and case API over HTTP: permissions (403), region isolation
(404), attachments of common document types checked by their bytes, a task walked from
registration to a case, and a check-in with a photo."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from tests.geo.task.task_flow import grid_point, squad_of, user_id

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def as_user(login_as) -> Any:  # noqa: ANN001
    return login_as


def _register(client: TestClient, db: Session, headers: dict[str, str]) -> dict[str, Any]:
    lon, lat = grid_point(db)
    r = client.post(
        f"{API}/enforcement-tasks",
        json={"title": "核查违章搭建", "description": "群众举报某小区违章搭建",
              "source": "区城管局", "lon": lon, "lat": lat},
        headers=headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def _act(
    client: TestClient, task: dict[str, Any], action: str, headers: dict[str, str], **body: Any
) -> Any:
    return client.post(
        f"{API}/enforcement-tasks/{task['id']}/{action}",
        json={"expected_status": task["status"], **body},
        headers=headers,
    )


def test_a_task_from_registration_to_a_case(client: TestClient, db: Session, as_user) -> None:
    leader, officer = as_user("ys_squad"), as_user("ys_officer")
    task = _register(client, db, leader)
    files = [
        ("files", ("交办单.pdf", PDF, "application/pdf")),
        ("files", ("现场.png", PNG, "image/png")),
    ]
    r = client.post(f"{API}/enforcement-tasks/{task['id']}/attachments", files=files,
                    data={"kind": "matter"}, headers=leader)  # fmt: skip
    assert r.status_code == 201, r.text
    pdf = r.json()[0]
    got = client.get(pdf["url"], headers=leader)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%E4%BA%A4" in got.headers["content-disposition"]

    r = _act(client, task, "send_to_squad", leader, squad_id=squad_of(db, "ys_squad"))
    assert r.status_code == 200, r.text
    r = _act(client, r.json(), "redispatch", leader, user_id=user_id(db, "ys_officer"))
    assert r.status_code == 200 and r.json()["assignee_id"] == user_id(db, "ys_officer")
    assert client.get(pdf["url"], headers=officer).status_code == 200  # the assignee reads it
    r = _act(client, r.json(), "receive", officer)
    assert r.status_code == 200 and r.json()["status"] == "handling"
    case_body = {
        "procedure": "simple",
        "title": "违章搭建",
        "facts": "搭建彩钢棚",
        "party_name": "李四",
    }
    r = _act(client, r.json(), "convert", officer, case=case_body)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "converted" and [h["action"] for h in done["history"]] == [
        "register", "send_to_squad", "redispatch", "receive", "convert",
    ]  # fmt: skip
    case = client.get(f"{API}/cases/{done['case_id']}", headers=officer)
    assert case.status_code == 200 and case.json()["task_id"] == task["id"]
    assert (
        client.get(f"{API}/cases/{done['case_id']}", headers=as_user("tq_officer")).status_code
        == 404
    )


def test_permissions_and_scope(client: TestClient, db: Session, as_user) -> None:
    task = _register(client, db, as_user("ys_squad"))
    lon, lat = grid_point(db)
    officer = as_user("ys_officer")  # task.perform only
    r = client.post(f"{API}/enforcement-tasks", json={"title": "x", "description": "y", "lon": lon,
                    "lat": lat}, headers=officer)  # fmt: skip
    assert r.status_code == 403 and "task.dispatch" in r.json()["detail"]
    assert (
        client.get(f"{API}/enforcement-tasks/{task['id']}", headers=as_user("tq_squad")).status_code
        == 404
    )
    assert client.get(f"{API}/enforcement-tasks", headers=as_user("ys_grid")).status_code == 403
    assert client.get(f"{API}/patrols/today", headers=as_user("ys_grid")).status_code == 403
    assert client.get(f"{API}/patrol-plans", headers=officer).status_code == 403
    r = _act(client, task, "receive", officer)  # not dispatched yet: the table says no
    assert r.status_code in (404, 409)
    stale = _act(client, {**task, "status": "handling"}, "cancel", as_user("ys_squad"), reason="x")
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("病毒.pdf", b"MZ\x90\x00 not a pdf", 415),
        ("a.exe", b"MZ\x90\x00", 415),
        ("空.pdf", b"", 422),
    ],
)
def test_a_false_or_unknown_file_is_refused(
    client: TestClient, db: Session, as_user, name: str, data: bytes, status: int
) -> None:
    leader = as_user("ys_squad")
    task = _register(client, db, leader)
    r = client.post(f"{API}/enforcement-tasks/{task['id']}/attachments",
                    files=[("files", (name, data, "application/pdf"))], data={"kind": "matter"},
                    headers=leader)  # fmt: skip
    assert r.status_code == status, r.text


def test_feedback_files_are_the_assignees(client: TestClient, db: Session, as_user) -> None:
    leader = as_user("ys_squad")
    task = _register(client, db, leader)
    r = client.post(f"{API}/enforcement-tasks/{task['id']}/attachments",
                    files=[("files", ("a.png", PNG, "image/png"))], data={"kind": "feedback"},
                    headers=leader)  # fmt: skip
    assert r.status_code == 403


def test_a_check_in_with_a_photo(client: TestClient, db: Session, as_user) -> None:
    leader, officer = as_user("ys_squad"), as_user("ys_officer")
    today = datetime.now(SHANGHAI).date()
    r = client.get(f"{API}/patrol-plans/officers", headers=leader)
    assert user_id(db, "ys_officer") in {o["id"] for o in r.json()}
    assert user_id(db, "tq_officer") not in {o["id"] for o in r.json()}
    plan = client.post(f"{API}/patrol-plans", headers=leader, json={
        "name": "城区日常巡检", "kind": "daily", "start_date": str(today),
        "end_date": str(today + timedelta(days=10)), "weekdays": list(range(1, 8)),
        "officer_ids": [user_id(db, "ys_officer")],
    })  # fmt: skip
    assert plan.status_code == 201, plan.text
    lon, lat = grid_point(db)
    r = client.post(f"{API}/patrol-check-ins", headers=officer, json={
        "plan_id": plan.json()["id"], "lon": lon, "lat": lat, "accuracy_m": 12,
        "findings": "路面整洁", "problem_found": False,
    })  # fmt: skip
    assert r.status_code == 201, r.text
    check_in = r.json()
    r = client.post(f"{API}/patrol-check-ins/{check_in['id']}/photos", headers=officer,
                    files=[("files", ("现场.png", PNG, "image/png"))])  # fmt: skip
    assert r.status_code == 201, r.text
    photo = r.json()[0]
    assert client.get(photo["url"], headers=leader).content == PNG
    assert client.get(photo["url"], headers=as_user("tq_squad")).status_code == 404
    detail = client.get(f"{API}/patrol-check-ins/{check_in['id']}", headers=leader).json()
    assert detail["photo_count"] == 1 and detail["photos"][0]["id"] == photo["id"]
    layer = client.get(f"{API}/patrol-check-ins/map", headers=leader,
                       params={"date_from": str(today), "date_to": str(today)})  # fmt: skip
    assert check_in["id"] in {f["id"] for f in layer.json()["features"]}
    r = client.post(f"{API}/patrol-check-ins", headers=officer, json={
        "plan_id": plan.json()["id"], "lon": lat, "lat": lon, "accuracy_m": 12,
    })  # fmt: skip
    assert r.status_code == 422 and "经纬度顺序颠倒" in r.json()["detail"]


def test_route_options_are_the_planners_routes(client: TestClient, db: Session, as_user) -> None:
    ys, tq = as_user("ys_squad"), as_user("tq_squad")
    r = client.get(f"{API}/patrol-plans/routes", headers=ys, params={"limit": 100})
    assert r.status_code == 200, r.text
    ys_routes = r.json()
    assert ys_routes and all(o["region_name"] for o in ys_routes)
    kinds = [o["kind"] for o in ys_routes]
    assert kinds == sorted(kinds)  # daily routes first
    tq_ids = {o["id"] for o in client.get(f"{API}/patrol-plans/routes", headers=tq).json()}
    assert tq_ids and not tq_ids & {o["id"] for o in ys_routes}
    name = ys_routes[0]["name"]
    found = client.get(f"{API}/patrol-plans/routes", headers=ys, params={"q": name}).json()
    assert [o["name"] for o in found] == [name]
    assert (
        client.get(f"{API}/patrol-plans/routes", headers=as_user("ys_officer")).status_code == 403
    )
    # The chosen route is kept with the plan; another town's route is not found.
    today = datetime.now(SHANGHAI).date()
    body = {
        "name": "沿线日常巡检", "kind": "daily", "start_date": str(today),
        "end_date": str(today + timedelta(days=5)), "weekdays": [1, 2, 3, 4, 5],
        "officer_ids": [user_id(db, "ys_officer")], "route_id": ys_routes[0]["id"],
    }  # fmt: skip
    plan = client.post(f"{API}/patrol-plans", headers=ys, json=body)
    assert plan.status_code == 201, plan.text
    assert plan.json()["route_name"] == name
    foreign = client.post(f"{API}/patrol-plans", headers=ys, json={**body, "route_id": min(tq_ids)})
    assert foreign.status_code == 404
