"""The organisation API (SYS-2) over HTTP: the contract the web UI is written against,
isolation between towns, anti-escalation, sessions and lockout, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.routes import org as org_routes
from geo.audit.models import AuditLog
from geo.core.settings import get_auth_settings
from geo.org.models import Department, Squad, UserAccount
from geo.region.models import Region

ORG = "/api/v1/org"
YS_TOWN, TQ_TOWN = "320582100000", "320582101000"
USER_FIELDS = {
    "id", "username", "display_name", "phone", "id_number_masked", "region_id",
    "region_name", "department_id", "department_name", "squad_id", "squad_name", "roles",
    "is_active", "locked", "last_login_at", "has_certificate",
}  # fmt: skip


def _id(db: Session, model: type, **where: str) -> int:
    return db.scalars(select(model.id).filter_by(**where)).one()  # type: ignore[attr-defined]


def _region(db: Session, code: str) -> int:
    return _id(db, Region, code=code)


def _user(db: Session, username: str) -> int:
    return _id(db, UserAccount, username=username)


def _new_user(region_id: int, **kw: object) -> dict[str, object]:
    return {
        "username": "li.si",
        "display_name": "李四",
        "password": "Qiang2026!",
        "region_id": region_id,
        "roles": [],
        **kw,
    }


def _audit_count(db: Session, action: str, object_id: int | str) -> int:
    return db.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.action == action, AuditLog.object_id == str(object_id))
    )


# ---- contract and permissions -----------------------------------------------------------
def test_every_org_route_declares_a_system_permission() -> None:
    routes = [r for r in org_routes.router.routes if isinstance(r, APIRoute)]
    assert len(routes) == 21
    for route in routes:
        declared = {getattr(d.call, "permission", "") for d in route.dependant.dependencies}
        assert any(p.startswith("system.") for p in declared), route.path


def test_permissions_and_roles_shape(client: TestClient) -> None:
    modules = client.get(f"{ORG}/permissions").json()["modules"]
    assert {"code", "label", "permissions"} <= set(modules[0])
    assert {"code", "label"} == set(modules[0]["permissions"][0])
    roles = client.get(f"{ORG}/roles").json()
    by_code = {r["code"]: r for r in roles}
    assert set(by_code["leader"]) == {
        "code", "name", "description", "is_builtin", "is_superuser", "permissions", "user_count",
    }  # fmt: skip
    assert by_code["administrator"]["is_superuser"] is True
    assert by_code["leader"]["user_count"] == 3  # the district's and both towns' leaders


def test_missing_permission_is_403(client: TestClient, login_as) -> None:
    grid = login_as("ys_grid")
    assert client.get(f"{ORG}/roles", headers=grid).status_code == 403
    assert client.get(f"{ORG}/users", headers=grid).status_code == 403
    ys_admin = login_as("ys_admin")  # holds everything of `system` but the matrix
    answer = client.post(f"{ORG}/roles", json={"code": "x_role", "name": "某"}, headers=ys_admin)
    assert answer.status_code == 403 and "system.role.manage" in answer.json()["detail"]


def test_matrix_editing(client: TestClient, db: Session) -> None:
    created = client.post(
        f"{ORG}/roles",
        json={
            "code": "inspector",
            "name": "巡查员",
            "description": "",
            "permissions": ["map.view"],
        },
    )
    assert created.status_code == 201 and created.json()["permissions"] == ["map.view"]
    patched = client.patch(
        f"{ORG}/roles/inspector", json={"permissions": ["map.view", "patrol.perform"]}
    )
    assert patched.status_code == 200
    listed = {r["code"]: r for r in client.get(f"{ORG}/roles").json()}
    assert listed["inspector"]["permissions"] == ["map.view", "patrol.perform"]
    assert _audit_count(db, "org.role_update", "inspector") == 1
    unknown = client.patch(f"{ORG}/roles/inspector", json={"permissions": ["map.view", "a.b"]})
    assert unknown.status_code == 422 and "a.b" in unknown.json()["detail"]
    admin_role = client.patch(f"{ORG}/roles/administrator", json={"permissions": ["map.view"]})
    assert admin_role.status_code == 422
    assert (
        client.post(f"{ORG}/roles", json={"code": "inspector", "name": "又一个"}).status_code == 409
    )
    assert client.delete(f"{ORG}/roles/leader").status_code == 409
    assert client.delete(f"{ORG}/roles/inspector").status_code == 204
    assert client.delete(f"{ORG}/roles/inspector").status_code == 404


# ---- users ------------------------------------------------------------------------------
def test_create_user_contract_and_audit(client: TestClient, db: Session) -> None:
    ys = _region(db, YS_TOWN)
    answer = client.post(
        f"{ORG}/users",
        json=_new_user(
            ys, phone="138 1234 5678", id_number="320582199003071232", roles=["officer"]
        ),
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) == USER_FIELDS | {"window_ids"}
    assert body["id_number_masked"] == "320582********1232" and body["phone"] == "13812345678"
    assert "320582199003071232" not in answer.text and "argon2" not in answer.text
    assert _audit_count(db, "org.user_create", body["id"]) == 1
    listed = client.get(f"{ORG}/users", params={"q": "li.si"}).json()["items"]
    assert [set(item) for item in listed] == [USER_FIELDS]


def test_validation_and_duplicates(client: TestClient, db: Session) -> None:
    ys = _region(db, YS_TOWN)
    bad_name = client.post(f"{ORG}/users", json=_new_user(ys, username="9lives"))
    assert bad_name.status_code == 422 and "字母开头" in bad_name.json()["detail"]
    bad_phone = client.post(f"{ORG}/users", json=_new_user(ys, phone="12345"))
    assert bad_phone.status_code == 422 and "手机号码" in bad_phone.json()["detail"]
    bad_id = client.post(f"{ORG}/users", json=_new_user(ys, id_number="320582199003071231"))
    assert bad_id.status_code == 422 and "身份证" in bad_id.json()["detail"]
    weak = client.post(f"{ORG}/users", json=_new_user(ys, password="12345678"))
    assert weak.status_code == 422 and "字母" in weak.json()["detail"]
    missing = client.post(f"{ORG}/users", json={"username": "li.si"})
    assert missing.status_code == 422
    duplicate = client.post(f"{ORG}/users", json=_new_user(ys, username="ys_admin"))
    assert duplicate.status_code == 409
    dup_department = client.post(f"{ORG}/departments", json={"name": "杨舍城管办", "region_id": ys})
    assert dup_department.status_code == 409
    assert db.scalar(select(UserAccount.id).filter_by(username="li.si")) is None


def test_escalation_refused_over_http(client: TestClient, db: Session, login_as) -> None:
    ys_admin = login_as("ys_admin")
    ys = _region(db, YS_TOWN)
    answer = client.post(
        f"{ORG}/users", json=_new_user(ys, roles=["administrator"]), headers=ys_admin
    )
    assert answer.status_code == 403
    promote = client.patch(
        f"{ORG}/users/{_user(db, 'ys_grid')}",
        json={"roles": ["grid_member", "administrator"]},
        headers=ys_admin,
    )
    assert promote.status_code == 403
    assert "系统管理员" in promote.json()["detail"]
    me = _user(db, "ys_admin")
    self_promote = client.patch(
        f"{ORG}/users/{me}", json={"roles": ["region_admin", "administrator"]}, headers=ys_admin
    )
    assert self_promote.status_code == 403
    assert client.get(f"{ORG}/users/{me}", headers=ys_admin).json()["roles"] == ["region_admin"]


def test_town_isolation(client: TestClient, db: Session, login_as) -> None:
    ys_admin = login_as("ys_admin")
    listed = client.get(f"{ORG}/users", params={"limit": 200}, headers=ys_admin).json()
    usernames = {u["username"] for u in listed["items"]}
    assert "ys_officer" in usernames and not any(u.startswith("tq_") for u in usernames)
    tq = _user(db, "tq_officer")
    assert client.get(f"{ORG}/users/{tq}", headers=ys_admin).status_code == 404
    patched = client.patch(f"{ORG}/users/{tq}", json={"display_name": "x"}, headers=ys_admin)
    assert patched.status_code == 404
    for path in ("unlock", "password"):
        answer = client.post(
            f"{ORG}/users/{tq}/{path}", json={"new_password": "Reset2026x"}, headers=ys_admin
        )
        assert answer.status_code == 404, path
    assert db.get(UserAccount, tq).display_name != "x"
    departments = client.get(f"{ORG}/departments", headers=ys_admin).json()
    assert departments and all(d["region_name"] == "杨舍镇" for d in departments)
    squads = client.get(f"{ORG}/squads", headers=ys_admin).json()
    assert {s["name"] for s in squads} == {"杨舍第一中队", "杨舍第二中队"}
    tq_region = client.get(
        f"{ORG}/departments", params={"region_id": _region(db, TQ_TOWN)}, headers=ys_admin
    )
    assert tq_region.status_code == 404


def test_keyset_paging_through_users(client: TestClient, db: Session) -> None:
    ids: list[int] = []
    params: dict[str, object] = {"limit": 7}
    while True:
        page = client.get(f"{ORG}/users", params=params)
        assert page.status_code == 200
        body = page.json()
        ids += [u["id"] for u in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert ids == sorted(set(ids))
    assert len(ids) == db.scalar(select(func.count()).select_from(UserAccount))
    assert client.get(f"{ORG}/users", params={"cursor": "x"}).status_code == 400
    assert client.get(f"{ORG}/users", params={"limit": 0}).status_code == 400


def test_deactivation_kills_sessions(client: TestClient, db: Session, login_as) -> None:
    officer = login_as("ys_officer")
    assert client.get("/api/v1/auth/me", headers=officer).status_code == 200
    officer_id = _user(db, "ys_officer")
    answer = client.patch(f"{ORG}/users/{officer_id}", json={"is_active": False})
    assert answer.status_code == 200 and answer.json()["is_active"] is False
    assert client.get("/api/v1/auth/me", headers=officer).status_code == 401
    itself = client.patch(f"{ORG}/users/{_user(db, 'admin')}", json={"is_active": False})
    assert itself.status_code == 422


def test_unlock_after_a_real_lockout(client: TestClient, anon_client, db: Session) -> None:
    def login(password: str):  # noqa: ANN202
        return anon_client.post(
            "/api/v1/auth/login",
            json={"username": "ys_clerk", "password": password, "client": "app"},
        )

    answers = [login("wrong-password-1") for _ in range(5)]
    assert all(a.status_code == 401 for a in answers)
    assert "锁定" in answers[-1].json()["detail"]
    refused = login("Demo@2026")
    assert refused.status_code == 401 and "锁定" in refused.json()["detail"]
    clerk = _user(db, "ys_clerk")
    assert client.get(f"{ORG}/users/{clerk}").json()["locked"] is True
    assert client.post(f"{ORG}/users/{clerk}/unlock").status_code == 204
    assert client.get(f"{ORG}/users/{clerk}").json()["locked"] is False
    assert login("Demo@2026").status_code == 200
    assert _audit_count(db, "org.user_unlock", clerk) == 1


def test_password_reset_revokes_sessions(client: TestClient, db: Session, login_as) -> None:
    handler = login_as("ys_handler")
    target = _user(db, "ys_handler")
    weak = client.post(f"{ORG}/users/{target}/password", json={"new_password": "abc"})
    assert weak.status_code == 422
    answer = client.post(f"{ORG}/users/{target}/password", json={"new_password": "Fresh2026pw"})
    assert answer.status_code == 204
    assert client.get("/api/v1/auth/me", headers=handler).status_code == 401
    assert _audit_count(db, "org.user_password_reset", target) == 1


# ---- departments and squads -------------------------------------------------------------
def test_department_and_squad_lifecycle(client: TestClient, db: Session, login_as) -> None:
    ys_admin = login_as("ys_admin")
    ys = _region(db, YS_TOWN)
    top = client.post(
        f"{ORG}/departments", json={"name": "杨舍安监办", "region_id": ys}, headers=ys_admin
    )
    assert top.status_code == 201
    top_id = top.json()["id"]
    child = client.post(
        f"{ORG}/departments",
        json={"name": "安监一科", "region_id": ys, "parent_id": top_id, "phone": "0512-58681234"},
        headers=ys_admin,
    )
    assert child.status_code == 201 and child.json()["parent_id"] == top_id
    cycle = client.patch(
        f"{ORG}/departments/{top_id}", json={"parent_id": child.json()["id"]}, headers=ys_admin
    )
    assert cycle.status_code == 422
    listed = [d["id"] for d in client.get(f"{ORG}/departments", headers=ys_admin).json()]
    assert listed.index(top_id) + 1 == listed.index(child.json()["id"])
    squad = client.post(
        f"{ORG}/squads",
        json={"name": "安监中队", "department_id": top_id, "leader_id": _user(db, "ys_officer")},
        headers=ys_admin,
    )
    assert squad.status_code == 201
    assert set(squad.json()) == {
        "id", "name", "department_id", "region_id", "leader_id", "leader_name", "member_count",
    }  # fmt: skip
    foreign_leader = client.patch(
        f"{ORG}/squads/{squad.json()['id']}",
        json={"leader_id": _user(db, "tq_officer")},
        headers=ys_admin,
    )
    assert foreign_leader.status_code == 404
    busy = client.delete(f"{ORG}/departments/{top_id}", headers=ys_admin)
    assert busy.status_code == 409 and "下级部门" in busy.json()["detail"]
    assert client.delete(f"{ORG}/squads/{squad.json()['id']}", headers=ys_admin).status_code == 204
    assert (
        client.delete(f"{ORG}/departments/{child.json()['id']}", headers=ys_admin).status_code
        == 204
    )
    assert client.delete(f"{ORG}/departments/{top_id}", headers=ys_admin).status_code == 204
    assert db.get(Department, top_id) is None
    assert db.scalar(select(func.count()).select_from(Squad).filter_by(name="安监中队")) == 0
    assert _audit_count(db, "org.department_delete", top_id) == 1


# ---- CA lock ----------------------------------------------------------------------------
def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _certificate(subject: str, issuer: str, key: ec.EllipticCurvePrivateKey, *, ca: bool = False):  # noqa: ANN202
    now = datetime.now(UTC)
    own_key = key if ca else ec.generate_private_key(ec.SECP256R1())
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(own_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture
def ca_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ec.EllipticCurvePrivateKey:
    key = ec.generate_private_key(ec.SECP256R1())
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(_pem(_certificate("测试CA", "测试CA", key, ca=True)))
    monkeypatch.setattr(get_auth_settings(), "client_ca_file", str(ca_file))
    return key


def test_certificate_binding(client: TestClient, db: Session, ca_key) -> None:
    clerk, handler = _user(db, "ys_clerk"), _user(db, "ys_handler")
    usb_key = _pem(_certificate("ys_clerk", "测试CA", ca_key))
    bound = client.put(f"{ORG}/users/{clerk}/certificate", json={"pem": usb_key})
    assert bound.status_code == 200 and bound.json()["has_certificate"] is True
    assert len(db.get(UserAccount, clerk).cert_fingerprint) == 64
    twice = client.put(f"{ORG}/users/{handler}/certificate", json={"pem": usb_key})
    assert twice.status_code == 409
    stranger = _pem(_certificate("x", "测试CA", ec.generate_private_key(ec.SECP256R1())))
    foreign = client.put(f"{ORG}/users/{handler}/certificate", json={"pem": stranger})
    assert foreign.status_code == 422 and "认可" in foreign.json()["detail"]
    garbage = client.put(f"{ORG}/users/{handler}/certificate", json={"pem": "not a pem"})
    assert garbage.status_code == 422
    assert client.delete(f"{ORG}/users/{clerk}/certificate").status_code == 204
    assert client.get(f"{ORG}/users/{clerk}").json()["has_certificate"] is False
    assert _audit_count(db, "org.user_certificate_bind", clerk) == 1
    assert _audit_count(db, "org.user_certificate_unbind", clerk) == 1


def test_a_certificate_held_in_another_town_is_not_named(
    client: TestClient, db: Session, ca_key, login_as
) -> None:
    usb_key = _pem(_certificate("tq_clerk", "测试CA", ca_key))
    path = f"{ORG}/users/{_user(db, 'tq_clerk')}/certificate"
    assert client.put(path, json={"pem": usb_key}).status_code == 200
    again = f"{ORG}/users/{_user(db, 'ys_handler')}/certificate"
    town = client.put(again, json={"pem": usb_key}, headers=login_as("ys_admin"))
    assert town.status_code == 409
    assert town.json()["detail"] == "该证书已绑定给其他用户"
    district = client.put(again, json={"pem": usb_key})  # the holder is in the district's scope
    assert district.status_code == 409 and "tq_clerk" in district.json()["detail"]
