"""Party building (CMD-2) through the API: organisations in a tree, members and activities;
the rules (phones, points, tree, delete in use), the audit rows, the region scope (a 塘桥
user never sees 杨舍's rows) and the command screen's party sources against the DB."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

API = "/api/v1/party"
CMD = "/api/v1/command/party"
Login = Callable[[str], dict[str, str]]
YS = "(SELECT path FROM region WHERE code = '320582100000')"
TQ = "(SELECT path FROM region WHERE code = '320582101000')"


def _community(db: Session, town: str) -> tuple[int, int, float, float]:
    """(community id, its organisation id, a point inside the community) of the town."""
    row = db.execute(
        text(f"""SELECT c.id, o.id, ST_X(ST_PointOnSurface(c.geom)), ST_Y(ST_PointOnSurface(c.geom))
                 FROM region c JOIN party_organisation o ON o.region_id = c.id
                 WHERE c.level = 'community' AND c.path <@ {town} ORDER BY c.code LIMIT 1""")
    ).one()
    return row[0], row[1], row[2], row[3]


def _committee(db: Session, town: str) -> int:
    """The town's 党委 (the top of its tree)."""
    sql = f"""SELECT o.id FROM party_organisation o JOIN region r ON r.id = o.region_id
              WHERE o.kind = 'committee' AND r.path = {town}"""
    return int(db.execute(text(sql)).scalar_one())


def _audits(db: Session, action: str, object_id: int) -> int:
    sql = "SELECT count(*) FROM audit_log WHERE action = :a AND object_id = :o"
    return int(db.execute(text(sql), {"a": action, "o": str(object_id)}).scalar_one())


def test_organisation_tree_crud_and_audit(client: TestClient, login_as: Login, db: Session) -> None:
    cid, _, lon, lat = _community(db, YS)
    parent = _committee(db, YS)
    h = login_as("ys_admin")
    body = {
        "name": "测试第一党支部",
        "kind": "branch",
        "parent_id": parent,
        "region_id": cid,
        "secretary": "王书记",
        "contact_phone": "13912345678",
        "lon": lon,
        "lat": lat,
    }
    r = client.post(f"{API}/organisations", json=body, headers=h)
    assert r.status_code == 201, r.text
    org = r.json()
    assert (org["parent_id"], org["region_id"]) == (parent, cid)
    assert abs(org["lon"] - lon) < 1e-6 and org["members_full"] == 0
    assert _audits(db, "party.organisation_create", org["id"]) == 1
    tree = client.get(f"{API}/organisations", headers=h).json()
    assert any(o["id"] == org["id"] and o["parent_id"] == parent for o in tree)
    # A 党支部 is the bottom of the tree; an organisation cannot sit below itself.
    child = {**body, "name": "下级", "parent_id": org["id"]}
    r = client.post(f"{API}/organisations", json=child, headers=h)
    assert r.status_code == 422 and "党支部" in r.json()["detail"]
    r = client.put(
        f"{API}/organisations/{parent}",
        headers=h,
        json={"name": "改名", "kind": "general_branch", "parent_id": parent, "region_id": cid},
    )
    assert r.status_code == 422, r.text
    # A parent with children cannot be deleted (409); the leaf can, and is audited.
    assert client.delete(f"{API}/organisations/{parent}", headers=h).status_code == 409
    assert client.delete(f"{API}/organisations/{org['id']}", headers=h).status_code == 204
    assert _audits(db, "party.organisation_delete", org["id"]) == 1


def test_phone_and_point_are_checked_at_the_door(client: TestClient, db: Session) -> None:
    cid, org, lon, lat = _community(db, YS)
    parent = _committee(db, YS)
    base = {"name": "号码测试", "kind": "branch", "parent_id": parent, "region_id": cid}
    r = client.post(f"{API}/organisations", json={**base, "contact_phone": "0512-1234"})
    assert r.status_code == 422 and "手机号码" in r.json()["detail"]
    swapped = client.post(f"{API}/organisations", json={**base, "lon": lat, "lat": lon})
    assert swapped.status_code == 422 and "经度" in swapped.json()["detail"]
    far = client.post(f"{API}/organisations", json={**base, "lon": 116.4, "lat": 39.9})
    assert far.status_code == 422, far.text
    activity = {
        "title": "主题党日",
        "kind": "theme_day",
        "organisation_id": org,
        "held_at": datetime.now(UTC).isoformat(),
        "lon": lon,
        "lat": lat,
    }
    tq_cid, _, tq_lon, tq_lat = _community(db, TQ)
    r = client.post(f"{API}/activities", json={**activity, "lon": tq_lon, "lat": tq_lat})
    assert r.status_code == 422 and "所属区域" in r.json()["detail"]
    r = client.post(f"{API}/activities", json={**activity, "lon": None, "lat": None})
    assert r.status_code == 422
    member = {"name": "张三", "gender": "male", "organisation_id": parent, "phone": "123"}
    assert client.post(f"{API}/members", json=member).status_code == 422


def test_members_paged_filtered_and_linked_once(client: TestClient, db: Session) -> None:
    _, org, _, _ = _community(db, YS)
    total = db.execute(
        text("SELECT count(*) FROM party_member WHERE organisation_id = :o"), {"o": org}
    ).scalar_one()
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, object] = {"organisation_id": org, "limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"{API}/members", params=params).json()
        seen += [m["id"] for m in page["items"]]
        assert all(m["organisation_id"] == org for m in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == total > 7
    # A grid-member account already linked (党员网格员) cannot be linked to a second member.
    linked = db.execute(
        text("SELECT user_id FROM party_member WHERE user_id IS NOT NULL ORDER BY id LIMIT 1")
    ).scalar_one()
    r = client.post(
        f"{API}/members",
        json={"name": "重复", "gender": "female", "organisation_id": org, "user_id": linked},
    )
    assert r.status_code == 409, r.text
    r = client.post(
        f"{API}/members",
        json={"name": "李四", "gender": "female", "organisation_id": org, "status": "probationary"},
    )
    assert r.status_code == 201 and r.json()["region_id"] is not None
    assert _audits(db, "party.member_create", r.json()["id"]) == 1
    named = client.get(f"{API}/members", params={"name": "李四"}).json()["items"]
    assert r.json()["id"] in [m["id"] for m in named]
    assert client.delete(f"{API}/organisations/{org}").status_code == 409


def test_a_town_user_never_sees_another_towns_rows(
    client: TestClient, login_as: Login, db: Session
) -> None:
    _, ys_org, lon, lat = _community(db, YS)
    ys_member = db.execute(
        text("SELECT id FROM party_member WHERE organisation_id = :o LIMIT 1"), {"o": ys_org}
    ).scalar_one()
    ys_activity = db.execute(
        text("SELECT id FROM party_activity WHERE organisation_id = :o LIMIT 1"), {"o": ys_org}
    ).scalar_one()
    for user in ("tq_admin", "tq_leader"):
        h = login_as(user)
        orgs = client.get(f"{API}/organisations", headers=h).json()
        tq_count = db.execute(
            text(
                f"SELECT count(*) FROM party_organisation o JOIN region r "
                f"ON r.id = o.region_id WHERE r.path <@ {TQ}"
            )
        ).scalar_one()
        assert len(orgs) == tq_count > 0
        assert ys_org not in {o["id"] for o in orgs}
        assert client.get(f"{API}/organisations/{ys_org}", headers=h).status_code == 404
        assert client.get(f"{API}/members/{ys_member}", headers=h).status_code == 404
        assert client.get(f"{API}/activities/{ys_activity}", headers=h).status_code == 404
        members = client.get(f"{API}/members", params={"limit": 200}, headers=h).json()["items"]
        assert members and all(m["organisation_id"] != ys_org for m in members)
        acts = client.get(f"{API}/activities", params={"limit": 200}, headers=h).json()["items"]
        assert acts and all(a["organisation_id"] != ys_org for a in acts)
        if user == "tq_leader":
            cmd = client.get(f"{CMD}/organisations", headers=h).json()["features"]
            assert cmd and ys_org not in {f["id"] for f in cmd}
    h = login_as("tq_admin")
    r = client.post(
        f"{API}/members",
        headers=h,
        json={"name": "越权", "gender": "male", "organisation_id": ys_org},
    )
    assert r.status_code == 404
    r = client.delete(f"{API}/activities/{ys_activity}", headers=h)
    assert r.status_code == 404
    # The leader reads but does not keep the registers.
    r = client.post(
        f"{API}/members",
        headers=login_as("tq_leader"),
        json={"name": "只读", "gender": "male", "organisation_id": ys_org},
    )
    assert r.status_code == 403


def test_activities_by_date_and_the_command_sources(
    client: TestClient, login_as: Login, db: Session
) -> None:
    _, org, lon, lat = _community(db, YS)
    held = datetime.now(UTC) - timedelta(hours=2)
    r = client.post(
        f"{API}/activities",
        json={
            "title": "接口测试主题党日",
            "kind": "theme_day",
            "organisation_id": org,
            "held_at": held.isoformat(),
            "lon": lon,
            "lat": lat,
            "participants": 23,
        },
    )
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    assert _audits(db, "party.activity_create", aid) == 1
    today = held.date().isoformat()
    listed = client.get(
        f"{API}/activities", params={"date_from": today, "date_to": today, "organisation_id": org}
    ).json()
    assert aid in [a["id"] for a in listed["items"]]
    bad = client.get(
        f"{API}/activities", params={"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert bad.status_code == 422
    h = login_as("ys_leader")
    feats = client.get(f"{CMD}/activities", headers=h).json()["features"]
    mine = [f for f in feats if f["id"] == aid]
    assert mine and mine[0]["properties"]["participants"] == 23
    assert mine[0]["properties"]["kind_label"] == "主题党日"
    recent = db.execute(
        text(f"""SELECT count(*) FROM party_activity a JOIN region r
                                 ON r.id = a.region_id WHERE r.path <@ {YS}
                                 AND a.held_at >= now() - interval '30 days'
                                 AND a.held_at <= now()""")
    ).scalar_one()
    assert len(feats) == recent
    orgs = client.get(f"{CMD}/organisations", headers=h).json()["features"]
    one = next(f for f in orgs if f["id"] == org)
    full = db.execute(
        text("SELECT count(*) FROM party_member WHERE organisation_id = :o AND status = 'full'"),
        {"o": org},
    ).scalar_one()
    assert one["properties"]["members_full"] == full
    s = client.get(f"{CMD}/summary", headers=h).json()
    members = db.execute(
        text(
            f"SELECT count(*) FROM party_member p JOIN region r "
            f"ON r.id = p.region_id WHERE r.path <@ {YS}"
        )
    ).scalar_one()
    assert s["members"] == members == s["members_full"] + s["members_probationary"]
    assert s["activities_month"] == sum(k["count"] for k in s["by_kind"]) >= 1
    assert s["grid_members"] >= 1
    everything = client.get(f"{CMD}/summary").json()
    assert everything["members"] > s["members"]
    # 党员网格员 are marked on the members layer.
    members_layer = client.get("/api/v1/command/members").json()["features"]
    assert all("party_member" in f["properties"] for f in members_layer)


def test_activities_page_latest_held_first(client: TestClient, db: Session) -> None:
    _, org, _, _ = _community(db, YS)
    total = db.execute(
        text("SELECT count(*) FROM party_activity WHERE organisation_id = :o"), {"o": org}
    ).scalar_one()
    seen: list[dict[str, object]] = []
    cursor = None
    while True:
        params: dict[str, object] = {"organisation_id": org, "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"{API}/activities", params=params)
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert len({a["id"] for a in seen}) == len(seen) == total > 3
    keys = [(datetime.fromisoformat(str(a["held_at"])), a["id"]) for a in seen]
    assert keys == sorted(keys, reverse=True)
    bad = client.get(f"{API}/activities", params={"cursor": "abc_1"})
    assert bad.status_code == 422 and "游标" in bad.json()["detail"]
