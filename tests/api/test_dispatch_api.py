"""Spatial dispatch over HTTP (GIS-5): duplicates flagged in the report's answer and the
list, merging, the routing-rule CRUD with its permission, and the remaining-time colour."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import scalar
from tests.geo.event.event_flow import grid_point

API = "/api/v1/events"
RULES = "/api/v1/event-routing-rules"
Login = Callable[[str], dict[str, str]]


def _report(client: TestClient, headers: dict[str, str], db: Session, **extra: Any) -> dict:
    lon, lat = grid_point(db)
    body = {"title": "疑似废弃车辆", "category_code": "0101", "lon": lon, "lat": lat, **extra}
    r = client.post(API, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_duplicates_are_flagged_and_merged(
    client: TestClient, login_as: Login, db: Session
) -> None:
    grid, dispatcher = login_as("ys_grid"), login_as("ys_dispatcher")
    first = _report(client, grid, db)
    assert first["duplicate_of_candidates"] == [] and first["time_state"] == "green"
    second = _report(client, grid, db)
    assert [c["id"] for c in second["duplicate_of_candidates"]][:1] == [first["id"]]
    listed = client.get(API, params={"status": "reported"}, headers=dispatcher).json()["items"]
    flags = {e["id"]: e["suspected_duplicate"] for e in listed}
    assert flags[second["id"]] is True and flags[first["id"]] is False

    r = client.post(f"{API}/{second['id']}/merge", json={"into_id": first["id"]}, headers=grid)
    assert r.status_code == 403
    r = client.post(
        f"{API}/{second['id']}/merge", json={"into_id": first["id"], "opinion": "同一车辆"},
        headers=dispatcher,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["merged_into_id"] == first["id"]
    again = client.post(f"{API}/{second['id']}/merge", json={"into_id": first["id"]},
                        headers=dispatcher)  # fmt: skip
    assert again.status_code == 409 and "不能再合并" in again.json()["detail"]


def test_routing_rules_crud_and_suggestion(
    client: TestClient, login_as: Login, db: Session
) -> None:
    dispatcher = login_as("ys_dispatcher")
    town = scalar(db, "SELECT id FROM region WHERE code = '320582100000'")
    cgb = scalar(db, "SELECT id FROM department WHERE name = '杨舍城管办'")
    body = {"category_code": "0101", "region_id": town, "department_id": cgb}
    assert client.post(RULES, json=body, headers=login_as("ys_grid")).status_code == 403
    r = client.post(RULES, json=body, headers=dispatcher)
    assert r.status_code == 201, r.text
    rule = r.json()
    assert rule["region_name"] == "杨舍镇" and rule["department_name"] == "杨舍城管办"
    assert client.post(RULES, json=body, headers=dispatcher).status_code == 409

    event = _report(client, login_as("ys_grid"), db)
    detail = client.get(f"{API}/{event['id']}", headers=dispatcher).json()
    assert detail["suggested_department_id"] == cgb

    zf = scalar(db, "SELECT id FROM department WHERE name = '杨舍综合行政执法局'")
    r = client.put(f"{RULES}/{rule['id']}", json={"department_id": zf}, headers=dispatcher)
    assert r.status_code == 200 and r.json()["department_id"] == zf
    assert client.get(f"{RULES}/{rule['id']}", headers=login_as("tq_dispatcher")).status_code == 404
    assert client.delete(f"{RULES}/{rule['id']}", headers=dispatcher).status_code == 204
    assert client.get(RULES, headers=dispatcher).json() == []
