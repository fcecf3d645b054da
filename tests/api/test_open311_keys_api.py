"""Open311 keys over the admin API: issued once in plain, kept only as an HMAC, listed and
revoked inside the administrator's region subtree, audited; a key reports only into its
region; production mode refuses the demo key."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

import api.main
from api.deps import get_session
from api.main import UnsafeProductionSetup, create_app
from geo.core.settings import get_app_settings, get_auth_settings
from geo.org.auth import token_digest
from tests.conftest import scalar
from tests.geo.event.event_flow import grid_point

KEYS = "/api/v1/admin/open311-keys"
YS, TQ = "320582100000", "320582101000"


def _region(db: Session, code: str) -> int:
    return int(scalar(db, "SELECT id FROM region WHERE code = :c", c=code))  # type: ignore[arg-type]


def test_the_key_is_shown_once_and_stored_only_as_its_hmac(client: TestClient, db: Session) -> None:
    r = client.post(KEYS, json={"name": "12345 热线平台", "region_id": _region(db, YS)})
    assert r.status_code == 201, r.text
    issued = r.json()
    plain = issued["key"]
    assert len(plain) >= 40 and issued["region_name"] == "杨舍镇" and issued["is_active"]
    digest = db.execute(
        text("SELECT key_digest FROM open311_key WHERE id = :i"), {"i": issued["id"]}
    ).scalar_one()
    assert bytes(digest) == token_digest(plain) and plain.encode() not in bytes(digest)
    key = get_auth_settings().secret_key.encode()
    assert hmac.compare_digest(bytes(digest), hmac.new(key, plain.encode(), "sha256").digest())
    everywhere = scalar(
        db,
        "SELECT count(*) FROM audit_log WHERE coalesce(after::text, '') LIKE :k "
        "OR coalesce(detail, '') LIKE :k",
        k=f"%{plain}%",
    )
    assert everywhere == 0
    audit = db.execute(
        text("SELECT actor_name, after->>'name' FROM audit_log WHERE action = 'open311.key_issue' "
             "AND object_id = :i"), {"i": str(issued["id"])},
    ).one()  # fmt: skip
    admin = scalar(db, "SELECT display_name FROM user_account WHERE username = 'admin'")
    assert tuple(audit) == (admin, "12345 热线平台")

    listed = client.get(KEYS).json()["items"]
    mine = next(k for k in listed if k["id"] == issued["id"])
    assert "key" not in mine and mine["created_by_name"]


def test_revoke_once_then_conflict(client: TestClient, db: Session) -> None:
    issued = client.post(KEYS, json={"name": "测试", "region_id": _region(db, YS)}).json()
    r = client.post(f"{KEYS}/{issued['id']}/revoke")
    assert r.status_code == 200 and r.json()["revoked_at"] and not r.json()["is_active"]
    again = client.post(f"{KEYS}/{issued['id']}/revoke")
    assert again.status_code == 409 and "已于之前吊销" in again.json()["detail"]
    active = client.get(KEYS, params={"include_revoked": "false"}).json()["items"]
    assert issued["id"] not in [k["id"] for k in active]
    assert scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'open311.key_revoke' "
                      "AND object_id = :i", i=str(issued["id"])) == 1  # fmt: skip


def test_a_town_admin_manages_only_the_keys_of_the_town(
    client: TestClient, login_as: Any, db: Session
) -> None:
    tq_key = client.post(KEYS, json={"name": "塘桥热线", "region_id": _region(db, TQ)}).json()
    ys = login_as("ys_admin")
    listed = client.get(KEYS, headers=ys).json()["items"]
    assert tq_key["id"] not in [k["id"] for k in listed]
    assert client.post(f"{KEYS}/{tq_key['id']}/revoke", headers=ys).status_code == 404
    r = client.post(KEYS, json={"name": "越权", "region_id": _region(db, TQ)}, headers=ys)
    assert r.status_code == 404
    r = client.post(KEYS, json={"name": "杨舍热线", "region_id": _region(db, YS)}, headers=ys)
    assert r.status_code == 201


def test_issuing_needs_the_manage_permission(
    client: TestClient, login_as: Any, db: Session
) -> None:
    r = client.post(
        KEYS, json={"name": "x", "region_id": _region(db, YS)}, headers=login_as("ys_dispatcher")
    )
    assert r.status_code == 403 and "system.parameter.manage" in r.json()["detail"]


def test_a_key_reports_only_into_its_region(client: TestClient, db: Session) -> None:
    key = client.post(KEYS, json={"name": "塘桥热线", "region_id": _region(db, TQ)}).json()["key"]
    lon, lat = grid_point(db, "ys_grid")  # a 杨舍镇 grid
    form = {"api_key": key, "service_code": "0101", "lat": str(lat), "long": str(lon)}
    r = client.post("/open311/v2/requests.json", data=form)
    assert r.status_code == 403
    assert "只能提交“塘桥镇”范围内" in r.json()[0]["description"]
    lon, lat = grid_point(db, "tq_grid")
    r = client.post("/open311/v2/requests.json", data={**form, "lat": str(lat), "long": str(lon)})
    assert r.status_code == 200, r.text


# ---- production mode ---------------------------------------------------------------------
REAL_SECRET = "k3J9vQ2xZ8pL5mN7wR4tY6uB1cF0hD8sA2gE5jK7"


class _TestEngine:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def connect(self) -> nullcontext[Connection]:
        return nullcontext(self.conn)


@pytest.fixture
def production(
    monkeypatch: pytest.MonkeyPatch, connection: Connection, db: Session
) -> Iterator[None]:
    monkeypatch.setenv("APP_MODE", "production")
    monkeypatch.setenv("APP_SECRET_KEY", REAL_SECRET)
    monkeypatch.setattr(api.main, "get_engine", lambda: _TestEngine(connection))
    get_app_settings.cache_clear()
    get_auth_settings.cache_clear()
    db.execute(text("UPDATE user_account SET is_demo = false"))
    db.flush()
    try:
        yield
    finally:
        get_app_settings.cache_clear()
        get_auth_settings.cache_clear()


def _start(db: Session) -> TestClient:
    app = create_app()
    app.dependency_overrides[get_session] = lambda: db
    return TestClient(app)


def test_production_refuses_to_start_while_the_demo_key_works(
    production: None, db: Session
) -> None:
    with pytest.raises(UnsafeProductionSetup, match="demo-open311-key") as refused, _start(db):
        pass
    assert "演示账号" not in str(refused.value)
    db.execute(text("UPDATE open311_key SET revoked_at = now() WHERE is_demo"))
    db.flush()
    with _start(db) as c:
        assert c.get("/open311/v2/services.json").status_code == 200
