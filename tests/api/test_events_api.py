"""The work-order API as the demo users use it: the manual's standard flow (a suspected
abandoned vehicle) end to end, the pool, lists and filters, and the refusals (401/403/
404/409/422) with Chinese reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import scalar
from tests.geo.event.event_flow import grid_point, user_id

API = "/api/v1/events"
Login = Callable[[str], dict[str, str]]


def _report(client: TestClient, headers: dict[str, str], db: Session, **extra: Any) -> dict:
    lon, lat = grid_point(db)
    body = {
        "title": "疑似废弃车辆", "category_code": "0101", "lon": lon, "lat": lat,
        "address": "人民路88号", "description": "一辆白色轿车长期停放，积满灰尘", **extra,
    }  # fmt: skip
    r = client.post(API, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _act(
    client: TestClient, headers: dict[str, str], event_id: int, action: str, **body: Any
) -> dict:
    r = client.post(f"{API}/{event_id}/{action}", json=body, headers=headers)
    assert r.status_code == 200, (action, r.text)
    return r.json()


def test_the_standard_flow_of_the_manual(client: TestClient, login_as: Login, db: Session) -> None:
    grid, dispatcher, handler = (
        login_as("ys_grid"),
        login_as("ys_dispatcher"),
        login_as("ys_handler"),
    )
    reported = _report(client, grid, db)
    event_id = reported["id"]
    assert reported["status"] == "reported" and reported["status_label"] == "待受理"
    assert reported["town_name"] == "杨舍镇" and reported["deadline"]

    seen = client.get(f"{API}/{event_id}", headers=dispatcher).json()
    assert seen["actions"] == ["claim", "cancel"]
    steps = [
        (dispatcher, "claim", {}, "claimed"),
        (dispatcher, "sign", {"opinion": "请处理"}, "accepted"),
        (dispatcher, "dispatch", {"user_id": user_id(db, "ys_handler")}, "dispatched"),
        (handler, "receive", {}, "handling"),
        (handler, "feedback", {"opinion": "已联系车主，车辆已移走"}, "to_close"),
        (dispatcher, "verify_task", {"user_id": user_id(db, "ys_grid")}, "verifying"),
        (grid, "verify", {"opinion": "现场核查，车辆已不在"}, "to_close"),
        (dispatcher, "close", {"opinion": "办结"}, "closed"),
    ]
    for headers, action, body, status in steps:
        detail = _act(client, headers, event_id, action, **body)
        assert detail["status"] == status, action
    assert detail["closed_at"] and detail["is_open"] is False and detail["actions"] == []
    history = detail["history"]
    assert [h["action"] for h in history] == ["report"] + [s[1] for s in steps]
    assert history[3]["target_user_name"] == "杨舍城管办·李梅"
    assert history[2]["opinion"] == "请处理" and history[2]["action_label"] == "签收"
    audited = scalar(
        db, "SELECT count(*) FROM audit_log WHERE object_type = 'event' AND object_id = :i",
        i=str(event_id),
    )  # fmt: skip
    assert audited == 1 + len(steps)


def test_a_stale_status_answers_409_with_the_current_one(
    client: TestClient, login_as: Login, db: Session
) -> None:
    dispatcher = login_as("ys_dispatcher")
    event_id = _report(client, login_as("ys_grid"), db)["id"]
    _act(client, dispatcher, event_id, "claim", expected_status="reported")
    r = client.post(
        f"{API}/{event_id}/claim", json={"expected_status": "reported"}, headers=dispatcher
    )
    assert r.status_code == 409
    assert r.json()["code"] == "Conflict" and "已索取" in r.json()["detail"]


def test_an_illegal_action_answers_409_with_what_is_allowed(
    client: TestClient, login_as: Login, db: Session
) -> None:
    event_id = _report(client, login_as("ys_grid"), db)["id"]
    r = client.post(f"{API}/{event_id}/close", json={}, headers=login_as("ys_dispatcher"))
    assert r.status_code == 409
    assert "不能结案" in r.json()["detail"] and "索取工单" in r.json()["detail"]


def test_missing_permission_is_403_and_missing_fields_422(
    client: TestClient, login_as: Login, db: Session
) -> None:
    event_id = _report(client, login_as("ys_grid"), db)["id"]
    r = client.post(f"{API}/{event_id}/claim", json={}, headers=login_as("ys_handler"))
    assert r.status_code == 403 and "event.dispatch" in r.json()["detail"]
    dispatcher = login_as("ys_dispatcher")
    _act(client, dispatcher, event_id, "claim")
    r = client.post(f"{API}/{event_id}/sign", json={"opinion": " "}, headers=dispatcher)
    assert r.status_code == 422 and "意见" in r.json()["detail"]


def test_another_town_gets_404(client: TestClient, login_as: Login, db: Session) -> None:
    event_id = _report(client, login_as("ys_grid"), db)["id"]
    tq = login_as("tq_dispatcher")
    assert client.get(f"{API}/{event_id}", headers=tq).status_code == 404
    r = client.post(f"{API}/{event_id}/claim", json={}, headers=tq)
    assert r.status_code == 404 and "管辖范围" in r.json()["detail"]
    listed = client.get(API, params={"status": "reported", "limit": 200}, headers=tq).json()
    assert event_id not in {e["id"] for e in listed["items"]}
    assert {e["town_name"] for e in listed["items"]} <= {"塘桥镇"}


def test_a_report_outside_every_grid_is_422_in_chinese(client: TestClient, login_as: Login) -> None:
    body = {"title": "测试", "category_code": "0101", "lon": 116.39, "lat": 39.91}
    r = client.post(API, json=body, headers=login_as("center"))
    assert r.status_code == 422 and "不在任何网格内" in r.json()["detail"]


def test_pool_and_claim(client: TestClient, login_as: Login, db: Session) -> None:
    dispatcher = login_as("ys_dispatcher")
    _report(client, login_as("ys_grid"), db)
    pool = client.get(f"{API}/pool", headers=dispatcher).json()["count"]
    assert pool >= 1
    r = client.post(f"{API}/claim", json={"count": 2}, headers=dispatcher)
    assert r.status_code == 200, r.text
    claimed = r.json()["claimed"]
    assert 1 <= len(claimed) <= 2 and r.json()["pool_left"] == pool - len(claimed)
    assert {e["status"] for e in claimed} == {"claimed"}
    assert {e["claimed_by_name"] for e in claimed} == {"杨舍分中心·孙晓"}
    mine = client.get(API, params={"mine": True, "limit": 200}, headers=dispatcher).json()
    assert {e["id"] for e in claimed} <= {e["id"] for e in mine["items"]}
    too_many = client.post(f"{API}/claim", json={"count": 1000}, headers=dispatcher)
    assert too_many.status_code == 422


def test_the_list_pages_by_keyset_and_filters(
    client: TestClient, login_as: Login, db: Session
) -> None:
    center = login_as("center")
    first = client.get(API, params={"limit": 3}, headers=center).json()
    second = client.get(API, params={"limit": 3, "cursor": first["next_cursor"]}, headers=center)
    ids = [e["id"] for e in first["items"]] + [e["id"] for e in second.json()["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6
    closed = client.get(API, params={"status": ["closed", "cancelled"]}, headers=center).json()
    assert closed["items"] and {e["status"] for e in closed["items"]} <= {"closed", "cancelled"}
    roads = client.get(API, params={"category": "05"}, headers=center).json()
    assert roads["items"] and all(e["category_code"].startswith("05") for e in roads["items"])
    lon, lat = grid_point(db)
    box = f"{lon - 0.002},{lat - 0.002},{lon + 0.002},{lat + 0.002}"
    near = client.get(API, params={"bbox": box, "limit": 200}, headers=center).json()
    assert all(abs(e["lon"] - lon) <= 0.002 and abs(e["lat"] - lat) <= 0.002 for e in near["items"])
    town = scalar(db, "SELECT id FROM region WHERE code = '320582101000'")
    in_tq = client.get(API, params={"region_id": town}, headers=center).json()
    assert in_tq["items"] and {e["town_name"] for e in in_tq["items"]} == {"塘桥镇"}
    hidden = client.get(API, params={"region_id": town}, headers=login_as("ys_dispatcher"))
    assert hidden.status_code == 404


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "3,3,1,1"])
def test_a_bad_bbox_is_422(client: TestClient, login_as: Login, bbox: str) -> None:
    r = client.get(API, params={"bbox": bbox}, headers=login_as("center"))
    assert r.status_code == 422 and "bbox" in r.json()["detail"]


def test_every_action_has_its_route(client: TestClient) -> None:
    from geo.event.workflow import Action

    paths = client.get("/openapi.json").json()["paths"]
    assert {f"{API}/{{event_id}}/{a.value}" for a in Action} <= set(paths)
