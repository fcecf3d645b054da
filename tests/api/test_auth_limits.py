"""Bad input never reaches a route as a 5xx: body size limit, malformed JSON, wrong type."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from api.limits import BodyLimitMiddleware, LimitSettings

LOGIN = "/api/v1/auth/login"
TOO_LARGE = "提交的内容太大（上限 1 MB），请减少内容或分批提交"


def _login_audits(db) -> int:  # noqa: ANN001
    return db.scalar(text("SELECT count(*) FROM audit_log WHERE action LIKE 'auth.login%'"))


def test_oversized_json_is_413_before_parsing(anon_client, db) -> None:  # noqa: ANN001
    before = _login_audits(db)
    padding = "x" * (1024 * 1024)
    body = f'{{"username": "ys_admin", "password": "Demo@2026", "pad": "{padding}"}}'
    r = anon_client.post(LOGIN, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"code": "PayloadTooLarge", "detail": TOO_LARGE}
    assert "set-cookie" not in r.headers
    assert _login_audits(db) == before  # the route never ran


def test_oversized_chunked_body_is_counted_as_it_arrives(anon_client, db) -> None:  # noqa: ANN001
    before = _login_audits(db)

    def chunks():  # no Content-Length: only counting can stop it
        yield b'{"username": "ys_admin", "password": "Demo@2026", "pad": "'
        for _ in range(40):
            yield b"y" * 64 * 1024
        yield b'"}'

    r = anon_client.post(LOGIN, content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["detail"] == TOO_LARGE
    assert _login_audits(db) == before


def test_body_just_under_the_limit_is_parsed(anon_client) -> None:  # noqa: ANN001
    body = '{"username": "nobody_x", "password": "p", "pad": "' + "z" * 1_000_000 + '"}'
    r = anon_client.post(LOGIN, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 401  # reached the route (extra fields are ignored)


def test_multipart_uploads_have_their_own_larger_limit() -> None:
    limits = LimitSettings(max_body_bytes=10, max_upload_bytes=1000)
    app = BodyLimitMiddleware(_echo_length, limits)
    assert _call(app, b"a" * 500, "multipart/form-data; boundary=x") == (200, b"500")
    assert _call(app, b"a" * 500, "application/json")[0] == 413
    assert _call(app, b"a" * 1001, "multipart/form-data; boundary=x")[0] == 413
    assert _call(app, b"a" * 10, "application/json") == (200, b"10")


def test_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("APP_MAX_UPLOAD_BYTES", "4096")
    app = BodyLimitMiddleware(_echo_length)
    assert _call(app, b"a" * 2048, "application/json")[0] == 200
    status, body = _call(app, b"a" * 2049, "application/json")
    assert status == 413 and "上限 2 KB" in body.decode()


def test_get_responses_are_not_limited(client) -> None:  # noqa: ANN001
    r = client.get("/openapi.json")
    assert r.status_code == 200 and len(r.content) > 1024  # far larger answers pass through


def test_malformed_json_is_422_with_a_clear_message(anon_client) -> None:  # noqa: ANN001
    r = anon_client.post(
        LOGIN,
        content=b'{"username": "ys_admin", "password":',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json() == {
        "code": "InvalidJSON",
        "detail": "提交的内容不是有效的 JSON（第 37 个字符附近），请检查格式",
    }


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_body_of_another_type_is_415(anon_client, content_type: str) -> None:  # noqa: ANN001
    r = anon_client.post(
        LOGIN,
        content=b'{"username": "ys_admin", "password": "x"}',
        headers={"Content-Type": content_type},
    )
    assert r.status_code == 415
    assert r.json()["detail"] == "提交的内容须为 JSON（Content-Type: application/json）"


def test_json_that_is_not_an_object_is_422(anon_client) -> None:  # noqa: ANN001
    r = anon_client.post(LOGIN, json=[1, 2])
    assert r.status_code == 422
    assert r.json()["detail"] == "参数有误：提交的内容 必须是 JSON 对象"


def test_text_the_database_cannot_store_is_not_a_5xx(anon_client) -> None:  # noqa: ANN001
    r = anon_client.post(LOGIN, json={"username": "ad\x00min", "password": "x"})
    assert (r.status_code, r.json()["detail"]) == (401, "用户名或密码错误")


# ---- a tiny ASGI app behind the middleware ---------------------------------------------
async def _echo_length(scope, receive, send) -> None:  # noqa: ANN001
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def _call(app, body: bytes, content_type: str) -> tuple[int, bytes]:  # noqa: ANN001
    """Sends the body in 100-byte chunks without a Content-Length."""
    chunks = [body[i : i + 100] for i in range(0, len(body), 100)] or [b""]
    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "POST", "path": "/x", "query_string": b"",
        "headers": [(b"content-type", content_type.encode())],
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
