"""Request body size limits: a pure ASGI middleware, applied before anything parses a body.

A declared `Content-Length` over the limit is refused at once; a body without one
(chunked) is counted as it arrives and refused as soon as it passes the limit, so a huge
upload is never buffered in memory. Responses (tiles, exports) are not touched. Uploads
(`multipart/form-data`: photos, attachments, import files) get a larger limit than JSON.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response

__all__ = ["BodyTooLarge", "BodyLimitMiddleware", "LimitSettings", "get_limit_settings"]

MIB = 1024 * 1024


class LimitSettings(BaseSettings):
    """`APP_MAX_BODY_BYTES` (JSON and any other body), `APP_MAX_UPLOAD_BYTES` (multipart)."""

    model_config = SettingsConfigDict(env_prefix="APP_", extra="ignore")

    max_body_bytes: int = 1 * MIB
    max_upload_bytes: int = 50 * MIB


def get_limit_settings() -> LimitSettings:
    return LimitSettings()


def _describe(limit: int) -> str:
    return f"{limit / MIB:g} MB" if limit >= MIB else f"{limit / 1024:g} KB"


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the streamed body passes the limit; the error handlers
    (or this middleware, if the exception escapes them) answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"提交的内容太大（上限 {_describe(limit)}），请减少内容或分批提交")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: LimitSettings | None = None) -> None:
        self.app = app
        self.settings = settings or get_limit_settings()

    def _limit(self, scope: Scope) -> int:
        content_type = _header(scope, b"content-type").lower()
        if content_type.startswith("multipart/form-data"):
            return self.settings.max_upload_bytes
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, receive, send, BodyTooLarge(limit))
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await _refuse(scope, receive, send, exc)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return ""


async def _refuse(scope: Scope, receive: Receive, send: Send, exc: BodyTooLarge) -> None:
    response = error_response(413, "PayloadTooLarge", str(exc.detail))
    response.headers["Connection"] = "close"  # the rest of the body is not read
    await response(scope, receive, send)
