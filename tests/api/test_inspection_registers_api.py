"""The registers' API (DR-1, DR-2): supervised objects with their facts, categories,
licences and responsible persons; validation at the door (USCC check character, mobile
numbers, the point); keyset paging; category filter with descendants; region isolation
(a 塘桥 user sees nothing of 杨舍); permissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo.core.identifiers import uscc_check_char
from geo.inspection.models import ResponsiblePerson
from tests.factories import registers_grant, registers_grid_point

API = "/api/v1/inspection"
YS, TQ = "320582100000", "320582101000"  # 杨舍镇, 塘桥镇


def uscc(serial: int) -> str:
    body = f"91320582MA{serial:07d}"
    return body + uscc_check_char(body)


def _body(db: Session, serial: int, *, town: str = YS, **more: Any) -> dict[str, Any]:
    lon, lat = registers_grid_point(db, town_code=town)
    return {
        "name": f"测试监管对象{serial}",
        "uscc": uscc(serial),
        "category": "catering",
        "address": "测试路 1 号",
        "legal_representative": "张三",
        "contact_phone": "0512-58681234",
        "lon": lon,
        "lat": lat,
        **more,
    }


def _create(client: TestClient, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
    r = client.post(f"{API}/objects", json=body, **kw)
    assert r.status_code == 201, r.text
    return r.json()


def _category(client: TestClient, code: str, parent: int | None = None) -> int:
    r = client.post(
        f"{API}/supervision-categories", json={"code": code, "name": code, "parent_id": parent}
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _all_pages(client: TestClient, limit: int, **query: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {**query, "limit": limit, **({"cursor": cursor} if cursor else {})}
        r = client.get(f"{API}/objects", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


# ---- creating and reading ----------------------------------------------------------------
def test_an_object_is_created_with_categories_a_licence_and_a_person(
    client: TestClient, db: Session
) -> None:
    food = _category(client, "T-FOOD")
    body = _body(
        db, 1, supervision_category_ids=[food],
        licences=[{"name": "食品经营许可证", "number": "JY13205820001",
                   "valid_from": "2024-01-01", "valid_to": "2029-12-31"}],
        persons=[{"name": "李四", "duty": "食品安全员", "mobile": "+86 138-1234-5678"}],
    )  # fmt: skip
    made = _create(client, body)

    r = client.get(f"{API}/objects/{made['id']}")
    assert r.status_code == 200
    detail = r.json()
    assert detail["uscc"] == uscc(1)
    assert detail["town_name"] == "杨舍镇" and detail["grid_name"]
    assert [c["id"] for c in detail["supervision_categories"]] == [food]
    assert detail["licences"][0]["number"] == "JY13205820001"
    assert detail["licences"][0]["expired"] is False
    assert detail["persons"][0]["mobile"] == "13812345678"  # stored as 11 digits
    assert (detail["risk_list"], detail["draw_weight"]) == ("white", 1.0)
    # The grid is the one covering the point.
    covering = db.execute(
        text(
            "SELECT id FROM region WHERE level = 'grid' AND "
            "ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4490)) ORDER BY id LIMIT 1"
        ),
        {"lon": body["lon"], "lat": body["lat"]},
    ).scalar_one()
    assert detail["region_id"] == covering
    audited = db.execute(
        text("SELECT action FROM audit_log WHERE object_type = 'enterprise' AND object_id = :id"),
        {"id": str(made["id"])},
    ).scalars()
    assert list(audited) == ["inspection.object_create"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (uscc(2)[:17] + ("0" if uscc(2)[17] != "0" else "1"), "校验位"),
        ("91320582MA12345", "18 位"),
        ("91320582MA1234567O", "不允许的字符"),
    ],
)
def test_a_bad_uscc_is_refused_saying_why(
    client: TestClient, db: Session, code: str, message: str
) -> None:
    r = client.post(f"{API}/objects", json=_body(db, 2, uscc=code))
    assert r.status_code == 422, r.text
    assert message in r.json()["detail"]


def test_a_uscc_is_registered_once(client: TestClient, db: Session) -> None:
    _create(client, _body(db, 3))
    r = client.post(f"{API}/objects", json=_body(db, 3, name="另一家"))
    assert r.status_code == 409
    assert "已登记" in r.json()["detail"]


@pytest.mark.parametrize("mobile", ["12812345678", "1381234567", "0512-58681234", "手机"])
def test_a_responsible_person_needs_a_mainland_mobile_number(
    client: TestClient, db: Session, mobile: str
) -> None:
    made = _create(client, _body(db, 4))
    r = client.post(f"{API}/objects/{made['id']}/persons", json={"name": "王五", "mobile": mobile})
    assert r.status_code == 422, r.text
    assert "手机号" in r.json()["detail"]
    bad_new = _body(db, 5, persons=[{"name": "王五", "mobile": mobile}])
    assert client.post(f"{API}/objects", json=bad_new).status_code == 422


def test_the_database_refuses_a_bad_mobile_too(client: TestClient, db: Session) -> None:
    made = _create(client, _body(db, 6))
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(ResponsiblePerson(enterprise_id=made["id"], name="赵六", mobile="12345678901"))
        db.flush()


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        (100.0, 30.0, "不在辖区范围内"),
        (31.9, 120.55, "经纬度顺序颠倒"),
        (999.0, 31.9, "坐标不是经纬度"),
    ],
)
def test_a_point_is_validated_at_the_door(
    client: TestClient, db: Session, lon: float, lat: float, message: str
) -> None:
    r = client.post(f"{API}/objects", json=_body(db, 7, lon=lon, lat=lat))
    assert r.status_code == 422, r.text
    assert message in r.json()["detail"]


def test_a_point_outside_the_actors_area_is_refused(
    client: TestClient, db: Session, login_as: Callable[[str], dict[str, str]]
) -> None:
    registers_grant(db, "tq_admin", "inspection.view", "inspection.configure")
    tq = login_as("tq_admin")
    r = client.post(f"{API}/objects", json=_body(db, 8, town=YS), headers=tq)
    assert r.status_code == 422
    assert "不在您的管辖范围内" in r.json()["detail"]
    made = _create(client, _body(db, 8, town=TQ), headers=tq)
    assert made["town_name"] == "塘桥镇"
    # Moving it into 杨舍 is refused the same way.
    lon, lat = registers_grid_point(db, town_code=YS)
    r = client.patch(f"{API}/objects/{made['id']}", json={"lon": lon, "lat": lat}, headers=tq)
    assert r.status_code == 422


def test_facts_change_and_a_new_point_moves_the_object_to_its_grid(
    client: TestClient, db: Session
) -> None:
    made = _create(client, _body(db, 9))
    lon, lat = registers_grid_point(db, town_code=TQ, nth=2)
    r = client.patch(
        f"{API}/objects/{made['id']}",
        json={"name": "改名后的企业", "contact_phone": None, "lon": lon, "lat": lat},
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["name"] == "改名后的企业" and after["contact_phone"] is None
    assert after["town_name"] == "塘桥镇" and after["region_id"] != made["region_id"]
    assert (after["lon"], after["lat"]) == pytest.approx((lon, lat))
    assert client.patch(f"{API}/objects/{made['id']}", json={"lon": lon}).status_code == 422


# ---- licences and categories ------------------------------------------------------------
def test_licences_are_added_changed_flagged_when_expired_and_removed(
    client: TestClient, db: Session
) -> None:
    made = _create(client, _body(db, 10))
    url = f"{API}/objects/{made['id']}/licences"
    r = client.post(url, json={"name": "许可证", "number": "X1", "valid_from": "2025-01-02",
                               "valid_to": "2025-01-01"})  # fmt: skip
    assert r.status_code == 422 and "不能早于" in r.json()["detail"]

    yesterday = (date.today() - timedelta(days=2)).isoformat()
    r = client.post(url, json={"name": "许可证", "number": "X1", "valid_to": yesterday})
    assert r.status_code == 201
    licence = r.json()
    assert licence["expired"] is True
    r = client.patch(f"{url}/{licence['id']}", json={"valid_to": "2099-12-31"})
    assert r.status_code == 200 and r.json()["expired"] is False
    r = client.patch(f"{url}/{licence['id']}", json={"valid_from": "2100-01-01"})
    assert r.status_code == 422

    other = _create(client, _body(db, 11))
    assert client.delete(f"{API}/objects/{other['id']}/licences/{licence['id']}").status_code == 404
    assert client.delete(f"{url}/{licence['id']}").status_code == 204
    assert client.get(f"{API}/objects/{made['id']}").json()["licences"] == []


def test_categories_are_set_from_the_tree(client: TestClient, db: Session) -> None:
    a, b = _category(client, "T-A"), _category(client, "T-B")
    made = _create(client, _body(db, 12))
    url = f"{API}/objects/{made['id']}/categories"
    r = client.put(url, json={"category_ids": [b, a, b]})
    assert r.status_code == 200
    assert sorted(c["id"] for c in r.json()["supervision_categories"]) == sorted([a, b])
    r = client.put(url, json={"category_ids": [a, 2**61]})
    assert r.status_code == 422 and str(2**61) in r.json()["detail"]
    # Now in use: the category cannot be deleted.
    r = client.delete(f"{API}/supervision-categories/{a}")
    assert r.status_code == 409 and "1 个监管对象" in r.json()["detail"]


# ---- the list ---------------------------------------------------------------------------
def test_the_category_filter_includes_descendants(client: TestClient, db: Session) -> None:
    parent = _category(client, "T-PARENT")
    child = _category(client, "T-CHILD", parent)
    grandchild = _category(client, "T-GRAND", child)
    in_grand = _create(client, _body(db, 13, supervision_category_ids=[grandchild]))
    in_parent = _create(client, _body(db, 14, supervision_category_ids=[parent]))
    _create(client, _body(db, 15))

    def ids(category: int) -> set[int]:
        return {o["id"] for o in _all_pages(client, 50, supervision_category_id=category)}

    assert ids(parent) == {in_grand["id"], in_parent["id"]}
    assert ids(child) == {in_grand["id"]}
    assert (
        client.get(f"{API}/objects", params={"supervision_category_id": 2**61}).status_code == 404
    )


def test_keyset_paging_is_stable_and_complete(client: TestClient, db: Session) -> None:
    town = db.execute(text("SELECT id FROM region WHERE code = :c"), {"c": TQ}).scalar_one()
    whole = _all_pages(client, 200, region_id=town)
    paged = _all_pages(client, 7, region_id=town)
    assert len(whole) == 84  # the demo's 塘桥 enterprises
    assert [o["id"] for o in paged] == [o["id"] for o in whole]
    keys = [(o["name"], o["id"]) for o in paged]
    assert len(set(keys)) == len(keys)
    assert client.get(f"{API}/objects", params={"cursor": "not-a-cursor"}).status_code == 422


def test_keyword_risk_list_and_category_filters(client: TestClient, db: Session) -> None:
    made = _create(client, _body(db, 16, category="healthcare"))
    by_code = _all_pages(client, 50, q=made["uscc"][4:14])
    assert [o["id"] for o in by_code] == [made["id"]]
    assert made["id"] in {o["id"] for o in _all_pages(client, 200, q="测试监管对象16")}
    healthcare = _all_pages(client, 200, category="healthcare")
    assert healthcare and all(o["category"] == "healthcare" for o in healthcare)
    black = _all_pages(client, 200, risk_list="black")
    assert all(o["risk_list"] == "black" for o in black)
    assert made["id"] not in {o["id"] for o in black}


# ---- scope and permissions --------------------------------------------------------------
def test_a_tangqiao_user_sees_nothing_of_yangshe(
    client: TestClient, db: Session, login_as: Callable[[str], dict[str, str]]
) -> None:
    ys_object = _create(client, _body(db, 17, town=YS))
    registers_grant(db, "tq_admin", "inspection.view", "inspection.configure")
    for user in ("tq_officer", "tq_admin"):
        headers = login_as(user)
        r = client.get(f"{API}/objects", params={"limit": 200}, headers=headers)
        assert r.status_code == 200
        page = r.json()
        assert page["items"] and {o["town_name"] for o in page["items"]} == {"塘桥镇"}
        assert client.get(f"{API}/objects/{ys_object['id']}", headers=headers).status_code == 404
    tq = login_as("tq_admin")
    url = f"{API}/objects/{ys_object['id']}"
    assert client.patch(url, json={"name": "越权"}, headers=tq).status_code == 404
    assert client.post(f"{url}/persons", json={"name": "甲", "mobile": "13812345678"},
                       headers=tq).status_code == 404  # fmt: skip
    ys_town = db.execute(text("SELECT id FROM region WHERE code = :c"), {"c": YS}).scalar_one()
    r = client.get(f"{API}/objects", params={"region_id": ys_town}, headers=tq)
    assert r.status_code == 404


def test_permissions(
    client: TestClient, anon_client: TestClient, db: Session,
    login_as: Callable[[str], dict[str, str]],
) -> None:  # fmt: skip
    officer = login_as("ys_officer")  # inspection.view, not inspection.configure
    assert client.get(f"{API}/objects", headers=officer).status_code == 200
    assert client.get(f"{API}/supervision-categories", headers=officer).status_code == 200
    assert client.post(f"{API}/objects", json=_body(db, 18), headers=officer).status_code == 403
    assert client.post(f"{API}/supervision-categories", json={"code": "T-X", "name": "x"},
                       headers=officer).status_code == 403  # fmt: skip
    clerk = login_as("ys_clerk")  # no inspection permission at all
    assert client.get(f"{API}/objects", headers=clerk).status_code == 403
    assert anon_client.get(f"{API}/objects").status_code == 401
