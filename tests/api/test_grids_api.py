"""The grid administration API (/api/v1/grids): refusals carry the offending area,
stale edits answer 409, permissions and the town scope hold, and events show the grid
version and responsible member of their report."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.geo.grid.grid_setup import M_LON, grid_of, make_square, point_in

API = "/api/v1/grids"
Login = Callable[[str], dict[str, str]]


def test_draw_refuse_overlap_redraw_and_read_versions(client: TestClient, db: Session) -> None:
    sq = make_square(db)
    r = client.post(API, json={"community_id": sq.community.id, "name": "西网格",
                               "geometry": sq.west()})  # fmt: skip
    assert r.status_code == 201, r.text
    west = r.json()
    assert west["code"] == sq.community.code + "001" and west["version"] == 1

    r = client.post(API, json={"community_id": sq.community.id, "name": "东网格",
                               "geometry": sq.east(shift_m=-30)})  # fmt: skip
    assert r.status_code == 422
    refusal = r.json()
    assert refusal["code"] == "GridRuleBroken" and "重叠" in refusal["detail"]
    assert refusal["area_m2"] > 25 * sq.height_m and refusal["geometry"]["type"]

    r = client.post(API, json={"community_id": sq.community.id, "name": "东网格",
                               "geometry": sq.east(shift_m=1)})  # fmt: skip
    assert r.status_code == 201 and r.json()["snapped"] and "吸附" in r.json()["notice"]

    smaller = sq.geojson(sq.w + 80 * M_LON, sq.s, sq.mid, sq.n)
    body = {"geometry": smaller, "reason": "调整", "expected_version": 1}
    r = client.put(f"{API}/{west['id']}/geometry", json=body)
    assert r.status_code == 200 and r.json()["version"] == 2
    stale = client.put(f"{API}/{west['id']}/geometry", json=body)
    assert stale.status_code == 409 and "第 2 版" in stale.json()["detail"]

    versions = client.get(f"{API}/{west['id']}/versions").json()
    assert [v["version"] for v in versions] == [2, 1]
    first = client.get(f"{API}/{west['id']}/versions/1").json()
    assert first["geometry"]["type"] == "MultiPolygon" and first["valid_to"]
    assert client.get(f"{API}/{west['id']}/versions/9").status_code == 404

    listed = client.get(API, params={"community_id": sq.community.id}).json()
    assert [g["name"] for g in listed["items"]] == ["西网格", "东网格"]
    outlines = client.get(f"{API}/outlines", params={"community_id": sq.community.id}).json()
    assert len(outlines["features"]) == 2


def test_keyset_paging_and_keyword(client: TestClient) -> None:
    first = client.get(API, params={"limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = client.get(API, params={"limit": 3, "cursor": first["next_cursor"]}).json()
    codes = [g["code"] for g in first["items"] + second["items"]]
    assert codes == sorted(codes) and len(set(codes)) == 6
    name = first["items"][0]["name"]
    found = client.get(API, params={"keyword": name}).json()["items"]
    assert name in {g["name"] for g in found}
    assert client.get(API, params={"cursor": "abc"}).status_code == 422


def test_permissions_and_town_scope(client: TestClient, db: Session, login_as: Login) -> None:
    tq_grid, ys_grid = grid_of(db, "tq_grid"), grid_of(db, "ys_grid")
    ys_admin = login_as("ys_admin")
    assert client.get(f"{API}/{tq_grid}", headers=ys_admin).status_code == 404
    body = {"geometry": {"type": "Polygon", "coordinates": [[[120.5, 31.9], [120.501, 31.9],
            [120.5, 31.901], [120.5, 31.9]]]}, "reason": "越权", "expected_version": 1}  # fmt: skip
    assert client.put(f"{API}/{tq_grid}/geometry", json=body, headers=ys_admin).status_code == 404
    towns = {g["town_name"] for g in client.get(API, headers=ys_admin).json()["items"]}
    assert towns == {"杨舍镇"}
    # Members need grid.assign: a town admin assigns in their own town only; a handler
    # may not at all.
    members = {"members": []}
    assert client.put(f"{API}/{ys_grid}/members", json=members, headers=ys_admin).status_code == 200
    r = client.put(f"{API}/{tq_grid}/members", json=members, headers=ys_admin)
    assert r.status_code == 404
    r = client.put(f"{API}/{ys_grid}/members", json=members, headers=login_as("ys_handler"))
    assert r.status_code == 403 and "配置网格员" in r.json()["detail"]
    grid_member = login_as("ys_grid")
    assert client.get(f"{API}/{ys_grid}", headers=grid_member).status_code == 200
    assert (
        client.put(f"{API}/{ys_grid}/geometry", json=body, headers=grid_member).status_code == 403
    )


def test_member_assignment_and_the_event_fields(
    client: TestClient, db: Session, login_as: Login
) -> None:
    centre, grid_id = login_as("center"), grid_of(db, "ys_grid")
    candidates = client.get(f"{API}/{grid_id}/member-candidates", headers=centre).json()
    ys_grid = next(c for c in candidates if c["username"] == "ys_grid")
    one = {"members": [{"user_id": ys_grid["user_id"], "is_responsible": True}]}
    r = client.put(f"{API}/{grid_id}/members", headers=centre, json=one)
    assert r.status_code == 200 and r.json()["responsible_member_name"] == ys_grid["display_name"]
    two = {"members": [{"user_id": ys_grid["user_id"], "is_responsible": True},
                       {"user_id": ys_grid["user_id"], "is_responsible": True}]}  # fmt: skip
    r = client.put(f"{API}/{grid_id}/members", json=two, headers=centre)
    assert r.status_code == 422 and "重复" in r.json()["detail"]

    lon, lat = point_in(db, grid_id)
    report = {"title": "疑似废弃车辆", "category_code": "0101", "lon": lon, "lat": lat}
    event = client.post("/api/v1/events", json=report, headers=login_as("ys_grid")).json()
    assert event["grid_version"] == 1
    assert event["responsible_member_name"] == ys_grid["display_name"]
