"""Region administration API (SYS-3): browse within the scope, create and edit with the
spatial rules (inside the parent, no overlap with siblings), the division code fixed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import scalar

YS, TQ, JG = "320582100000", "320582101000", "320582102000"  # 杨舍镇, 塘桥镇, 金港镇


def _id(db, code: str) -> int:  # noqa: ANN001
    return int(scalar(db, "SELECT id FROM region WHERE code = :c", c=code))


def _geojson(db, sql: str, **params: Any) -> dict[str, Any]:  # noqa: ANN001
    """GeoJSON of a geometry computed in SQL (keeps test geometries tied to the demo)."""
    return json.loads(scalar(db, f"SELECT ST_AsGeoJSON(({sql}))", **params))


def _square_inside(db, region_id: int, half: float = 0.002) -> dict[str, Any]:  # noqa: ANN001
    return _geojson(
        db,
        "SELECT ST_Expand(ST_PointOnSurface(geom), :h) FROM region WHERE id = :id",
        id=region_id,
        h=half,
    )


def _body(db, **overrides: Any) -> dict[str, Any]:  # noqa: ANN001
    body = {
        "code": "320582102201",
        "name": "测试新社区",
        "level": "community",
        "parent_id": _id(db, JG),
        "geometry": _square_inside(db, _id(db, JG)),
    }
    return body | overrides


# ---- reading ---------------------------------------------------------------------------
def test_without_parent_the_list_is_the_actors_own_region(client, anon_client, login_as) -> None:
    [district] = client.get("/api/v1/admin/regions").json()
    assert (district["code"], district["level"], district["child_count"]) == (
        "320582000000",
        "district",
        8,
    )
    assert district["area_km2"] > 1000 and district["path"] == "320582000000"
    [town] = anon_client.get("/api/v1/admin/regions", headers=login_as("ys_admin")).json()
    assert (town["name"], town["code"]) == ("杨舍镇", YS)


def test_children_are_listed_in_code_order(client, db) -> None:
    towns = client.get("/api/v1/admin/regions", params={"parent_id": _id(db, "320582000000")})
    codes = [t["code"] for t in towns.json()]
    assert codes[:2] == [YS, TQ] and len(codes) == 8 and codes == sorted(codes)
    communities = client.get("/api/v1/admin/regions", params={"parent_id": _id(db, YS)}).json()
    assert communities and all(c["level"] == "community" for c in communities)
    assert all(c["parent_id"] == _id(db, YS) for c in communities)


def test_detail_carries_the_outline_as_lonlat_geojson(client, db) -> None:
    detail = client.get(f"/api/v1/admin/regions/{_id(db, YS)}").json()
    assert detail["geometry"]["type"] == "MultiPolygon"
    lon, lat = detail["geometry"]["coordinates"][0][0][0]
    assert 120 < lon < 121 and 31 < lat < 33
    assert detail["child_count"] > 0


def test_another_towns_regions_do_not_exist_for_a_town_admin(anon_client, db, login_as) -> None:
    headers = login_as("ys_admin")
    tq = _id(db, TQ)
    assert anon_client.get(f"/api/v1/admin/regions/{tq}", headers=headers).status_code == 404
    listed = anon_client.get("/api/v1/admin/regions", params={"parent_id": tq}, headers=headers)
    assert listed.status_code == 404
    patched = anon_client.patch(
        f"/api/v1/admin/regions/{tq}", json={"name": "改名"}, headers=headers
    )
    assert patched.status_code == 404
    created = anon_client.post(
        "/api/v1/admin/regions",
        json=_body(db, parent_id=tq, geometry=_square_inside(db, tq)),
        headers=headers,
    )
    assert created.status_code == 404
    assert scalar(db, "SELECT name FROM region WHERE id = :id", id=tq) == "塘桥镇"


def test_viewing_needs_the_region_permission(anon_client, db, login_as) -> None:
    # A window clerk has system.region.view but not manage.
    headers = login_as("ys_clerk")
    assert anon_client.get("/api/v1/admin/regions", headers=headers).status_code == 200
    denied = anon_client.post("/api/v1/admin/regions", json=_body(db), headers=headers)
    assert denied.status_code == 403


# ---- creating --------------------------------------------------------------------------
def test_a_community_inside_its_town_is_created_and_audited(client, db) -> None:
    response = client.post("/api/v1/admin/regions", json=_body(db))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["path"] == f"320582000000.{JG}.320582102201"
    assert created["geometry"]["type"] == "MultiPolygon" and created["child_count"] == 0
    audit = db.execute(
        text("SELECT actor_name, region_path::text, after FROM audit_log "
             "WHERE action = 'region.create' AND object_id = :id"),
        {"id": str(created["id"])},
    ).one()  # fmt: skip
    assert audit.actor_name == "系统管理员" and audit.region_path == created["path"]
    assert audit.after["code"] == "320582102201" and audit.after["geometry"]["type"]


def test_an_outline_reaching_out_of_the_parent_is_refused_with_the_area(client, db) -> None:
    # A square around a point of a neighbouring town just outside 金港镇's border.
    straddling = _geojson(
        db,
        """SELECT ST_Expand(ST_ClosestPoint(n.geom, ST_PointOnSurface(j.geom)), 0.003)
           FROM region j, region n
           WHERE j.code = :jg AND n.level = 'town' AND n.code <> :jg
             AND ST_Touches(j.geom, n.geom)
             AND ST_CoveredBy(ST_Expand(ST_ClosestPoint(n.geom, ST_PointOnSurface(j.geom)),
                                        0.003),
                              (SELECT geom FROM region WHERE level = 'district'))
           ORDER BY n.code LIMIT 1""",
        jg=JG,
    )
    response = client.post("/api/v1/admin/regions", json=_body(db, geometry=straddling))
    assert response.status_code == 422
    assert "超出上级区划“金港镇”约" in response.json()["detail"]
    assert "平方米" in response.json()["detail"]


def test_an_outline_over_a_sibling_is_refused_naming_it(anon_client, db, login_as) -> None:
    community = db.execute(
        text("SELECT id, name FROM region WHERE parent_id = :p ORDER BY code LIMIT 1"),
        {"p": _id(db, YS)},
    ).one()
    response = anon_client.post(
        "/api/v1/admin/regions",
        json=_body(db, code="320582100901", parent_id=_id(db, YS),
                   geometry=_square_inside(db, community.id, 0.001)),
        headers=login_as("ys_admin"),
    )  # fmt: skip
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert f"与同级社区/村重叠：“{community.name}”约" in detail and "平方米" in detail


def test_an_outline_outside_the_governed_area_is_refused(client, db) -> None:
    far_away = {"type": "Polygon", "coordinates": [[[100, 30], [100.1, 30], [100.1, 30.1],
                                                    [100, 30.1], [100, 30]]]}  # fmt: skip
    response = client.post("/api/v1/admin/regions", json=_body(db, geometry=far_away))
    assert response.status_code == 422 and "不在辖区范围内" in response.json()["detail"]
    swapped = _square_inside(db, _id(db, JG))
    swapped["coordinates"] = [[[lat, lon] for lon, lat in ring] for ring in swapped["coordinates"]]
    response = client.post("/api/v1/admin/regions", json=_body(db, geometry=swapped))
    assert response.status_code == 422 and "经纬度顺序颠倒" in response.json()["detail"]


def test_a_self_intersecting_outline_is_refused_with_the_reason(client, db) -> None:
    x, y = 120.6, 31.95
    bow_tie = {"type": "Polygon", "coordinates": [[[x, y], [x + 0.01, y + 0.01],
               [x + 0.01, y], [x, y + 0.01], [x, y]]]}  # fmt: skip
    response = client.post("/api/v1/admin/regions", json=_body(db, geometry=bow_tie))
    assert response.status_code == 422 and "自相交" in response.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"code": "32058210220"}, 422, "应为 12 位数字"),
        ({"code": "320582102201001"}, 422, "应为 12 位数字"),
        ({"code": YS}, 409, "已被“杨舍镇”使用"),
        ({"level": "grid", "code": "320582102201001"}, 422, "上级必须是社区/村"),
        ({"parent_id": None}, 422, "必须选择上级区划"),
    ],
)
def test_codes_and_parents_follow_the_table_rules(client, db, overrides, status, message) -> None:  # noqa: ANN001
    response = client.post("/api/v1/admin/regions", json=_body(db, **overrides))
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]


def test_a_grid_code_extends_its_community_code(client, db) -> None:
    community = client.post("/api/v1/admin/regions", json=_body(db)).json()
    grid = {"level": "grid", "parent_id": community["id"], "name": "测试网格",
            "geometry": _square_inside(db, community["id"], 0.0005)}  # fmt: skip
    wrong = client.post("/api/v1/admin/regions", json=_body(db, **grid, code="320582102202001"))
    assert wrong.status_code == 422
    assert "必须以所属社区编码 320582102201 开头" in wrong.json()["detail"]
    right = client.post("/api/v1/admin/regions", json=_body(db, **grid, code="320582102201001"))
    assert right.status_code == 201 and right.json()["level"] == "grid"


# ---- editing ---------------------------------------------------------------------------
def test_the_division_code_cannot_change(client, db) -> None:
    community = client.post("/api/v1/admin/regions", json=_body(db)).json()
    url = f"/api/v1/admin/regions/{community['id']}"
    changed = client.patch(url, json={"code": "320582102299"})
    assert changed.status_code == 422
    assert changed.json()["detail"] == "辖区编码一经创建不可修改"
    same = client.patch(url, json={"code": community["code"], "name": "改名社区"})
    assert same.status_code == 200 and same.json()["code"] == community["code"]
    assert scalar(db, "SELECT code FROM region WHERE id = :id", id=community["id"]) == (
        "320582102201"
    )


def test_a_rename_is_audited_with_before_and_after(client, db) -> None:
    community = client.post("/api/v1/admin/regions", json=_body(db)).json()
    response = client.patch(f"/api/v1/admin/regions/{community['id']}", json={"name": "新名字"})
    assert response.status_code == 200 and response.json()["name"] == "新名字"
    before, after = db.execute(
        text("SELECT before, after FROM audit_log WHERE action = 'region.update' "
             "AND object_id = :id"),
        {"id": str(community["id"])},
    ).one()  # fmt: skip
    assert (before, after) == ({"name": "测试新社区"}, {"name": "新名字"})


def test_a_redrawn_outline_obeys_the_sibling_rule(client, db) -> None:
    first = client.post("/api/v1/admin/regions", json=_body(db)).json()
    second_outline = _geojson(
        db, "SELECT ST_Translate(ST_GeomFromGeoJSON(:g), 0.005, 0)", g=json.dumps(first["geometry"])
    )
    second = client.post(
        "/api/v1/admin/regions",
        json=_body(db, code="320582102202", name="第二社区", geometry=second_outline),
    )
    assert second.status_code == 201, second.text
    onto_first = _geojson(
        db, "SELECT ST_Translate(ST_GeomFromGeoJSON(:g), 0.002, 0)", g=json.dumps(first["geometry"])
    )
    response = client.patch(
        f"/api/v1/admin/regions/{second.json()['id']}", json={"geometry": onto_first}
    )
    assert response.status_code == 422
    assert "“测试新社区”约" in response.json()["detail"]


def test_a_redrawn_outline_must_still_hold_the_children(client, db) -> None:
    ys = _id(db, YS)
    shrunk = _square_inside(db, ys, 0.001)
    response = client.patch(f"/api/v1/admin/regions/{ys}", json={"geometry": shrunk})
    assert response.status_code == 422
    assert "新边界未包含下级区划" in response.json()["detail"]


def test_a_town_admin_edits_below_their_town_but_not_the_town(anon_client, db, login_as) -> None:
    headers = login_as("ys_admin")
    ys = _id(db, YS)
    own = anon_client.patch(f"/api/v1/admin/regions/{ys}", json={"name": "x"}, headers=headers)
    assert own.status_code == 403
    community = scalar(db, "SELECT id FROM region WHERE parent_id = :p LIMIT 1", p=ys)
    renamed = anon_client.patch(
        f"/api/v1/admin/regions/{community}", json={"name": "杨舍新社区"}, headers=headers
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "杨舍新社区"


def test_a_second_district_is_refused_not_created_then_lost(client, db) -> None:  # noqa: ANN001
    body = _body(db, code="320583000000", name="昆山市", level="district", parent_id=None)
    response = client.post("/api/v1/admin/regions", json=body)
    assert response.status_code == 422, response.text
    assert "系统只管理一个区县" in response.json()["detail"]
    assert scalar(db, "SELECT count(*) FROM region WHERE code = '320583000000'") == 0
