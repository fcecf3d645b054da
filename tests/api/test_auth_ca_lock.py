"""The CA lock (SYS-1): an account bound to a client certificate signs in only with it,
forwarded by the trusted TLS proxy. Certificates are made here with `cryptography`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.deps import get_session
from api.main import create_app
from data.demo.accounts import DEMO_PASSWORD
from geo.core.settings import get_auth_settings
from geo.org.certificates import fingerprint

LOGIN = "/api/v1/auth/login"
HEADER = "X-SSL-Client-Cert"
NOW = datetime.now(UTC)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _ca(common: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common)).issuer_name(_name(common))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=30)).not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return cert, key


def _client_cert(
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
    *,
    valid_from: datetime = NOW - timedelta(days=1),
    valid_to: datetime = NOW + timedelta(days=365),
) -> x509.Certificate:
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    return (
        x509.CertificateBuilder()
        .subject_name(_name("杨舍镇执法队员")).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(valid_from).not_valid_after(valid_to)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip


def _forwarded(cert: x509.Certificate) -> str:
    """What nginx puts in the header: `$ssl_client_escaped_cert` (URL-escaped PEM)."""
    return quote(cert.public_bytes(serialization.Encoding.PEM).decode(), safe="")


@pytest.fixture
def ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:
    authority = _ca("乡镇平台测试 CA")
    ca_file = tmp_path / "client-ca.pem"
    ca_file.write_bytes(authority[0].public_bytes(serialization.Encoding.PEM))
    monkeypatch.setenv("APP_CLIENT_CA_FILE", str(ca_file))
    monkeypatch.setenv("APP_TRUSTED_PROXIES", '["127.0.0.1"]')
    get_auth_settings.cache_clear()
    try:
        yield authority
    finally:
        get_auth_settings.cache_clear()


def _client(db, host: str) -> Iterator[TestClient]:  # noqa: ANN001
    app = create_app()
    app.dependency_overrides[get_session] = lambda: db
    with TestClient(app, client=(host, 50123)) as c:
        yield c


@pytest.fixture
def via_proxy(db) -> Iterator[TestClient]:  # noqa: ANN001
    """Requests arriving from the TLS proxy on the same machine."""
    yield from _client(db, "127.0.0.1")


@pytest.fixture
def direct(db) -> Iterator[TestClient]:  # noqa: ANN001
    """Requests from a desktop on the network, not through the proxy."""
    yield from _client(db, "10.20.30.40")


@pytest.fixture
def bound(db, ca) -> x509.Certificate:  # noqa: ANN001
    """ys_officer's CA lock, bound to the account."""
    cert = _client_cert(ca)
    db.execute(
        text("UPDATE user_account SET cert_fingerprint = :f WHERE username = 'ys_officer'"),
        {"f": fingerprint(cert)},
    )
    return cert


def _login(c: TestClient, cert: x509.Certificate | None = None, username: str = "ys_officer"):  # noqa: ANN202
    headers = {HEADER: _forwarded(cert)} if cert is not None else {}
    return c.post(LOGIN, json={"username": username, "password": DEMO_PASSWORD}, headers=headers)


def _refusals(db) -> list[str]:  # noqa: ANN001
    return list(
        db.scalars(
            text("SELECT a.detail FROM audit_log a JOIN user_account u "
                 "ON a.object_id = u.id::text WHERE u.username = 'ys_officer' "
                 "AND a.action = 'auth.login_refused' ORDER BY a.id")
        )
    )  # fmt: skip


def test_bound_account_without_the_certificate_is_refused(via_proxy, db, bound) -> None:  # noqa: ANN001
    r = _login(via_proxy)
    assert (r.status_code, r.json()["detail"]) == (401, "此账号须插入 CA 锁（数字证书）登录")
    assert "set-cookie" not in r.headers
    assert _refusals(db) == ["此账号须插入 CA 锁（数字证书）登录"]


def test_the_right_certificate_from_the_proxy_signs_in(via_proxy, db, bound) -> None:  # noqa: ANN001
    r = _login(via_proxy, bound)
    assert r.status_code == 200, r.text
    assert r.json()["username"] == "ys_officer"


def test_uppercase_fingerprint_binding_also_matches(via_proxy, db, bound) -> None:  # noqa: ANN001
    db.execute(
        text("UPDATE user_account SET cert_fingerprint = upper(cert_fingerprint) "
             "WHERE username = 'ys_officer'")
    )  # fmt: skip
    assert _login(via_proxy, bound).status_code == 200


def test_certificate_of_another_ca_is_refused(via_proxy, db, bound) -> None:  # noqa: ANN001
    stranger = _client_cert(_ca("乡镇平台测试 CA"))  # same name, different key
    db.execute(
        text("UPDATE user_account SET cert_fingerprint = :f WHERE username = 'ys_officer'"),
        {"f": fingerprint(stranger)},
    )
    r = _login(via_proxy, stranger)
    assert (r.status_code, r.json()["detail"]) == (401, "数字证书不是本系统认可的机构签发的")


def test_expired_certificate_is_refused(via_proxy, db, ca) -> None:  # noqa: ANN001
    old = _client_cert(ca, valid_from=NOW - timedelta(days=400), valid_to=NOW - timedelta(days=1))
    db.execute(
        text("UPDATE user_account SET cert_fingerprint = :f WHERE username = 'ys_officer'"),
        {"f": fingerprint(old)},
    )
    r = _login(via_proxy, old)
    assert (r.status_code, r.json()["detail"]) == (401, "数字证书不在有效期内")


def test_someone_elses_certificate_is_refused(via_proxy, db, ca, bound) -> None:  # noqa: ANN001
    r = _login(via_proxy, _client_cert(ca))
    assert (r.status_code, r.json()["detail"]) == (401, "插入的 CA 锁不属于此账号")


def test_header_from_an_untrusted_address_is_ignored(direct, db, bound) -> None:  # noqa: ANN001
    r = _login(direct, bound)
    assert (r.status_code, r.json()["detail"]) == (401, "此账号须插入 CA 锁（数字证书）登录")


def test_garbage_in_the_header_is_refused(via_proxy, db, bound) -> None:  # noqa: ANN001
    r = via_proxy.post(
        LOGIN,
        json={"username": "ys_officer", "password": DEMO_PASSWORD},
        headers={HEADER: "-----BEGIN%20CERTIFICATE-----%0Anope%0A"},
    )
    assert (r.status_code, r.json()["detail"]) == (401, "数字证书无法识别，请重新插入 CA 锁")


def test_unreadable_ca_file_refuses_with_a_message(via_proxy, db, bound, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("APP_CLIENT_CA_FILE", "/nonexistent/ca.pem")
    get_auth_settings.cache_clear()
    r = _login(via_proxy, bound)
    assert r.status_code == 401
    assert r.json()["detail"] == "系统的 CA 证书配置有误，暂不能用 CA 锁登录，请联系管理员"


def test_unbound_accounts_need_no_certificate(direct, ca) -> None:  # noqa: ANN001
    assert _login(direct, username="ys_legal").status_code == 200


def test_a_spoofed_forwarded_for_does_not_make_a_client_a_proxy(direct, db, bound) -> None:  # noqa: ANN001
    r = direct.post(
        LOGIN,
        json={"username": "ys_officer", "password": DEMO_PASSWORD},
        headers={HEADER: _forwarded(bound), "X-Forwarded-For": "127.0.0.1"},
    )
    assert (r.status_code, r.json()["detail"]) == (401, "此账号须插入 CA 锁（数字证书）登录")


def test_audit_keeps_the_users_address_from_behind_the_proxy(via_proxy, db, bound) -> None:  # noqa: ANN001
    r = via_proxy.post(
        LOGIN,
        json={"username": "ys_officer", "password": DEMO_PASSWORD},
        # the client wrote the first hop itself; nginx appended the real one
        headers={HEADER: _forwarded(bound), "X-Forwarded-For": "1.1.1.1, 10.8.0.23"},
    )
    assert r.status_code == 200
    ip = db.scalar(
        text("SELECT host(ip) FROM audit_log WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1")
    )
    assert ip == "10.8.0.23"
