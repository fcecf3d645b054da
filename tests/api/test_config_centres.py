"""Service centres, halls, windows and window staff (SYS-4, SYS-7) through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import scalar

YS, TQ = "320582100000", "320582101000"


def _region(db, code: str) -> int:  # noqa: ANN001
    return int(scalar(db, "SELECT id FROM region WHERE code = :c", c=code))


def _centre(db, name: str) -> int:  # noqa: ANN001
    return int(scalar(db, "SELECT id FROM service_centre WHERE name = :n", n=name))


def _department(db, name: str) -> int:  # noqa: ANN001
    return int(scalar(db, "SELECT id FROM department WHERE name = :n", n=name))


def _user(db, username: str) -> int:  # noqa: ANN001
    return int(scalar(db, "SELECT id FROM user_account WHERE username = :u", u=username))


def _audited(db, action: str, object_id: int) -> Any:  # noqa: ANN001
    return db.execute(
        text("SELECT before, after, region_path::text AS path, actor_name FROM audit_log "
             "WHERE action = :a AND object_id = :id ORDER BY id DESC LIMIT 1"),
        {"a": action, "id": str(object_id)},
    ).one_or_none()  # fmt: skip


@pytest.fixture
def ys(anon_client: TestClient, login_as: Callable[[str], dict[str, str]]) -> TestClient:
    """A client signed in as 杨舍镇's region administrator."""
    anon_client.headers.update(login_as("ys_admin"))
    return anon_client


# ---- centres ---------------------------------------------------------------------------
def test_centres_are_listed_with_counts_in_scope(client, ys) -> None:
    everyone = {c["name"]: c for c in client.get("/api/v1/centres").json()}
    assert set(everyone) == {"张家港市政务服务中心", "杨舍镇便民服务中心", "塘桥镇便民服务中心"}
    town = everyone["杨舍镇便民服务中心"]
    assert (town["level"], town["level_label"], town["region_name"]) == (
        "town",
        "镇（街道）办事处",
        "杨舍镇",
    )
    assert (town["hall_count"], town["window_count"]) == (1, 2)
    assert [c["name"] for c in ys.get("/api/v1/centres").json()] == ["杨舍镇便民服务中心"]


def test_another_towns_centre_halls_and_windows_do_not_exist(ys, db) -> None:
    tq = _centre(db, "塘桥镇便民服务中心")
    hall = scalar(db, "SELECT id FROM hall WHERE centre_id = :c", c=tq)
    window = scalar(db, "SELECT id FROM service_window WHERE centre_id = :c LIMIT 1", c=tq)
    for method, url, body in (
        ("GET", f"/api/v1/centres/{tq}/halls", None),
        ("GET", f"/api/v1/centres/{tq}/windows", None),
        ("PATCH", f"/api/v1/centres/{tq}", {"name": "改名"}),
        ("DELETE", f"/api/v1/centres/{tq}", None),
        ("POST", f"/api/v1/centres/{tq}/halls", {"name": "二楼"}),
        ("PATCH", f"/api/v1/halls/{hall}", {"name": "改名"}),
        ("DELETE", f"/api/v1/halls/{hall}", None),
        ("PATCH", f"/api/v1/windows/{window}", {"name": "改名"}),
        ("DELETE", f"/api/v1/windows/{window}", None),
        ("PUT", f"/api/v1/windows/{window}/staff", {"user_ids": []}),
    ):
        response = ys.request(method, url, json=body)
        assert response.status_code == 404, (method, url, response.text)
    assert scalar(db, "SELECT count(*) FROM window_staff WHERE window_id = :w", w=window) == 1
    assert scalar(db, "SELECT name FROM service_centre WHERE id = :c", c=tq) == "塘桥镇便民服务中心"


def test_a_centre_is_created_on_a_region_of_its_level(ys, db) -> None:
    community = scalar(db, "SELECT id FROM region WHERE parent_id = :p LIMIT 1", p=_region(db, YS))
    body = {"name": "某社区办事处", "level": "village", "region_id": community, "phone": "58000000"}
    created = ys.post("/api/v1/centres", json=body)
    assert created.status_code == 201, created.text
    centre = created.json()
    assert (centre["level_label"], centre["hall_count"], centre["phone"]) == (
        "村（社区）办事处",
        0,
        "58000000",
    )
    audit = _audited(db, "centre.create", centre["id"])
    assert audit.after["name"] == "某社区办事处" and audit.path.startswith(f"320582000000.{YS}.")
    duplicate = ys.post("/api/v1/centres", json=body)
    assert duplicate.status_code == 409 and "已有名为“某社区办事处”" in duplicate.json()["detail"]


@pytest.mark.parametrize(
    ("level", "code", "message"),
    [
        ("town", None, "镇（街道）办事处应设在镇街级区划"),  # a community
        ("county", YS, "县（区）级服务中心应设在区县级区划"),
        ("village", YS, "村（社区）办事处应设在社区/村级区划"),
    ],
)
def test_a_centre_level_must_fit_its_region(client, db, level, code, message) -> None:  # noqa: ANN001
    region = (
        _region(db, code)
        if code
        else scalar(db, "SELECT id FROM region WHERE level = 'community' LIMIT 1")
    )
    response = client.post(
        "/api/v1/centres", json={"name": "测试中心", "level": level, "region_id": region}
    )
    assert response.status_code == 422 and message in response.json()["detail"]


def test_a_town_admin_cannot_place_a_centre_in_another_town(ys, db) -> None:
    response = ys.post(
        "/api/v1/centres", json={"name": "越界中心", "level": "town", "region_id": _region(db, TQ)}
    )
    assert response.status_code == 404


def test_a_centre_is_deleted_only_when_empty(ys, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    refused = ys.delete(f"/api/v1/centres/{own}")
    assert refused.status_code == 409 and "1 个大厅、2 个窗口" in refused.json()["detail"]
    community = scalar(db, "SELECT id FROM region WHERE parent_id = :p LIMIT 1", p=_region(db, YS))
    empty = ys.post(
        "/api/v1/centres", json={"name": "临时办事处", "level": "village", "region_id": community}
    ).json()
    assert ys.delete(f"/api/v1/centres/{empty['id']}").status_code == 204
    assert scalar(db, "SELECT count(*) FROM service_centre WHERE id = :c", c=empty["id"]) == 0
    assert _audited(db, "centre.delete", empty["id"]).before["name"] == "临时办事处"


def test_a_centre_update_keeps_the_level_rule_and_clears_optional_fields(ys, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    updated = ys.patch(f"/api/v1/centres/{own}", json={"address": "人民路 1 号"}).json()
    assert updated["address"] == "人民路 1 号" and updated["name"] == "杨舍镇便民服务中心"
    cleared = ys.patch(f"/api/v1/centres/{own}", json={"address": None}).json()
    assert cleared["address"] is None
    wrong = ys.patch(f"/api/v1/centres/{own}", json={"level": "village"})
    assert wrong.status_code == 422
    audit = _audited(db, "centre.update", own)
    assert (audit.before["address"], audit.after["address"]) == ("人民路 1 号", None)


# ---- halls -----------------------------------------------------------------------------
def test_halls_are_created_renamed_and_deleted_when_unused(ys, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    created = ys.post(f"/api/v1/centres/{own}/halls", json={"name": "二楼大厅"})
    assert created.status_code == 201
    hall = created.json()
    assert ys.post(f"/api/v1/centres/{own}/halls", json={"name": "二楼大厅"}).status_code == 409
    clash = ys.patch(f"/api/v1/halls/{hall['id']}", json={"name": "一楼办事大厅"})
    assert clash.status_code == 409 and "已有名为“一楼办事大厅”" in clash.json()["detail"]
    renamed = ys.patch(f"/api/v1/halls/{hall['id']}", json={"name": "二楼东厅"}).json()
    assert renamed == {"id": hall["id"], "name": "二楼东厅", "window_count": 0}
    halls = {h["name"]: h for h in ys.get(f"/api/v1/centres/{own}/halls").json()}
    assert halls["一楼办事大厅"]["window_count"] == 2 and "二楼东厅" in halls
    busy = ys.delete(f"/api/v1/halls/{halls['一楼办事大厅']['id']}")
    assert busy.status_code == 409 and "还有 2 个窗口" in busy.json()["detail"]
    assert ys.delete(f"/api/v1/halls/{hall['id']}").status_code == 204
    assert _audited(db, "hall.update", hall["id"]).after == {"name": "二楼东厅"}
    assert _audited(db, "hall.delete", hall["id"]) is not None


# ---- windows ---------------------------------------------------------------------------
def _window_body(db, **overrides: Any) -> dict[str, Any]:  # noqa: ANN001
    hall = scalar(
        db, "SELECT id FROM hall WHERE centre_id = :c", c=_centre(db, "杨舍镇便民服务中心")
    )
    body = {"name": "不动产窗口", "number": "03", "hall_id": hall,
            "department_id": _department(db, "杨舍便民服务中心")}  # fmt: skip
    return body | overrides


def test_windows_list_hall_department_and_staff(ys, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    windows = ys.get(f"/api/v1/centres/{own}/windows").json()
    assert [w["number"] for w in windows] == ["01", "02"]
    first = windows[0]
    assert (first["hall_name"], first["department_name"]) == ("一楼办事大厅", "杨舍便民服务中心")
    assert first["staff"] == [{"id": _user(db, "ys_clerk"), "display_name": "杨舍窗口·冯雪"}]


def test_a_window_is_created_for_a_window_department(ys, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    created = ys.post(f"/api/v1/centres/{own}/windows", json=_window_body(db))
    assert created.status_code == 201, created.text
    window = created.json()
    assert (window["number"], window["hall_name"], window["staff"]) == ("03", "一楼办事大厅", [])
    assert _audited(db, "window.create", window["id"]).after["number"] == "03"


def test_a_window_needs_a_window_department(ys, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    plain = _window_body(db, department_id=_department(db, "杨舍城管办"))
    response = ys.post(f"/api/v1/centres/{own}/windows", json=plain)
    assert response.status_code == 422
    assert "“杨舍城管办”不是窗口部门" in response.json()["detail"]
    other_town = _window_body(db, department_id=_department(db, "塘桥便民服务中心"))
    assert ys.post(f"/api/v1/centres/{own}/windows", json=other_town).status_code == 404


def test_a_district_admin_cannot_staff_a_town_centre_with_another_towns_department(
    client, db
) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    body = _window_body(db, department_id=_department(db, "塘桥便民服务中心"))
    response = client.post(f"/api/v1/centres/{own}/windows", json=body)
    assert response.status_code == 422 and "不属于服务中心" in response.json()["detail"]
    district = _window_body(db, department_id=_department(db, "区行政审批局"))
    assert client.post(f"/api/v1/centres/{own}/windows", json=district).status_code == 201


def test_a_window_hall_must_belong_to_the_centre(client, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    foreign = scalar(
        db, "SELECT id FROM hall WHERE centre_id = :c", c=_centre(db, "塘桥镇便民服务中心")
    )
    response = client.post(f"/api/v1/centres/{own}/windows", json=_window_body(db, hall_id=foreign))
    assert response.status_code == 422 and "不属于服务中心" in response.json()["detail"]


def test_a_window_number_is_unique_in_its_centre(ys, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    duplicate = ys.post(f"/api/v1/centres/{own}/windows", json=_window_body(db, number="01"))
    assert duplicate.status_code == 409 and "窗口编号 01" in duplicate.json()["detail"]
    window = ys.post(f"/api/v1/centres/{own}/windows", json=_window_body(db)).json()
    renumbered = ys.patch(f"/api/v1/windows/{window['id']}", json={"number": "02"})
    assert renumbered.status_code == 409
    moved = ys.patch(f"/api/v1/windows/{window['id']}", json={"number": "05", "hall_id": None})
    assert moved.status_code == 200
    assert (moved.json()["number"], moved.json()["hall_id"]) == ("05", None)


def test_window_staff_are_replaced_as_a_whole(ys, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    window = ys.get(f"/api/v1/centres/{own}/windows").json()[0]
    url = f"/api/v1/windows/{window['id']}/staff"
    wanted = [_user(db, "ys_handler"), _user(db, "ys_admin"), _user(db, "ys_handler")]
    staffed = ys.put(url, json={"user_ids": wanted})
    assert staffed.status_code == 200
    assert sorted(s["id"] for s in staffed.json()["staff"]) == sorted(set(wanted))
    audit = _audited(db, "window.staff", window["id"])
    assert audit.before == {"user_ids": [_user(db, "ys_clerk")]}
    assert audit.after == {"user_ids": sorted(set(wanted))}
    assert ys.put(url, json={"user_ids": [_user(db, "tq_clerk")]}).status_code == 404
    assert ys.put(url, json={"user_ids": []}).json()["staff"] == []
    assert scalar(db, "SELECT count(*) FROM window_staff WHERE window_id = :w", w=window["id"]) == 0


def test_deleting_a_window_takes_its_staff_along(ys, db) -> None:
    own = _centre(db, "杨舍镇便民服务中心")
    window = ys.get(f"/api/v1/centres/{own}/windows").json()[1]
    assert ys.delete(f"/api/v1/windows/{window['id']}").status_code == 204
    assert scalar(db, "SELECT count(*) FROM window_staff WHERE window_id = :w", w=window["id"]) == 0
    assert _audited(db, "window.delete", window["id"]).before["staff"] == [_user(db, "ys_clerk")]


def test_managing_centres_needs_the_permission(anon_client, db, login_as) -> None:
    headers = login_as("ys_clerk")  # may not even view
    assert anon_client.get("/api/v1/centres", headers=headers).status_code == 403
    own = _centre(db, "杨舍镇便民服务中心")
    response = anon_client.post(f"/api/v1/centres/{own}/halls", json={"name": "x"}, headers=headers)
    assert response.status_code == 403
