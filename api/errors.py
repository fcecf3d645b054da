"""Error responses: one JSON shape, `{"code": ..., "detail": "<中文说明>"}`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from geo.core.errors import DomainError


def error_response(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"code": code, "detail": detail}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        detail = "参数有误：" + "；".join(_describe(e) for e in errors)
        # A malformed query or path parameter is a bad request (OGC wants 400);
        # a well-formed body that breaks the rules is unprocessable (422).
        in_body = any(e.get("loc", ("",))[0] == "body" for e in errors)
        return error_response(422 if in_body else 400, "InvalidParameterValue", detail)

    @app.exception_handler(DataError)
    async def data_error(_: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot hold (out of range, bad encoding): the input's fault.
        return error_response(400, "InvalidParameterValue", "参数的值超出允许范围或格式不正确")

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        messages = {404: "未找到请求的资源", 405: "不支持该请求方法"}
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and exc.status_code not in messages
            else messages.get(exc.status_code, str(exc.detail))
        )
        return error_response(exc.status_code, "HTTPError", detail)


PYDANTIC_MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "float_parsing": "必须是数字",
    "float_type": "必须是数字",
    "bool_parsing": "只能是 true 或 false",
    "string_too_long": "太长",
    "string_too_short": "太短",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "json_invalid": "不是有效的 JSON",
}


def _describe(error: dict) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
    message = PYDANTIC_MESSAGES.get(error.get("type", ""), error.get("msg", ""))
    return f"{where} {message}".strip()
