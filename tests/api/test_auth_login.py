"""Sign-in over HTTP (SYS-1): answers, cookies, CSRF, expiry and the current user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from data.demo.accounts import DEMO_PASSWORD
from geo.core.settings import get_auth_settings
from geo.org.permissions import BUILTIN_ROLES, PERMISSIONS
from geo.parameter.service import get_parameter, set_parameter

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"


def _login(c: TestClient, username: str, password: str = DEMO_PASSWORD, **extra: object):  # noqa: ANN202
    return c.post(LOGIN, json={"username": username, "password": password, **extra})


def _user_row(db: Session, username: str):  # noqa: ANN202
    return db.execute(
        text("SELECT id, failed_logins, locked_until, password_hash FROM user_account "
             "WHERE username = :u"), {"u": username},
    ).one()  # fmt: skip


def _audit(db: Session, action: str, user_id: int) -> list[str | None]:
    return list(
        db.scalars(
            text("SELECT detail FROM audit_log WHERE action = :a AND object_id = :o ORDER BY id"),
            {"a": action, "o": str(user_id)},
        )
    )


def _browser(anon_client: TestClient, username: str = "ys_admin") -> str:
    """Sign the client in with the browser cookie; the CSRF token of the session."""
    r = _login(anon_client, username)
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def _session_of(db: Session, username: str) -> int:
    return db.scalar(
        text("SELECT s.id FROM auth_session s JOIN user_account u ON u.id = s.user_id "
             "WHERE u.username = :u ORDER BY s.id DESC LIMIT 1"), {"u": username},
    )  # fmt: skip


# ---- the login answer ------------------------------------------------------------------
def test_wrong_password_is_401_with_attempts_left_and_audited(anon_client, db) -> None:  # noqa: ANN001
    set_parameter(db, key="auth.max_failed_logins", value=5)
    r = _login(anon_client, "ys_handler", "not-the-password1")
    assert r.status_code == 401
    assert r.json() == {"code": "Unauthorized", "detail": "用户名或密码错误，再错 4 次账号将被锁定"}
    assert "set-cookie" not in r.headers
    user = _user_row(db, "ys_handler")
    assert user.failed_logins == 1  # committed although the answer is an error
    assert _audit(db, "auth.login_failed", user.id) == ["密码错误（连续第 1 次）"]


def test_unknown_user_is_the_same_401(anon_client, db) -> None:  # noqa: ANN001
    before = db.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'"))
    r = _login(anon_client, "nobody_here", "whatever-1")
    assert r.status_code == 401
    assert r.json()["detail"] == "用户名或密码错误"
    last = db.execute(
        text("SELECT object_id, detail FROM audit_log ORDER BY id DESC LIMIT 1")
    ).one()
    assert (last.object_id, last.detail) == ("nobody_here", "用户不存在")
    assert (
        db.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'"))
        == before + 1
    )


def test_lockout_refuses_the_right_password(anon_client, db) -> None:  # noqa: ANN001
    set_parameter(db, key="auth.max_failed_logins", value=3)
    set_parameter(db, key="auth.lock_minutes", value=20)
    details = [_login(anon_client, "tq_legal", f"wrong-{i}-pw").json()["detail"] for i in range(3)]
    assert details[-1] == "用户名或密码错误，账号已锁定 20 分钟"
    user = _user_row(db, "tq_legal")
    assert user.locked_until > datetime.now(UTC) + timedelta(minutes=19)
    assert len(_audit(db, "auth.locked", user.id)) == 1
    r = _login(anon_client, "tq_legal")
    assert r.status_code == 401
    assert r.json()["detail"].startswith("账号因多次密码错误已锁定，请于 ")
    assert "set-cookie" not in r.headers


def test_disabled_account_cannot_sign_in(anon_client, db) -> None:  # noqa: ANN001
    db.execute(text("UPDATE user_account SET is_active = false WHERE username = 'tq_grid'"))
    r = _login(anon_client, "tq_grid")
    assert (r.status_code, r.json()["detail"]) == (401, "账号已停用，请联系管理员")


def test_browser_login_sets_a_strict_httponly_cookie_only(anon_client, db) -> None:  # noqa: ANN001
    r = _login(anon_client, "ys_admin", client="browser")
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{get_auth_settings().cookie_name}=")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/" in cookie
    body = r.json()
    assert body["access_token"] is None  # page scripts never see the session token
    assert body["csrf_token"] and body["username"] == "ys_admin"
    idle = get_parameter(db, key="auth.idle_timeout_minutes")
    expires = datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(minutes=idle))) < timedelta(minutes=1)
    assert anon_client.get(ME).json()["username"] == "ys_admin"  # the cookie works
    assert _audit(db, "auth.login", _user_row(db, "ys_admin").id) == ["方式：browser"]


def test_default_login_sets_the_cookie_and_returns_the_bearer_token(anon_client) -> None:  # noqa: ANN001
    """The plain API call `{"username","password"}`: cookie for a browser, token for a
    script — one session either way."""
    r = anon_client.post(LOGIN, json={"username": "ys_admin", "password": DEMO_PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["access_token"] and body["csrf_token"]
    assert "HttpOnly" in r.headers["set-cookie"]
    anon_client.cookies.clear()
    as_bearer = anon_client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert as_bearer.json()["username"] == "ys_admin"


def test_app_login_gives_a_long_lived_token_and_no_cookie(anon_client, db) -> None:  # noqa: ANN001
    r = _login(anon_client, "ys_grid", client="app")
    assert r.status_code == 200
    assert "set-cookie" not in r.headers
    body = r.json()
    assert body["token_type"] == "bearer" and body["csrf_token"] is None
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires > datetime.now(UTC) + timedelta(days=get_auth_settings().bearer_token_days - 1)
    me = anon_client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "ys_grid"


@pytest.mark.parametrize(
    "body",
    [{"username": "ys_admin"}, {"username": "", "password": "x"}, {"password": "x" * 129}],
)
def test_incomplete_login_is_422(anon_client, body) -> None:  # noqa: ANN001
    r = anon_client.post(LOGIN, json=body)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("参数有误：")


# ---- expiry, revocation, forged tokens -------------------------------------------------
def test_idle_browser_session_is_401_expired(anon_client, db) -> None:  # noqa: ANN001
    _browser(anon_client)
    db.execute(
        text(
            "UPDATE auth_session SET expires_at = clock_timestamp() - interval '1 second' "
            "WHERE id = :s"
        ),
        {"s": _session_of(db, "ys_admin")},
    )
    r = anon_client.get(ME)
    assert (r.status_code, r.json()["detail"]) == (401, "登录已过期，请重新登录")


def test_use_slides_the_browser_expiry(anon_client, db) -> None:  # noqa: ANN001
    _browser(anon_client)
    sid = _session_of(db, "ys_admin")
    db.execute(
        text("UPDATE auth_session SET last_seen_at = clock_timestamp() - interval '10 minutes', "
             "expires_at = clock_timestamp() + interval '5 minutes' WHERE id = :s"), {"s": sid},
    )  # fmt: skip
    assert anon_client.get(ME).status_code == 200
    idle = get_parameter(db, key="auth.idle_timeout_minutes")
    left = db.scalar(
        text("SELECT expires_at - clock_timestamp() FROM auth_session WHERE id = :s"), {"s": sid}
    )
    assert timedelta(minutes=idle - 1) < left <= timedelta(minutes=idle)


def test_absolute_lifetime_stops_the_sliding(anon_client, db) -> None:  # noqa: ANN001
    _browser(anon_client)
    sid = _session_of(db, "ys_admin")
    hours = get_auth_settings().browser_session_hours
    db.execute(
        text("UPDATE auth_session SET created_at = clock_timestamp() - make_interval(hours => :h) "
             "- interval '1 minute', last_seen_at = clock_timestamp() - interval '5 minutes', "
             "expires_at = clock_timestamp() + interval '20 minutes' WHERE id = :s"),
        {"s": sid, "h": int(hours)},
    )  # fmt: skip
    assert anon_client.get(ME).status_code == 200  # still within its last idle period...
    r = anon_client.get(ME)  # ...but that use could not push it past the absolute limit
    assert (r.status_code, r.json()["detail"]) == (401, "登录已过期，请重新登录")


def test_logout_revokes_the_session(anon_client, db) -> None:  # noqa: ANN001
    csrf = _browser(anon_client)
    cookie = anon_client.cookies.get(get_auth_settings().cookie_name)
    r = anon_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert "Max-Age=0" in r.headers["set-cookie"] or "expires=" in r.headers["set-cookie"].lower()
    anon_client.cookies.set(get_auth_settings().cookie_name, cookie)  # replayed afterwards
    r = anon_client.get(ME)
    assert (r.status_code, r.json()["detail"]) == (401, "登录已过期，请重新登录")
    assert _audit(db, "auth.logout", _user_row(db, "ys_admin").id)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer forged-token-that-was-never-issued"},
        {"Authorization": ("Bearer " + "é" * 10).encode()},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic YWRtaW46RGVtb0AyMDI2"},
        {"Cookie": "township_session=%00%ff garbled"},
        {},
    ],
)
def test_forged_or_missing_credentials_are_401(anon_client, headers) -> None:  # noqa: ANN001
    r = anon_client.get(ME, headers=headers)
    assert r.status_code == 401
    assert r.json()["detail"] in ("登录凭证无效，请重新登录", "请先登录")


# ---- CSRF ------------------------------------------------------------------------------
@pytest.mark.parametrize("sent", [None, "", "tampered-token"])
def test_cookie_request_without_the_csrf_token_changes_nothing(anon_client, db, sent) -> None:  # noqa: ANN001
    csrf = _browser(anon_client, "ys_officer")
    before = _user_row(db, "ys_officer").password_hash
    headers = {} if sent is None else {"X-CSRF-Token": sent}
    body = {"old_password": DEMO_PASSWORD, "new_password": "Another-pass-9"}
    r = anon_client.post("/api/v1/auth/password", json=body, headers=headers)
    assert r.status_code == 403
    assert r.json()["detail"] == "安全校验失败（CSRF 令牌缺失或不匹配），请刷新页面后重试"
    assert _user_row(db, "ys_officer").password_hash == before
    assert not _audit(db, "auth.password_change", _user_row(db, "ys_officer").id)
    r = anon_client.post("/api/v1/auth/logout", headers=headers)
    assert r.status_code == 403
    assert anon_client.get(ME).status_code == 200  # still signed in
    # With the right token the same request goes through.
    r = anon_client.post("/api/v1/auth/password", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204


def test_bearer_request_needs_no_csrf(anon_client, login_as) -> None:  # noqa: ANN001
    headers = login_as("ys_officer")
    assert anon_client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert anon_client.get(ME, headers=headers).status_code == 401


# ---- password change and window choice over HTTP ----------------------------------------
def test_password_change_over_http(anon_client, db, login_as) -> None:  # noqa: ANN001
    other = login_as("ys_squad")
    csrf = _browser(anon_client, "ys_squad")
    set_parameter(db, key="auth.max_failed_logins", value=5)
    wrong = anon_client.post(
        "/api/v1/auth/password", headers={"X-CSRF-Token": csrf},
        json={"old_password": "wrong-old-1", "new_password": "Brand-new-22"},
    )  # fmt: skip
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == "原密码不正确，再错 4 次账号将被锁定"
    assert _user_row(db, "ys_squad").failed_logins == 1  # kept despite the error answer
    weak = anon_client.post(
        "/api/v1/auth/password", headers={"X-CSRF-Token": csrf},
        json={"old_password": DEMO_PASSWORD, "new_password": "short"},
    )  # fmt: skip
    assert (weak.status_code, weak.json()["detail"]) == (422, "密码至少 8 位")
    ok = anon_client.post(
        "/api/v1/auth/password", headers={"X-CSRF-Token": csrf},
        json={"old_password": DEMO_PASSWORD, "new_password": "Brand-new-22"},
    )  # fmt: skip
    assert ok.status_code == 204
    assert anon_client.get(ME).status_code == 200  # own session kept
    assert anon_client.get(ME, headers=other).status_code == 401  # the others ended
    assert _login(anon_client, "ys_squad", "Brand-new-22").status_code == 200


def _windows(db: Session, username: str) -> list[int]:
    return list(
        db.scalars(
            text("SELECT window_id FROM window_staff ws JOIN user_account u ON u.id = ws.user_id "
                 "WHERE u.username = :u ORDER BY window_id"), {"u": username},
        )
    )  # fmt: skip


def test_window_choice(anon_client, db, login_as) -> None:  # noqa: ANN001
    headers = login_as("ys_clerk")
    mine, foreign = _windows(db, "ys_clerk")[1], _windows(db, "tq_clerk")[0]
    r = anon_client.put("/api/v1/auth/window", json={"window_id": foreign}, headers=headers)
    assert (r.status_code, r.json()["detail"]) == (400, "所选窗口不是您的工作窗口")
    assert anon_client.get(ME, headers=headers).json()["window_id"] is None
    r = anon_client.put("/api/v1/auth/window", json={"window_id": mine}, headers=headers)
    assert r.status_code == 200 and r.json()["window_id"] == mine
    assert anon_client.get(ME, headers=headers).json()["window_id"] == mine
    refused = _login(anon_client, "ys_clerk", window_id=foreign)
    assert (refused.status_code, refused.json()["detail"]) == (401, "所选窗口不是您的工作窗口")
    chosen = _login(anon_client, "ys_clerk", window_id=mine, client="app")
    assert chosen.status_code == 200 and chosen.json()["window_id"] == mine


# ---- /me per role ----------------------------------------------------------------------
def _role_permissions(code: str) -> list[str]:
    return sorted(next(r for r in BUILTIN_ROLES if r.code == code).grants)


def test_me_of_the_administrator(anon_client, login_as) -> None:  # noqa: ANN001
    me = anon_client.get(ME, headers=login_as("admin")).json()
    assert me["roles"] == ["administrator"] and me["superuser"] is True
    assert me["permissions"] == sorted(PERMISSIONS)
    assert (me["region_name"], me["region_level"]) == ("张家港市", "district")
    assert me["windows"] == [] and me["window_id"] is None and me["csrf_token"] is None


def test_me_of_a_clerk_with_two_windows(anon_client, login_as) -> None:  # noqa: ANN001
    me = anon_client.get(ME, headers=login_as("ys_clerk")).json()
    assert me["roles"] == ["window_clerk"] and me["superuser"] is False
    assert me["permissions"] == _role_permissions("window_clerk")
    assert me["region_name"] == "杨舍镇"
    assert [w["number"] for w in me["windows"]] == ["01", "02"]
    assert me["window_id"] is None  # two windows: picks one


@pytest.mark.parametrize(
    ("username", "role", "level"),
    [("ys_grid", "grid_member", "grid"), ("tq_officer", "officer", "town"),
     ("center", "district_dispatcher", "district")],
)  # fmt: skip
def test_me_of_other_roles(anon_client, login_as, username, role, level) -> None:  # noqa: ANN001
    me = anon_client.get(ME, headers=login_as(username)).json()
    assert me["roles"] == [role] and me["region_level"] == level
    assert me["permissions"] == _role_permissions(role)
    assert "system.user.manage" not in me["permissions"]


def test_me_of_a_cookie_session_carries_its_csrf_token(anon_client) -> None:  # noqa: ANN001
    csrf = _browser(anon_client, "tq_admin")
    assert anon_client.get(ME).json()["csrf_token"] == csrf


def _client_at(db: Session, host: str):  # noqa: ANN202
    from api.deps import get_session
    from api.main import create_app

    app = create_app()
    app.dependency_overrides[get_session] = lambda: db
    return TestClient(app, client=(host, 40000))


def test_one_address_guessing_across_accounts_is_throttled(db: Session) -> None:
    """The per-account lockout cannot see one address trying many names; after
    `auth.max_failed_logins_per_address` failures it is refused (429) without a check."""
    set_parameter(db, key="auth.max_failed_logins_per_address", value=6)
    names = ["ys_grid", "tq_grid", "ys_officer", "no_such_user", "tq_clerk", "leader"]
    with _client_at(db, "10.0.0.9") as guesser, _client_at(db, "10.0.0.10") as colleague:
        for name in names:  # one wrong password each: no account reaches its own limit
            assert guesser.post(LOGIN, json={"username": name, "password": "x1"}).status_code == 401
        right = guesser.post(LOGIN, json={"username": "ys_admin", "password": DEMO_PASSWORD})
        assert right.status_code == 429 and "登录失败次数过多" in right.json()["detail"]
        # another desk in the same office signs in normally
        ok = colleague.post(LOGIN, json={"username": "ys_admin", "password": DEMO_PASSWORD})
        assert ok.status_code == 200
    counted = db.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND ip = '10.0.0.9'"
        )
    ).scalar()
    assert counted == len(names)  # the refused attempt checked nothing and counted nothing
