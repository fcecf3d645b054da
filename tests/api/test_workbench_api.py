"""What the dispatcher workbench reads besides the plain list: the work orders I
dispatched (已派遣, keyset-paged, mine only, my scope only) and whom a work order can be
dispatched to or sent to verify (the grid's members first, nobody of another town)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import scalar
from tests.geo.event.event_flow import grid_point, user_id

API = "/api/v1/events"
Login = Callable[[str], dict[str, str]]


def _report(client: TestClient, db: Session, headers: dict[str, str]) -> int:
    lon, lat = grid_point(db)
    body = {"title": "疑似废弃车辆", "category_code": "0101", "lon": lon, "lat": lat}
    r = client.post(API, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _act(
    client: TestClient, headers: dict[str, str], event_id: int, action: str, **body: Any
) -> None:
    r = client.post(f"{API}/{event_id}/{action}", json=body, headers=headers)
    assert r.status_code == 200, (action, r.text)


def _dispatched(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = client.get(API, params={"dispatched_by_me": True, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _claim_sign(client: TestClient, headers: dict[str, str], event_id: int) -> None:
    _act(client, headers, event_id, "claim")
    _act(client, headers, event_id, "sign", opinion="请处理")


def test_dispatched_by_me_lists_only_what_i_dispatched_newest_first_in_pages(
    client: TestClient, login_as: Login, db: Session
) -> None:
    grid, dispatcher, admin = login_as("ys_grid"), login_as("ys_dispatcher"), login_as("admin")
    handler = user_id(db, "ys_handler")
    mine = []
    for _ in range(3):
        event_id = _report(client, db, grid)
        _claim_sign(client, dispatcher, event_id)
        _act(client, dispatcher, event_id, "dispatch", user_id=handler)
        mine.append(event_id)
    held = _report(client, db, grid)  # claimed and signed, never dispatched
    _claim_sign(client, dispatcher, held)
    by_admin = _report(client, db, grid)  # dispatched, but by someone else
    _claim_sign(client, admin, by_admin)
    _act(client, admin, by_admin, "dispatch", user_id=handler)

    first = _dispatched(client, dispatcher, limit=2)
    assert [e["id"] for e in first["items"]] == [mine[2], mine[1]]
    assert first["next_cursor"] == str(mine[1])
    second = _dispatched(client, dispatcher, limit=2, cursor=first["next_cursor"])
    assert [e["id"] for e in second["items"]][:1] == [mine[0]]
    everything = _dispatched(client, dispatcher, limit=200)["items"]
    ids = {e["id"] for e in everything}
    assert set(mine) <= ids and held not in ids and by_admin not in ids
    expected = scalar(
        db,
        """SELECT count(DISTINCT event_id) FROM event_action
           WHERE action = 'dispatch' AND actor_id = :u""",
        u=user_id(db, "ys_dispatcher"),
    )
    assert len(everything) == min(int(expected), 200)  # type: ignore[call-overload]
    assert by_admin in {e["id"] for e in _dispatched(client, admin, limit=200)["items"]}


def test_dispatched_by_me_keeps_to_the_scope_and_the_status_filter(
    client: TestClient, login_as: Login, db: Session
) -> None:
    dispatcher = login_as("ys_dispatcher")
    event_id = _report(client, db, login_as("ys_grid"))
    _claim_sign(client, dispatcher, event_id)
    _act(client, dispatcher, event_id, "dispatch", user_id=user_id(db, "ys_handler"))
    assert event_id not in {
        e["id"] for e in _dispatched(client, login_as("tq_dispatcher"))["items"]
    }
    closed = _dispatched(client, dispatcher, status="closed", limit=200)["items"]
    assert event_id not in {e["id"] for e in closed}
    assert {e["status"] for e in closed} <= {"closed"}
    waiting = _dispatched(client, dispatcher, status="dispatched", limit=200)["items"]
    assert event_id in {e["id"] for e in waiting}


def test_targets_put_the_grid_member_first_and_stay_in_the_town(
    client: TestClient, login_as: Login, db: Session
) -> None:
    dispatcher = login_as("ys_dispatcher")
    event_id = _report(client, db, login_as("ys_grid"))
    r = client.get(f"{API}/{event_id}/targets", headers=dispatcher)
    assert r.status_code == 200, r.text
    targets = r.json()
    users = {u["username"]: u for u in targets["users"]}
    assert targets["users"][0]["username"] == "ys_grid"
    assert users["ys_grid"]["grid_role"] == "责任网格员"
    assert users["ys_handler"]["grid_role"] is None
    assert users["ys_handler"]["department_name"] == "杨舍城管办"
    assert not any(name.startswith("tq_") for name in users)
    assert "ys_clerk" not in users  # may not sign and feed back
    departments = {d["name"] for d in targets["departments"]}
    assert "杨舍城管办" in departments
    assert not any(name.startswith("塘桥") for name in departments)
    detail = client.get(f"{API}/{event_id}", headers=dispatcher).json()
    assert targets["suggested_department_id"] == detail["suggested_department_id"]


def test_targets_refuse_other_towns_and_desks_without_dispatch(
    client: TestClient, login_as: Login, db: Session
) -> None:
    event_id = _report(client, db, login_as("ys_grid"))
    r = client.get(f"{API}/{event_id}/targets", headers=login_as("tq_dispatcher"))
    assert r.status_code == 404 and "管辖范围" in r.json()["detail"]
    r = client.get(f"{API}/{event_id}/targets", headers=login_as("ys_handler"))
    assert r.status_code == 403 and "派遣" in r.json()["detail"]
