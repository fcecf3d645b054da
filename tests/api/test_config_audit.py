"""Audit search through the API (SYS-11): filters, keyset paging, the actor's scope."""

from __future__ import annotations

from sqlalchemy import text

from geo.audit.service import record

YS_PATH = "320582000000.320582100000"
TQ_PATH = "320582000000.320582101000"
ACTION = "probe.touch"  # used by these tests only


def _seed(db) -> dict[str, list[int]]:  # noqa: ANN001
    """Five rows in 杨舍镇, two in 塘桥镇, one district-wide (no region)."""
    ids: dict[str, list[int]] = {"ys": [], "tq": [], "district": []}
    for where, path, count in (("ys", YS_PATH, 5), ("tq", TQ_PATH, 2), ("district", None, 1)):
        for i in range(count):
            ids[where].append(
                record(
                    db,
                    action=ACTION,
                    object_type="probe",
                    object_id=f"{where}-{i}",
                    after={"n": i},
                    region_path=path and f"{path}.320582100001",
                    actor_id=1,
                    actor_name="测试员",
                    ip="10.0.0.8",
                )  # fmt: skip
            )
    return ids


def test_pages_walk_the_log_newest_first(client, db) -> None:
    ids = _seed(db)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"action": ACTION, "limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/audit", params=params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    everything = sorted(ids["ys"] + ids["tq"] + ids["district"], reverse=True)
    assert seen == everything and pages == 3


def test_an_item_carries_who_what_and_where(client, db) -> None:
    _seed(db)
    item = client.get("/api/v1/audit", params={"object_id": "ys-4", "action": ACTION}).json()
    [row] = item["items"]
    assert (row["actor_name"], row["object_type"], row["after"], row["ip"]) == (
        "测试员",
        "probe",
        {"n": 4},
        "10.0.0.8",
    )
    assert row["region_path"] == f"{YS_PATH}.320582100001" and row["before"] is None


def test_a_town_actor_sees_only_their_town(anon_client, db, login_as) -> None:
    ids = _seed(db)
    response = anon_client.get(
        "/api/v1/audit", params={"action": ACTION}, headers=login_as("ys_admin")
    )
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["items"]] == sorted(ids["ys"], reverse=True)


def test_a_district_leader_sees_everything(anon_client, db, login_as) -> None:
    ids = _seed(db)
    items = anon_client.get(
        "/api/v1/audit", params={"action": ACTION}, headers=login_as("leader")
    ).json()["items"]
    assert len(items) == sum(len(v) for v in ids.values())


def test_time_filters_need_a_time_zone(client, db) -> None:
    _seed(db)
    now = db.execute(text("SELECT now()")).scalar_one()
    later = client.get(
        "/api/v1/audit", params={"action": ACTION, "since": "2999-01-01T00:00:00+08:00"}
    )
    assert later.json()["items"] == []
    until = client.get("/api/v1/audit", params={"action": ACTION, "until": now.isoformat()})
    assert until.json()["items"] == []  # until is exclusive: rows written at now() are left out
    naive = client.get("/api/v1/audit", params={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422 and "缺少时区" in naive.json()["detail"]


def test_searching_needs_the_audit_permission(anon_client, login_as) -> None:
    assert anon_client.get("/api/v1/audit", headers=login_as("ys_grid")).status_code == 403
    assert anon_client.get("/api/v1/audit").status_code == 401
