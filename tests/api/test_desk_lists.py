"""The desks' lists (GM-8) over HTTP: the tabs 待办/已办 of the department desk, the grid
member's tabs, keyword and remaining-time filters with keyset paging, one town seeing
nothing of the other; the locate endpoint of the report form, the category dictionary,
the export of one work order, and the stale review of an extension."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.event import service
from geo.event.schemas import EventCreate
from geo.event.workflow import Status
from tests.geo.event.event_flow import fields, grid_point, performer, shortest_paths

API = "/api/v1/events"
Login = Callable[[str], dict[str, str]]


@pytest.fixture
def reach(db: Session, actor_of: Callable[[str], Actor]) -> Callable[..., int]:
    """`reach(status, title=…, category=…, town=…)`: a new work order walked to `status`
    by the demo users of 杨舍镇 (ys) or 塘桥镇 (tq); dispatched work orders go to the
    town's handler."""

    def make(
        status: Status = Status.REPORTED, *, title: str = "疑似废弃车辆",
        category: str = "0304", town: str = "ys",
    ) -> int:  # fmt: skip
        lon, lat = grid_point(db, f"{town}_grid")
        data = EventCreate(title=title, category_code=category, lon=lon, lat=lat)
        event_id = service.report_event(db, actor=actor_of(f"{town}_grid"), data=data).id
        for t in shortest_paths()[status]:
            values = fields(db, t)
            if town != "ys" and "user_id" in values:
                values["user_id"] = _user_id(
                    db,
                    "tq_handler"
                    if "handler" in performer(t) or t.action.value == "dispatch"
                    else "tq_grid",
                )
            who = performer(t).replace("ys_", f"{town}_")
            service.transition(
                db, actor=actor_of(who), event_id=event_id, action=t.action, **values
            )
        return event_id

    return make


def _user_id(db: Session, username: str) -> int:
    return int(db.execute(text("SELECT id FROM user_account WHERE username = :u"),
                          {"u": username}).scalar_one())  # fmt: skip


def _ids(client: TestClient, headers: dict[str, str], **params: Any) -> list[int]:
    r = client.get(API, params={"limit": 200, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return [e["id"] for e in r.json()["items"]]


def test_todo_then_done_after_feedback(
    client: TestClient, login_as: Login, reach: Callable[..., int]
) -> None:
    handler = login_as("ys_handler")
    waiting = reach(Status.HANDLING)
    assert waiting in _ids(client, handler, box="todo")
    assert waiting not in _ids(client, handler, box="done")

    r = client.post(f"{API}/{waiting}/feedback", json={"opinion": "已清理"}, headers=handler)
    assert r.status_code == 200, r.text
    assert waiting not in _ids(client, handler, box="todo")
    assert waiting in _ids(client, handler, box="done")
    # The dispatcher never acted on it: not in their 已办; a report alone is not handling.
    assert waiting not in _ids(client, login_as("ys_grid"), box="done")


def test_todo_holds_work_orders_of_my_department(
    client: TestClient, login_as: Login, reach: Callable[..., int], db: Session,
    actor_of: Callable[[str], Actor],
) -> None:  # fmt: skip
    event_id = reach(Status.ACCEPTED)
    department = actor_of("ys_handler").department_id
    assert department is not None
    service.transition(
        db, actor=actor_of("ys_dispatcher"), event_id=event_id, action="dispatch",
        department_id=department,
    )  # fmt: skip
    todo = client.get(API, params={"box": "todo"}, headers=login_as("ys_handler")).json()
    row = next(e for e in todo["items"] if e["id"] == event_id)
    # The desk's columns (GM-8) are all in the row.
    for key in (
        "title",
        "severity",
        "urgency",
        "category_name",
        "grid_name",
        "community_name",
        "reporter_name",
        "reported_at",
        "status_label",
        "remaining_hours",
        "time_state",
    ):
        assert key in row, key
    assert row["status"] == "dispatched" and row["time_state"] == "green"


def test_grid_member_tabs_and_town_isolation(
    client: TestClient, login_as: Login, reach: Callable[..., int]
) -> None:
    mine = reach(Status.REPORTED, title="井盖缺失")
    checking = reach(Status.VERIFYING)
    other_town = reach(Status.REPORTED, town="tq")
    grid = login_as("ys_grid")
    reported = _ids(client, grid, box="reported")
    assert mine in reported and checking in reported and other_town not in reported
    verifying = client.get(API, params={"box": "verifying"}, headers=grid).json()["items"]
    assert checking in [e["id"] for e in verifying] and mine not in [e["id"] for e in verifying]
    # Only verification tasks (the demo history holds some of ys_grid's own too).
    assert {e["status"] for e in verifying} == {"verifying"}

    tq = login_as("tq_handler")
    for box in ("todo", "done", "verifying", "reported"):
        seen = _ids(client, tq, box=box)
        assert mine not in seen and checking not in seen, box
    assert other_town in _ids(client, login_as("tq_grid"), box="reported")
    assert other_town not in _ids(client, login_as("ys_dispatcher"))


def test_keyword_and_remaining_time_filters(
    client: TestClient, login_as: Login, reach: Callable[..., int], db: Session
) -> None:
    late = reach(Status.HANDLING, title="绿地里的积水")
    fresh = reach(Status.HANDLING, title="绿地旁的违建")
    db.execute(
        text("UPDATE event SET reported_at = now() - interval '30 days', "
             "deadline = now() - interval '2 days' WHERE id = :i"), {"i": late},
    )  # fmt: skip
    handler = login_as("ys_handler")
    assert set(_ids(client, handler, box="todo", q="绿地")) >= {late, fresh}
    assert fresh not in _ids(client, handler, box="todo", q="积水")
    red = _ids(client, handler, box="todo", time_state="red")
    green = _ids(client, handler, box="todo", time_state="green")
    assert late in red and fresh not in red
    assert fresh in green and late not in green
    bad = client.get(API, params={"time_state": "purple"}, headers=handler)
    assert bad.status_code == 400  # a malformed query parameter


def test_keyset_pages_do_not_overlap(
    client: TestClient, login_as: Login, reach: Callable[..., int]
) -> None:
    made = [reach(title=f"分页测试{n}") for n in range(3)]
    grid = login_as("ys_grid")
    first = client.get(API, params={"box": "reported", "q": "分页测试", "limit": 2},
                       headers=grid).json()  # fmt: skip
    assert [e["id"] for e in first["items"]] == sorted(made, reverse=True)[:2]
    assert first["next_cursor"]
    rest = client.get(
        API, params={"box": "reported", "q": "分页测试", "limit": 2,
                     "cursor": first["next_cursor"]}, headers=grid,
    ).json()  # fmt: skip
    assert [e["id"] for e in rest["items"]] == [min(made)] and rest["next_cursor"] is None


def test_remaining_time_filter_pages_with_a_cursor(
    client: TestClient, login_as: Login, reach: Callable[..., int]
) -> None:
    made = [reach(Status.HANDLING, title=f"期限分页{n}") for n in range(3)]
    handler = login_as("ys_handler")
    params = {"box": "todo", "q": "期限分页", "time_state": "green", "limit": 2}
    first = client.get(API, params=params, headers=handler).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(API, params={**params, "cursor": first["next_cursor"]}, headers=handler)
    ids = [e["id"] for e in first["items"]] + [e["id"] for e in rest.json()["items"]]
    assert ids == sorted(made, reverse=True) and rest.json()["next_cursor"] is None


# ---- locate, categories, export ----------------------------------------------------------
def test_locate_names_the_grid_and_its_responsible_member(
    client: TestClient, login_as: Login, db: Session
) -> None:
    lon, lat = grid_point(db, "ys_grid")
    r = client.get(f"{API}/locate", params={"lon": lon, "lat": lat},
                   headers=login_as("ys_dispatcher"))  # fmt: skip
    assert r.status_code == 200, r.text
    place = r.json()
    grid_name = db.execute(
        text("SELECT r.name FROM user_account u JOIN region r ON r.id = u.region_id "
             "WHERE u.username = 'ys_grid'")
    ).scalar()  # fmt: skip
    assert place["reportable"] is True and place["reason"] is None
    assert place["grid_name"] == grid_name and place["town_name"] == "杨舍镇"
    assert place["community_name"]
    assert place["responsible_user_id"] == _user_id(db, "ys_grid")


def test_locate_refuses_with_the_reason(client: TestClient, login_as: Login, db: Session) -> None:
    dispatcher = login_as("ys_dispatcher")
    far = client.get(f"{API}/locate", params={"lon": 100.0, "lat": 40.0}, headers=dispatcher)
    assert far.status_code == 200
    assert far.json()["reportable"] is False and "不在任何网格内" in far.json()["reason"]

    lon, lat = grid_point(db, "tq_grid")
    other = client.get(f"{API}/locate", params={"lon": lon, "lat": lat}, headers=dispatcher)
    body = other.json()
    assert body["reportable"] is False and "不在您的管辖范围内" in body["reason"]
    assert body["town_name"] is None and body["responsible_user_id"] is None

    handler = login_as("ys_handler")  # may handle, not report
    assert client.get(f"{API}/locate", params={"lon": lon, "lat": lat},
                      headers=handler).status_code == 403  # fmt: skip
    assert client.get(f"{API}/locate", params={"lon": 200, "lat": lat},
                      headers=dispatcher).status_code == 400  # fmt: skip


def test_category_tree_has_leaves_with_time_limits(client: TestClient, login_as: Login) -> None:
    r = client.get(f"{API}/categories", headers=login_as("ys_grid"))
    assert r.status_code == 200
    roots = r.json()
    first = next(c for c in roots if c["code"] == "01")
    assert first["name"] == "市容环境" and first["default_days"] is None
    leaf = next(c for c in first["children"] if c["code"] == "0101")
    assert leaf["name"] == "暴露垃圾" and leaf["default_days"] == 1 and leaf["children"] == []
    assert all(c["default_days"] is None for c in roots)


def test_export_one_work_order_with_its_history(
    client: TestClient, login_as: Login, reach: Callable[..., int]
) -> None:
    event_id = reach(Status.HANDLING, title="=HYPERLINK(1)")
    r = client.get(f"{API}/{event_id}/export", headers=login_as("ys_handler"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    body = r.content.decode("utf-8")
    assert body.startswith("\ufeff工单,SJ")
    assert "标题,'=HYPERLINK(1)" in body  # never a formula in Excel
    assert "流转记录" in body
    for step in ("上报", "索取工单", "签收", "派遣", "接收"):
        assert f",{step}," in body, step
    assert client.get(f"{API}/{event_id}/export", headers=login_as("tq_handler")).status_code == 404


def test_a_stale_extension_review_answers_409(
    client: TestClient, login_as: Login, reach: Callable[..., int]
) -> None:
    event_id = reach(Status.HANDLING)
    body = {"days": 2, "reason": "需协调"}
    asked = client.post(
        f"/api/v1/events/{event_id}/extensions", json=body, headers=login_as("ys_handler")
    )
    assert asked.status_code == 201, asked.text
    url = f"/api/v1/extensions/{asked.json()['id']}/review"
    sub = login_as("ys_dispatcher")
    pending = client.get("/api/v1/extensions", params={"pending": True}, headers=sub).json()
    assert asked.json()["id"] in [x["id"] for x in pending]
    stale = client.post(url, json={"approve": True, "expected_status": "first_approved"},
                        headers=sub)  # fmt: skip
    assert stale.status_code == 409 and "待一级审核" in stale.json()["detail"]
    ok = client.post(url, json={"approve": True, "expected_status": "requested"}, headers=sub)
    assert ok.status_code == 200 and ok.json()["status"] == "first_approved"
