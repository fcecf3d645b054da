"""Open311 GeoReport v2 at /open311/v2 (GIS-10): public reads, key-protected reports.

Every answer is in the format the path names (`.json` or `.xml`), errors included, in the
spec's shape: [{"code": 400, "description": "…"}] / <errors><error>…, with the same HTTP
status. Thin: parse, call `geo.open311.service`, render with `geo.open311.formats`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.auth import client_ip
from api.deps import SessionDep, base_url
from api.routes.event_photos import StoreDep
from geo.core.errors import DomainError, NotFound
from geo.core.settings import get_app_settings
from geo.event.photos import Upload
from geo.file.settings import get_file_settings
from geo.open311 import service
from geo.open311.errors import Open311BadRequest
from geo.open311.formats import Format, errors, render

router = APIRouter(prefix="/open311/v2", tags=["open311"])

XML_OR_JSON: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/xml": {}}},
    400: {"description": "参数有误（规范的错误列表）"},
    403: {"description": "api_key 缺失、无效或已吊销"},
    404: {"description": "未找到"},
}


def _format(raw: str) -> Format:
    try:
        return Format(raw.lower())
    except ValueError:
        raise NotFound(f"不支持的格式“{raw}”：请使用 .json 或 .xml") from None


def _answer(fmt: Format, body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type=fmt.media_type)


def _refusal(raw_format: str, exc: DomainError) -> Response:
    fmt = Format.XML if raw_format.lower() == Format.XML else Format.JSON
    return _answer(fmt, errors(fmt, exc.status, exc.detail), exc.status)


def _serve(raw_format: str, root: str, produce: Callable[[], Any]) -> Response:
    try:
        fmt = _format(raw_format)
        return _answer(fmt, render(fmt, root, produce()))
    except DomainError as exc:
        return _refusal(raw_format, exc)


@router.get("/discovery.{fmt}", responses=XML_OR_JSON, summary="服务发现（Open311）")
def discovery(fmt: str, request: Request) -> Response:
    contact = get_app_settings().title
    return _serve(
        fmt, "discovery", lambda: service.discovery(base_url=base_url(request), contact=contact)
    )


@router.get("/services.{fmt}", responses=XML_OR_JSON, summary="可受理的服务（事件小类）")
def services(fmt: str, session: SessionDep) -> Response:
    return _serve(fmt, "services", lambda: service.list_services(session))


@router.get("/services/{service_code}.{fmt}", responses=XML_OR_JSON, summary="服务定义")
def service_definition(service_code: str, fmt: str, session: SessionDep) -> Response:
    return _serve(
        fmt,
        "service_definition",
        lambda: service.service_definition(session, service_code=service_code),
    )


@router.get("/requests.{fmt}", responses=XML_OR_JSON, summary="查询服务请求（事件）")
def list_requests(fmt: str, request: Request, session: SessionDep) -> Response:
    params = dict(request.query_params)
    return _serve(
        fmt,
        "service_requests",
        lambda: service.list_requests(session, params=params, base_url=base_url(request)),
    )


@router.get("/requests/{request_id}.{fmt}", responses=XML_OR_JSON, summary="查询一个服务请求")
def get_request(request_id: str, fmt: str, request: Request, session: SessionDep) -> Response:
    return _serve(
        fmt,
        "service_requests",
        lambda: service.get_request(session, request_id=request_id, base_url=base_url(request)),
    )


@router.post("/requests.{fmt}", responses=XML_OR_JSON, summary="提交服务请求（需 api_key）")
async def submit_request(
    fmt: str, request: Request, session: SessionDep, store: StoreDep
) -> Response:
    """Form fields (urlencoded or multipart): api_key, service_code, lat, long,
    description, address_string, first_name, last_name, phone, email, device_id,
    media_url; `media`: a photo file (JPEG/PNG/WebP)."""
    try:
        answer_format = _format(fmt)
        fields, media = await _fields(request)
        answer = await run_in_threadpool(
            _submit, session, store, fields=fields, media=media, ip=client_ip(request)
        )
        return _answer(answer_format, render(answer_format, "service_requests", answer))
    except DomainError as exc:
        return _refusal(fmt, exc)


def _submit(session: Session, store: Any, **kwargs: Any) -> list[dict[str, Any]]:
    # The answer is a response, not an exception, so the request's transaction would
    # commit: the savepoint makes sure nothing of a refused request is kept.
    with session.begin_nested():
        return service.submit_request(
            session, store, max_bytes=get_file_settings().max_photo_bytes, **kwargs
        )


async def _fields(request: Request) -> tuple[dict[str, str], Upload | None]:
    """The form's text fields (the query string's too, as some clients send api_key
    there) and the `media` file, if any."""
    fields = dict(request.query_params)
    media = None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name == "media":
                    # One byte past the limit is enough to refuse it; the rest is never read.
                    limit = get_file_settings().max_photo_bytes + 1
                    media = Upload(name=value.filename or "", data=await value.read(limit))
            else:
                fields[name] = value
    elif content_type:
        raise Open311BadRequest(
            "请以表单（application/x-www-form-urlencoded 或 multipart/form-data）提交"
        )
    return fields, media


@router.get(
    "/media/{sha256}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
    summary="服务请求附带的照片",
)
def media(sha256: str, session: SessionDep, store: StoreDep) -> Response:
    try:
        found = service.published_media(session, store, sha256=sha256)
    except DomainError as exc:
        return _refusal("json", exc)
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(found.data, media_type=found.media_type, headers=headers)
