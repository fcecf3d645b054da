"""The attendance API: who may call what, validation at the door, the reviewers' list,
detail as GeoJSON, review with 409, the monthly summary as JSON and CSV."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from tests.geo.attendance.attendance_places import beyond, inside

BASE = "/api/v1/attendance"


def _pending_demo_day(db: Session, username: str) -> int:
    """The oldest of the demo member's days still waiting for review (a past day)."""
    return int(
        db.execute(
            text("""SELECT d.id FROM attendance_day d JOIN user_account u ON u.id = d.user_id
                    WHERE u.username = :u AND d.status = 'pending' ORDER BY d.work_day LIMIT 1"""),
            {"u": username},
        ).scalar_one()
    )


def test_permissions(anon_client: TestClient, login_as: Callable, db: Session) -> None:
    day = _pending_demo_day(db, "ys_grid")
    assert anon_client.get(f"{BASE}/days").status_code == 401
    member, dispatcher = login_as("ys_grid"), login_as("ys_dispatcher")
    for method, path in (
        ("GET", "/days"),
        ("GET", f"/days/{day}"),
        ("GET", "/summary?month=2025-10"),
    ):
        answer = anon_client.request(method, BASE + path, headers=member)
        assert answer.status_code == 403, path
    approve = {"expected_status": "pending"}
    assert (
        anon_client.post(f"{BASE}/days/{day}/approve", json=approve, headers=member).status_code
        == 403
    )
    lon, lat = inside(db, "ys_grid")
    checked = anon_client.post(
        f"{BASE}/check-ins", json={"lon": lon, "lat": lat, "accuracy_m": 10}, headers=dispatcher
    )
    assert checked.status_code == 403
    assert "考勤签到" in checked.json()["detail"]


def test_check_in_and_read_my_day(anon_client: TestClient, login_as: Callable, db: Session) -> None:
    member = login_as("ys_grid")
    lon, lat = beyond(db, "ys_grid", 400)
    answer = anon_client.post(
        f"{BASE}/check-ins", json={"lon": lon, "lat": lat, "accuracy_m": 15, "note": "处置工单"},
        headers=member,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["verdict"], body["verdict_label"]) == ("out_of_grid", "网格外")
    assert abs(body["distance_m"] - 400) < 1 and body["allowance_m"] == 45
    today = datetime.now(SHANGHAI).date().isoformat()
    mine = anon_client.get(f"{BASE}/check-ins", headers=member).json()
    assert mine["work_day"] == today
    assert [c["id"] for c in mine["check_ins"]] == [body["id"]]
    assert (mine["day"]["out_count"], mine["day"]["status"]) == (1, "pending")


def test_bad_input_is_refused_with_a_reason(
    anon_client: TestClient, login_as: Callable, db: Session
) -> None:
    member = login_as("ys_grid")
    lon, lat = inside(db, "ys_grid")
    cases = [
        ({"lon": lon, "lat": lat, "accuracy_m": 0}, "accuracy_m"),
        ({"lon": lon, "lat": lat}, "accuracy_m"),
        ({"lon": lat, "lat": lon, "accuracy_m": 10}, "经纬度顺序颠倒"),
        ({"lon": 121.47, "lat": 31.23, "accuracy_m": 10}, "不在辖区范围内"),
    ]
    for body, reason in cases:
        answer = anon_client.post(f"{BASE}/check-ins", json=body, headers=member)
        assert answer.status_code == 422, body
        assert reason in answer.json()["detail"], answer.json()


def test_list_detail_and_review(anon_client: TestClient, login_as: Callable, db: Session) -> None:
    reviewer = login_as("ys_dispatcher")
    day = _pending_demo_day(db, "ys_grid")
    listed = anon_client.get(f"{BASE}/days", params={"status": "pending"}, headers=reviewer)
    assert listed.status_code == 200
    assert day in {d["id"] for d in listed.json()["items"]}
    detail = anon_client.get(f"{BASE}/days/{day}", headers=reviewer).json()
    assert detail["check_ins"]["type"] == "FeatureCollection"
    assert len(detail["check_ins"]["features"]) == detail["in_count"] + detail["out_count"]
    assert detail["grids"]["features"][0]["properties"]["name"] == detail["grid_name"]
    assert detail["actions"] == ["approve", "reject"]
    ok = anon_client.post(
        f"{BASE}/days/{day}/approve", json={"expected_status": "pending", "opinion": "同意"},
        headers=reviewer,
    )  # fmt: skip
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    late = anon_client.post(
        f"{BASE}/days/{day}/reject", json={"expected_status": "pending", "opinion": "不同意"},
        headers=login_as("center"),
    )  # fmt: skip
    assert late.status_code == 409
    assert "已通过" in late.json()["detail"]
    no_opinion = anon_client.post(
        f"{BASE}/days/{_pending_demo_day(db, 'ys_grid')}/reject",
        json={"expected_status": "pending"}, headers=reviewer,
    )  # fmt: skip
    assert no_opinion.status_code == 422


def test_another_town_sees_nothing(
    anon_client: TestClient, login_as: Callable, db: Session
) -> None:
    tq = login_as("tq_dispatcher")
    day = _pending_demo_day(db, "ys_grid")
    assert anon_client.get(f"{BASE}/days/{day}", headers=tq).status_code == 404
    assert (
        anon_client.post(
            f"{BASE}/days/{day}/approve", json={"expected_status": "pending"}, headers=tq
        ).status_code
        == 404
    )
    names = {
        d["user_name"]
        for d in anon_client.get(f"{BASE}/days?limit=200", headers=tq).json()["items"]
    }
    assert "塘桥网格员·沈浩" in names and all(n.startswith("塘桥") for n in names)


def test_summary_json_and_csv(client: TestClient) -> None:
    month = datetime.now(SHANGHAI).strftime("%Y-%m")
    summary = client.get(f"{BASE}/summary", params={"month": month})
    assert summary.status_code == 200
    rows = summary.json()["rows"]
    assert {"杨舍网格员·周杰", "塘桥网格员·沈浩", "杨舍网格员·刘洋"} <= {
        r["user_name"] for r in rows
    }
    download = client.get(f"{BASE}/summary.csv", params={"month": month})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert f"attendance-{month}.csv" in download.headers["content-disposition"]
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[0] == "网格员" and len(lines) == 1 + len(rows)
    assert client.get(f"{BASE}/summary", params={"month": "2025/10"}).status_code == 400
