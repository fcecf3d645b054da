"""The enforcement-officer register through the API (DR-3, GIS-6): an area picked from
communities is their union, a drawn one is validated at the door (invalid, wrong type,
swapped lon/lat, outside the officer's town → 422 in Chinese, with the outside part in
m²), one entry per user, the "covers point" filter, conflicts, officer types, and the
data scope (a 杨舍镇 configurer sees and touches nothing of 塘桥镇)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

API = "/api/v1/inspection"


def _one(db: Session, sql: str, **params: Any) -> Any:
    return db.execute(text(sql), params).one()


def _user(db: Session, username: str) -> int:
    return int(_one(db, "SELECT id FROM user_account WHERE username = :u", u=username).id)


def _region(db: Session, code: str) -> int:
    return int(_one(db, "SELECT id FROM region WHERE code = :c", c=code).id)


def _inner_square(db: Session, region_id: int, shrink: float = 0.5) -> dict[str, Any]:
    """A square well inside the region: within its largest inscribed circle."""
    x, y, r = _one(
        db,
        """SELECT ST_X(center), ST_Y(center), radius
           FROM ST_MaximumInscribedCircle((SELECT geom FROM region WHERE id = :id))""",
        id=region_id,
    )
    h = r * shrink
    ring = [[x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h], [x - h, y - h]]
    return {"type": "Polygon", "coordinates": [ring]}


def _point_in(db: Session, region_id: int) -> tuple[float, float]:
    p = _one(
        db,
        "SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(geom) AS p "
        "FROM region WHERE id = :id) q",
        id=region_id,
    )
    return float(p.x), float(p.y)


@pytest.fixture
def ys(db: Session) -> dict[str, int]:
    # The demo registers its towns' officers; these tests register them anew (rolled back).
    db.execute(text("DELETE FROM enforcement_officer"))
    return {
        "town": _region(db, "320582100000"),
        "c1": _region(db, "320582100001"),
        "c2": _region(db, "320582100002"),
        "tq_community": _region(db, "320582101001"),
        "officer": _user(db, "ys_officer"),
        "squad": _user(db, "ys_squad"),
        "tq_officer": _user(db, "tq_officer"),
    }


def _register(client: TestClient, user_id: int, headers: Any = None, **area: Any) -> Any:
    body = {"user_id": user_id, "officer_type": "formal", "certificate_no": "32058200123", **area}
    return client.post(f"{API}/officers", json=body, headers=headers)


# ---- areas ---------------------------------------------------------------------------------------
def test_a_picked_area_is_the_union_of_the_communities(client, db, ys) -> None:
    r = _register(client, ys["officer"], area_region_ids=[ys["c2"], ys["c1"], ys["c1"]])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["area_source"] == "picked"
    assert [a["id"] for a in body["area_regions"]] == sorted([ys["c1"], ys["c2"]])
    assert body["area"]["type"] == "MultiPolygon"
    assert body["department_name"] == "杨舍综合行政执法局" and body["region_name"] == "杨舍镇"
    same, stored, parts = _one(
        db,
        """SELECT ST_Equals(o.area, (SELECT ST_Union(geom) FROM region WHERE id IN (:a, :b))),
                  ST_Area(CAST(o.area AS geography)),
                  (SELECT sum(ST_Area(CAST(geom AS geography))) FROM region WHERE id IN (:a, :b))
           FROM enforcement_officer o WHERE o.id = :id""",
        a=ys["c1"],
        b=ys["c2"],
        id=body["id"],
    )
    assert same and stored == pytest.approx(parts, rel=1e-6)
    assert body["area_m2"] == pytest.approx(parts, rel=1e-4)


def test_a_drawn_area_is_stored_as_drawn(client, db, ys) -> None:
    square = _inner_square(db, ys["c1"])
    r = _register(client, ys["officer"], area=square)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["area_source"] == "drawn" and body["area_regions"] == []
    assert body["area"]["coordinates"][0][0][:4] == [
        pytest.approx(c) for c in square["coordinates"][0][:4]
    ]


def test_drawing_the_union_outline_equals_picking_the_communities(client, db, ys) -> None:
    outline = _one(
        db,
        "SELECT CAST(ST_AsGeoJSON(ST_Union(geom)) AS json) AS g FROM region WHERE id IN (:a, :b)",
        a=ys["c1"],
        b=ys["c2"],
    ).g
    drawn = _register(client, ys["officer"], area=outline).json()
    picked = _register(client, ys["squad"], area_region_ids=[ys["c1"], ys["c2"]]).json()
    assert drawn["area_source"] == "drawn" and picked["area_source"] == "picked"
    assert drawn["area_m2"] == pytest.approx(picked["area_m2"], rel=1e-6)
    assert _one(
        db,
        "SELECT ST_Equals(a.area, b.area) AS same FROM enforcement_officer a, "
        "enforcement_officer b WHERE a.id = :a AND b.id = :b",
        a=drawn["id"],
        b=picked["id"],
    ).same


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Polygon", "coordinates": [[[120.55, 31.87], [120.56, 31.88],
                                              [120.56, 31.87], [120.55, 31.88],
                                              [120.55, 31.87]]]}, "自相交"),
        ({"type": "LineString", "coordinates": [[120.55, 31.87], [120.56, 31.88]]}, "几何类型错误"),
        ({"type": "Point", "coordinates": [120.55, 31.87]}, "几何类型错误"),
        ({"type": "Polygon", "coordinates": [[[31.87, 120.55], [31.87, 120.56],
                                              [31.88, 120.56], [31.87, 120.55]]]},
         "经纬度顺序颠倒"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "不是有效的 GeoJSON"),
        ({"type": "Polygon", "coordinates": [[[1e6, 2e6], [1e6, 2.1e6], [1.1e6, 2e6],
                                              [1e6, 2e6]]]}, "坐标不是经纬度"),
    ],
    ids=["bow-tie", "line", "point", "swapped", "not-geojson", "projected"],
)  # fmt: skip
def test_a_bad_drawn_area_is_refused_in_chinese(client, ys, geometry, message) -> None:
    r = _register(client, ys["officer"], area=geometry)
    assert r.status_code == 422, r.text
    assert message in r.json()["detail"] and r.json()["detail"].startswith("执法区域")


def test_an_area_reaching_into_another_town_is_refused_with_the_outside_part(
    client, db, ys
) -> None:
    inside, outside = _inner_square(db, ys["c1"]), _inner_square(db, ys["tq_community"])
    (x0, y0), (x1, y1) = inside["coordinates"][0][0], outside["coordinates"][0][2]
    west, east, south, north = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    r = _register(client, ys["officer"], area={"type": "Polygon", "coordinates": [ring]})
    assert r.status_code == 422, r.text
    body = r.json()
    assert (
        body["code"] == "AreaRefused" and "杨舍镇" in body["detail"] and "平方米" in body["detail"]
    )
    assert body["area_m2"] > 1000 and body["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert client.get(f"{API}/officers", params={"keyword": "ys_officer"}).json()["items"] == []


def test_an_area_is_drawn_or_picked_never_both_or_neither(client, db, ys) -> None:
    both = _register(
        client, ys["officer"], area=_inner_square(db, ys["c1"]), area_region_ids=[ys["c1"]]
    )
    neither = _register(client, ys["officer"])
    for r in (both, neither):
        assert r.status_code == 422 and "二者选其一" in r.json()["detail"]


def test_picking_a_region_outside_the_officers_town_is_refused(client, ys) -> None:
    r = _register(client, ys["officer"], area_region_ids=[ys["c1"], ys["tq_community"]])
    assert r.status_code == 422 and "塘桥社区" in r.json()["detail"]
    missing = _register(client, ys["officer"], area_region_ids=[2**40])
    assert missing.status_code == 404


def test_the_area_preview_shows_the_union(client, ys) -> None:
    r = client.post(
        f"{API}/officers/area-preview",
        json={"area_region_ids": [ys["c1"], ys["c2"]], "user_id": ys["officer"]},
    )
    assert r.status_code == 200, r.text
    one = client.post(f"{API}/officers/area-preview", json={"area_region_ids": [ys["c1"]]})
    assert r.json()["area_m2"] > one.json()["area_m2"] > 0
    assert r.json()["geometry"]["type"] == "MultiPolygon"


# ---- the register --------------------------------------------------------------------------------
def test_one_entry_per_user(client, ys) -> None:
    assert _register(client, ys["officer"], area_region_ids=[ys["c1"]]).status_code == 201
    again = _register(client, ys["officer"], area_region_ids=[ys["c2"]])
    assert again.status_code == 409 and "已登记为执法人员" in again.json()["detail"]


def test_an_unknown_type_is_refused(client, ys) -> None:
    r = client.post(
        f"{API}/officers",
        json={"user_id": ys["officer"], "officer_type": "nosuch", "area_region_ids": [ys["c1"]]},
    )
    assert r.status_code == 422 and "nosuch" in r.json()["detail"]


def test_update_switches_from_picked_to_drawn(client, db, ys) -> None:
    created = _register(client, ys["officer"], area_region_ids=[ys["c1"]]).json()
    r = client.put(
        f"{API}/officers/{created['id']}",
        json={"officer_type": "auxiliary", "certificate_no": None, "active": False,
              "area": _inner_square(db, ys["c2"])},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["area_source"] == "drawn" and body["area_regions"] == []
    assert body["officer_type_name"] == "协管员" and body["active"] is False
    assert body["area_m2"] < created["area_m2"]
    audit = db.execute(
        text("SELECT action FROM audit_log WHERE object_type = 'enforcement_officer' "
             "AND object_id = :id ORDER BY id"),
        {"id": str(created["id"])},
    ).scalars().all()  # fmt: skip
    assert audit == ["inspection.officer_create", "inspection.officer_update"]


def test_the_covers_point_filter_finds_who_may_be_sent_there(client, db, ys) -> None:
    a = _register(client, ys["officer"], area_region_ids=[ys["c1"]]).json()
    b = _register(client, ys["squad"], area_region_ids=[ys["c2"]]).json()
    lon, lat = _point_in(db, ys["c1"])
    found = client.get(f"{API}/officers", params={"lon": lon, "lat": lat}).json()["items"]
    assert a["id"] in {o["id"] for o in found} and b["id"] not in {o["id"] for o in found}
    lon, lat = _point_in(db, ys["c2"])
    found = client.get(f"{API}/officers", params={"lon": lon, "lat": lat}).json()["items"]
    assert b["id"] in {o["id"] for o in found} and a["id"] not in {o["id"] for o in found}


@pytest.mark.parametrize(
    ("params", "message"),
    [({"lon": 31.87, "lat": 120.55}, "经纬度顺序颠倒"), ({"lon": 120.55}, "同时填写"),
     ({"lon": 116.4, "lat": 39.9}, "不在辖区范围内")],
)  # fmt: skip
def test_a_bad_covers_point_is_refused(client, params, message) -> None:
    r = client.get(f"{API}/officers", params=params)
    assert r.status_code == 422 and message in r.json()["detail"]


def test_list_filters_and_keyset_pages(client, ys) -> None:
    client.post(f"{API}/officer-types", json={"code": "pagetest", "name": "分页测试"})
    a = _register(client, ys["officer"], area_region_ids=[ys["c1"]]).json()
    b = _register(client, ys["squad"], area_region_ids=[ys["c2"]]).json()
    for officer, active, certificate in ((a, True, "PT-0001"), (b, False, None)):
        client.put(
            f"{API}/officers/{officer['id']}",
            json={"officer_type": "pagetest", "active": active, "certificate_no": certificate,
                  "area_region_ids": [ys["c1"]]},
        )  # fmt: skip

    def ids(**params: Any) -> list[int]:
        r = client.get(f"{API}/officers", params={"officer_type": "pagetest", **params})
        assert r.status_code == 200, r.text
        return [o["id"] for o in r.json()["items"]]

    first = client.get(f"{API}/officers", params={"officer_type": "pagetest", "limit": 1}).json()
    assert ids() == [a["id"], b["id"]] and first["next_cursor"] is not None
    assert [o["id"] for o in first["items"]] + ids(cursor=first["next_cursor"]) == ids()
    assert ids(active=False) == [b["id"]]
    assert ids(keyword="ys_squad") == [b["id"]]
    assert ids(keyword="pt-0001") == [a["id"]]  # the certificate number
    assert client.get(f"{API}/officers", params={"cursor": "abc"}).status_code == 422


def test_candidates_are_the_users_of_the_scope(client, login_as, ys) -> None:
    _register(client, ys["officer"], area_region_ids=[ys["c1"]])
    mine = client.get(
        f"{API}/officer-candidates", params={"q": "officer"}, headers=login_as("ys_admin")
    ).json()
    assert {c["username"] for c in mine} == {"ys_officer"}
    assert mine[0]["officer_id"] is not None
    everyone = client.get(f"{API}/officer-candidates", params={"q": "_officer"}).json()
    assert {c["username"] for c in everyone} >= {"ys_officer", "tq_officer"}


# ---- conflicts -----------------------------------------------------------------------------------
def test_conflicts_are_recorded_and_removed(client, db, ys) -> None:
    officer = _register(client, ys["officer"], area_region_ids=[ys["c1"]]).json()
    enterprise = _one(
        db,
        "SELECT e.id, e.name FROM enterprise e JOIN region r ON r.id = e.region_id "
        "WHERE r.path <@ '320582000000.320582100000' ORDER BY e.id LIMIT 1",
    )
    options = client.get(
        f"{API}/officers/{officer['id']}/conflict-candidates", params={"q": enterprise.name}
    ).json()
    assert enterprise.id in {o["id"] for o in options}
    url = f"{API}/officers/{officer['id']}/conflicts"
    added = client.post(url, json={"enterprise_id": enterprise.id, "reason": "亲属经营"})
    assert added.status_code == 201, added.text
    assert [(c["enterprise_id"], c["reason"]) for c in added.json()] == [
        (enterprise.id, "亲属经营")
    ]
    again = client.post(url, json={"enterprise_id": enterprise.id, "reason": "重复"})
    assert again.status_code == 409
    detail = client.get(f"{API}/officers/{officer['id']}").json()
    assert detail["conflict_count"] == 1 and detail["conflicts"][0]["recorded_by_name"]
    assert client.delete(f"{url}/{enterprise.id}").status_code == 204
    assert client.get(url).json() == []
    assert client.delete(f"{url}/{enterprise.id}").status_code == 404
    actions = db.execute(
        text("SELECT action FROM audit_log WHERE action LIKE 'inspection.officer_conflict%' "
             "AND object_id = :id ORDER BY id"),
        {"id": str(officer["id"])},
    ).scalars().all()  # fmt: skip
    assert actions == ["inspection.officer_conflict_add", "inspection.officer_conflict_remove"]


# ---- officer types -------------------------------------------------------------------------------
def test_officer_types_are_a_code_list_district_admins_extend(client, login_as, ys) -> None:
    r = client.post(f"{API}/officer-types", json={"code": "volunteer", "name": "志愿者"})
    assert r.status_code == 201 and r.json()["officer_count"] == 0
    assert (
        client.post(f"{API}/officer-types", json={"code": "volunteer", "name": "x"}).status_code
        == 409
    )
    town = client.post(
        f"{API}/officer-types", json={"code": "other", "name": "其他"}, headers=login_as("ys_admin")
    )
    assert town.status_code == 403 and "区级" in town.json()["detail"]
    viewer = client.get(f"{API}/officer-types", headers=login_as("ys_officer"))
    assert "volunteer" in {t["code"] for t in viewer.json()}
    _register(client, ys["officer"], area_region_ids=[ys["c1"]])
    client.put(
        f"{API}/officers/{client.get(f'{API}/officers').json()['items'][0]['id']}",
        json={"officer_type": "volunteer", "area_region_ids": [ys["c1"]]},
    )
    in_use = client.delete(f"{API}/officer-types/volunteer")
    assert in_use.status_code == 409 and "1 名" in in_use.json()["detail"]
    renamed = client.put(
        f"{API}/officer-types/formal", json={"name": "在编执法队员", "sort_order": 1}
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "在编执法队员"
    assert client.delete(f"{API}/officer-types/inspector").status_code == 204
    assert client.delete(f"{API}/officer-types/inspector").status_code == 404


# ---- permissions and scope -----------------------------------------------------------------------
def test_a_viewer_reads_but_cannot_register(client, login_as, ys) -> None:
    headers = login_as("ys_officer")
    assert client.get(f"{API}/officers", headers=headers).status_code == 200
    r = _register(client, ys["officer"], headers=headers, area_region_ids=[ys["c1"]])
    assert r.status_code == 403 and "inspection.configure" in r.json()["detail"]
    assert client.get(f"{API}/officers", headers=login_as("ys_clerk")).status_code == 403


def test_a_town_sees_and_touches_nothing_of_another_town(client, login_as, db, ys) -> None:
    theirs = _register(client, ys["tq_officer"], area_region_ids=[ys["tq_community"]]).json()
    mine = _register(client, ys["officer"], area_region_ids=[ys["c1"]]).json()
    headers = login_as("ys_admin")
    listed = {o["id"] for o in client.get(f"{API}/officers", headers=headers).json()["items"]}
    assert mine["id"] in listed and theirs["id"] not in listed
    lon, lat = _point_in(db, ys["tq_community"])
    near = client.get(f"{API}/officers", params={"lon": lon, "lat": lat}, headers=headers)
    assert near.status_code == 200 and theirs["id"] not in {o["id"] for o in near.json()["items"]}
    everywhere = client.get(f"{API}/officers", params={"lon": lon, "lat": lat}).json()["items"]
    assert theirs["id"] in {o["id"] for o in everywhere}  # else the check above proves nothing
    change = {"officer_type": "formal", "area_region_ids": [ys["c1"]]}
    for method, path, body in [
        ("GET", f"/officers/{theirs['id']}", None),
        ("PUT", f"/officers/{theirs['id']}", change),
        ("DELETE", f"/officers/{theirs['id']}", None),
        ("GET", f"/officers/{theirs['id']}/conflicts", None),
    ]:  # fmt: skip
        r = client.request(method, API + path, json=body, headers=headers)
        assert r.status_code == 404, (method, path, r.text)
    foreign_user = _register(client, ys["tq_officer"], headers=headers, area_region_ids=[ys["c1"]])
    assert foreign_user.status_code == 404
    client.delete(f"{API}/officers/{mine['id']}")
    foreign_region = _register(
        client, ys["officer"], headers=headers, area_region_ids=[ys["tq_community"]]
    )
    assert foreign_region.status_code == 404
    tq_enterprise = _one(
        db,
        "SELECT e.id FROM enterprise e JOIN region r ON r.id = e.region_id "
        "WHERE r.path <@ '320582000000.320582101000' LIMIT 1",
    ).id
    mine = _register(client, ys["officer"], headers=headers, area_region_ids=[ys["c1"]]).json()
    r = client.post(
        f"{API}/officers/{mine['id']}/conflicts",
        json={"enterprise_id": tq_enterprise, "reason": "x"},
        headers=headers,
    )
    assert r.status_code == 404
