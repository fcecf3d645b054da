"""Enterprises near the phone for a patrol check-in: nearest first, only the officer's
region, the point validated at the door (422; a malformed parameter 400), patrol.perform
required (403)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.factories import make_enterprise
from tests.geo.task.task_flow import grid_point

URL = "/api/v1/patrols/nearby-enterprises"


def _region_id(db: Session, username: str) -> int:
    return int(
        db.execute(
            text("SELECT region_id FROM user_account WHERE username = :u"), {"u": username}
        ).scalar_one()
    )


def test_nearest_first_within_scope(
    client: TestClient, db: Session, login_as: Callable[[str], dict[str, str]]
) -> None:
    lon, lat = grid_point(db, "ys_grid")
    here = make_enterprise(db, lon=lon + 0.00001, lat=lat, serial=990001, name="附近测试企业甲",
                           region_id=_region_id(db, "ys_grid"))  # fmt: skip
    make_enterprise(db, lon=lon + 0.0003, lat=lat, serial=990002, name="附近测试企业乙",
                    region_id=_region_id(db, "ys_grid"))  # fmt: skip
    make_enterprise(db, lon=lon + 0.00002, lat=lat, serial=990003, name="塘桥辖区测试企业",
                    region_id=_region_id(db, "tq_grid"))  # fmt: skip

    r = client.get(URL, params={"lon": lon, "lat": lat, "limit": 5}, headers=login_as("ys_officer"))
    assert r.status_code == 200, r.text
    rows = r.json()
    assert len(rows) == 5
    assert rows[0]["id"] == here.id and rows[0]["name"] == "附近测试企业甲"
    assert 0 < rows[0]["distance_m"] < 2
    assert rows[1]["name"] == "附近测试企业乙" and 20 < rows[1]["distance_m"] < 40
    distances = [row["distance_m"] for row in rows]
    assert distances == sorted(distances)
    assert "塘桥辖区测试企业" not in {row["name"] for row in rows}  # another town's

    # The tq officer standing there sees only 塘桥's enterprises, never 杨舍's.
    r = client.get(URL, params={"lon": lon, "lat": lat}, headers=login_as("tq_officer"))
    assert r.status_code == 200, r.text
    names = {row["name"] for row in r.json()}
    assert "塘桥辖区测试企业" in names and "附近测试企业甲" not in names


def test_bad_point_and_missing_permission(
    client: TestClient, db: Session, login_as: Callable[[str], dict[str, str]]
) -> None:
    officer = login_as("ys_officer")
    lon, lat = grid_point(db, "ys_grid")
    swapped = client.get(URL, params={"lon": lat, "lat": lon}, headers=officer)
    assert swapped.status_code == 422 and "位置" in swapped.json()["detail"]
    far = client.get(URL, params={"lon": 116.4, "lat": 39.9}, headers=officer)
    assert far.status_code == 422
    assert client.get(URL, params={"lon": "nan", "lat": lat}, headers=officer).status_code == 400
    assert (
        client.get(URL, params={"lon": lon, "lat": lat, "limit": 0}, headers=officer).status_code
        == 400
    )
    assert (
        client.get(URL, params={"lon": lon, "lat": lat}, headers=login_as("ys_grid")).status_code
        == 403
    )
