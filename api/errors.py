"""Error responses: one JSON shape, `{"code": ..., "detail": "<中文说明>"}`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from geo.core.errors import DomainError

log = logging.getLogger(__name__)

JSON_TYPES = ("application/json", "application/geo+json", "application/merge-patch+json")


def error_response(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"code": code, "detail": detail}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(422, "InvalidJSON", _json_invalid(errors))
        in_body = any(e.get("loc", ("",))[0] == "body" for e in errors)
        if in_body and _sent_other_than_json(request):
            return error_response(
                415, "UnsupportedMediaType", "提交的内容须为 JSON（Content-Type: application/json）"
            )
        detail = "参数有误：" + "；".join(_describe(e) for e in errors)
        # A malformed query or path parameter is a bad request (OGC wants 400);
        # a well-formed body that breaks the rules is unprocessable (422).
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
        code = {413: "PayloadTooLarge", 415: "UnsupportedMediaType", 429: "TooManyRequests"}.get(
            exc.status_code, "HTTPError"
        )
        response = error_response(exc.status_code, code, detail)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the log (and is re-raised by the server); the clerk sees
        # a message in their language instead of "Internal Server Error".
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "InternalError", "服务器内部错误，请稍后重试或联系管理员")


def _sent_other_than_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return bool(content_type) and content_type not in JSON_TYPES


def _json_invalid(errors: Sequence[Any]) -> str:
    position = next(
        (e["loc"][1] for e in errors if e.get("type") == "json_invalid" and len(e["loc"]) > 1),
        None,
    )
    where = f"（第 {position + 1} 个字符附近）" if isinstance(position, int) else ""
    return f"提交的内容不是有效的 JSON{where}，请检查格式"


PYDANTIC_MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "int_from_float": "必须是整数",
    "float_parsing": "必须是数字",
    "float_type": "必须是数字",
    "finite_number": "必须是有限的数字",
    "bool_parsing": "只能是 true 或 false",
    "bool_type": "只能是 true 或 false",
    "string_type": "必须是文字",
    "string_unicode": "含有无法识别的字符",
    "string_too_long": "太长",
    "string_too_short": "太短",
    "string_pattern_mismatch": "格式不正确",
    "greater_than": "太小",
    "greater_than_equal": "太小",
    "less_than": "太大",
    "less_than_equal": "太大",
    "too_short": "项数太少",
    "too_long": "项数太多",
    "list_type": "必须是列表",
    "dict_type": "必须是对象",
    "model_type": "必须是对象",
    "model_attributes_type": "必须是 JSON 对象",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "date_parsing": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "extra_forbidden": "不是可接受的字段",
    "json_invalid": "不是有效的 JSON",
}


def _describe(error: dict) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
    message = PYDANTIC_MESSAGES.get(error.get("type", ""), error.get("msg", ""))
    if not where and error.get("loc", ("",))[0] == "body":
        where = "提交的内容"
    return f"{where} {message}".strip()
