"""Production mode refuses to start with the demo's secret key or accounts (the lifespan
fails with the reason in Chinese); set up properly, it starts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

import api.main
from api.deps import get_session
from api.main import UnsafeProductionSetup, create_app
from geo.core.settings import get_app_settings, get_auth_settings

REAL_SECRET = "k3J9vQ2xZ8pL5mN7wR4tY6uB1cF0hD8sA2gE5jK7"


class _TestConnection:
    """An engine stand-in whose connections are the test's own (uncommitted changes seen)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def connect(self) -> nullcontext[Connection]:
        return nullcontext(self.conn)


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, connection: Connection) -> Iterator[None]:
    monkeypatch.setenv("APP_MODE", "production")
    monkeypatch.setattr(api.main, "get_engine", lambda: _TestConnection(connection))
    get_app_settings.cache_clear()
    get_auth_settings.cache_clear()
    try:
        yield
    finally:
        get_app_settings.cache_clear()
        get_auth_settings.cache_clear()


def _start(db) -> TestClient:  # noqa: ANN001
    app = create_app()
    app.dependency_overrides[get_session] = lambda: db
    return TestClient(app)


def _remove_demo_accounts(db) -> None:  # noqa: ANN001
    db.execute(text("UPDATE user_account SET is_demo = false"))
    db.execute(text("UPDATE open311_key SET revoked_at = now() WHERE is_demo"))
    db.flush()


def test_default_secret_and_demo_accounts_refuse_to_start(production, db) -> None:  # noqa: ANN001
    demo = db.scalar(text("SELECT count(*) FROM user_account WHERE is_demo"))
    assert demo > 0
    with pytest.raises(UnsafeProductionSetup) as refused, _start(db):
        pass
    assert str(refused.value) == (
        "拒绝以生产模式启动：APP_SECRET_KEY 仍是默认值：请设置一个随机的长字符串；"
        f"数据库中有 {demo} 个演示账号（共用公开的演示密码）：请删除后再以生产模式启动；"
        "演示用的开放接口密钥（README 中公开的 demo-open311-key）仍然有效："
        "请在“开放接口密钥”中吊销后再以生产模式启动"
    )


def test_demo_accounts_alone_refuse_to_start(production, db, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("APP_SECRET_KEY", REAL_SECRET)
    get_auth_settings.cache_clear()
    with pytest.raises(UnsafeProductionSetup, match="个演示账号") as refused, _start(db):
        pass
    assert "APP_SECRET_KEY" not in str(refused.value)


def test_default_secret_alone_refuses_to_start(production, db) -> None:  # noqa: ANN001
    _remove_demo_accounts(db)
    expected = pytest.raises(UnsafeProductionSetup, match="APP_SECRET_KEY 仍是默认值")
    with expected as refused, _start(db):
        pass
    assert "演示账号" not in str(refused.value)


def test_short_secret_refuses_to_start(production, db, monkeypatch) -> None:  # noqa: ANN001
    _remove_demo_accounts(db)
    monkeypatch.setenv("APP_SECRET_KEY", "secret")
    get_auth_settings.cache_clear()
    with pytest.raises(UnsafeProductionSetup, match="APP_SECRET_KEY 太短"), _start(db):
        pass


def test_real_secret_and_no_demo_accounts_start(production, db, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("APP_SECRET_KEY", REAL_SECRET)
    get_auth_settings.cache_clear()
    _remove_demo_accounts(db)
    with _start(db) as c:
        assert get_auth_settings().secret_key == REAL_SECRET
        r = c.post("/api/v1/auth/login", json={"username": "nobody_x", "password": "p"})
        assert r.status_code == 401  # serving requests


def test_demo_mode_starts_with_the_defaults(monkeypatch, db) -> None:  # noqa: ANN001
    monkeypatch.setenv("APP_MODE", "demo")
    get_app_settings.cache_clear()
    try:
        with _start(db) as c:
            assert c.post("/api/v1/auth/login", json={}).status_code == 422
    finally:
        get_app_settings.cache_clear()
