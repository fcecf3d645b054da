"""Open311 GeoReport v2 use cases (GIS-10): discovery, services, submitting a request,
reading requests. Answers are plain dicts with the spec's field names, in the spec's
order; `geo.open311.formats` writes them as JSON or XML.

A request enters the same pool as the app's reports (`geo.event.service.open_work_order`,
source `public`), located by point-in-polygon. It has no user reporter: history and
audit name the key (“开放接口:<key name>”). Answers never contain reporters' names,
phones or e-mails; the service_request_id is the event number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.core.errors import NotFound
from geo.core.scope import path_within
from geo.event import repository as event_repo
from geo.event.models import EventSource
from geo.event.photo_models import EventPhoto, PhotoKind
from geo.event.photos import Upload
from geo.event.schemas import EventCreate
from geo.event.service import Reporter, open_work_order, place_in_grid
from geo.event.workflow import Status
from geo.file.service import store_file
from geo.file.sniff import check_photo
from geo.file.store import FileStore, is_sha256
from geo.open311 import repository as repo
from geo.open311.errors import KeyRefused, Open311BadRequest
from geo.open311.keys import authenticate_key
from geo.open311.models import Open311Key, Open311Request
from geo.region.models import Region

__all__ = [
    "Media",
    "discovery",
    "get_request",
    "list_requests",
    "list_services",
    "published_media",
    "service_definition",
    "submit_request",
]

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+08:00"  # when the services or this interface last changed
WINDOW = timedelta(days=90)  # the spec's default and widest date range
MAX_IDS = 100
OPEN = [s.value for s in Status if s.is_open]
CLOSED = [s.value for s in Status if not s.is_open]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIMITS = {  # form field → longest value kept
    "description": 4000, "address_string": 200, "first_name": 50, "last_name": 50,
    "phone": 40, "email": 200, "device_id": 100, "media_url": 500, "service_code": 16,
}  # fmt: skip


@dataclass(frozen=True)
class Media:
    media_type: str
    data: bytes


# ---- discovery and services --------------------------------------------------------------
def discovery(*, base_url: str, contact: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": "请向平台管理员申请开放接口密钥（系统管理 → 开放接口密钥）",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base_url}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


def list_services(session: Session) -> list[dict[str, Any]]:
    """The leaf categories of the event dictionary; the group is the parent's name."""
    return [_service(r) for r in repo.service_rows(session)]


def service_definition(session: Session, *, service_code: str) -> dict[str, Any]:
    """Our services take no extra attributes (metadata false): an empty attribute list."""
    if not repo.service_rows(session, code=service_code):
        raise NotFound(f"没有编码为“{service_code}”的服务，请先查询 services 列表")
    return {"service_code": service_code, "attributes": []}


def _service(row: Row[Any]) -> dict[str, Any]:
    return {
        "service_code": row.code,
        "service_name": row.name,
        "description": f"{row.group}类问题：{row.name}（一般在 {row.default_days} 个工作日内处置）",
        "metadata": False,
        "type": "realtime",
        "keywords": row.group,
        "group": row.group,
    }


def _unknown_service(code: str) -> Open311BadRequest:
    return Open311BadRequest(f"service_code “{code}” 不是可受理的服务，请先查询 services 列表")


# ---- submitting --------------------------------------------------------------------------
def submit_request(
    session: Session,
    store: FileStore,
    *,
    fields: Mapping[str, str],
    media: Upload | None = None,
    max_bytes: int,
    ip: str | None = None,
) -> list[dict[str, Any]]:
    """File a service request: key, fields and photo are all checked before anything is
    written; the answer is the spec's [{service_request_id, service_notice, account_id}]."""
    key = authenticate_key(session, api_key=fields.get("api_key"))
    values = _form(fields)
    service = _service_row(session, values.get("service_code"))
    lon, lat = _position(values)
    media_type = check_photo(media.data, max_bytes=max_bytes, name=media.name) if media else None
    grid = _grid_for(session, key=key, lon=lon, lat=lat)
    data = _event_create(values, service=service, lon=lon, lat=lat)
    reporter = Reporter(user_id=None, name=f"开放接口:{key.name}", ip=ip)
    event = open_work_order(session, data=data, category=_category(session, service.code),
                            place=place_in_grid(session, grid), reporter=reporter)  # fmt: skip
    sha256 = None
    if media is not None and media_type is not None:
        sha256 = _attach(session, store, event_id=event.id, media=media, media_type=media_type,
                         reporter=reporter, region_path=grid.path)  # fmt: skip
    session.add(
        Open311Request(
            event_id=event.id, key_id=key.id, first_name=values.get("first_name"),
            last_name=values.get("last_name"), phone=values.get("phone"),
            email=values.get("email"), device_id=values.get("device_id"),
            media_url=values.get("media_url"), media_sha256=sha256,
        )
    )  # fmt: skip
    session.flush()
    notice = _notice(service.name, service.default_days)
    return [{"service_request_id": event.event_no, "service_notice": notice, "account_id": None}]


def _form(fields: Mapping[str, str]) -> dict[str, str]:
    """The known fields, stripped; empty ones dropped; too long or malformed → 400."""
    values = {}
    for name in (*LIMITS, "lat", "long"):
        value = (fields.get(name) or "").strip()
        if not value:
            continue
        if name in LIMITS and len(value) > LIMITS[name]:
            raise Open311BadRequest(f"{name} 太长（最多 {LIMITS[name]} 个字符）")
        values[name] = value
    if "email" in values and not _EMAIL.match(values["email"]):
        raise Open311BadRequest("email 格式不正确")
    if "media_url" in values and not values["media_url"].startswith(("http://", "https://")):
        raise Open311BadRequest("media_url 须是 http:// 或 https:// 开头的网址")
    return values


def _service_row(session: Session, code: str | None) -> Row[Any]:
    if not code:
        raise Open311BadRequest("缺少 service_code：请从 services 列表中选择一项服务")
    rows = repo.service_rows(session, code=code)
    if not rows:
        raise _unknown_service(code)
    return rows[0]


def _category(session: Session, code: str) -> Any:
    category = event_repo.get_category(session, code)
    assert category is not None  # checked by _service_row in the same transaction
    return category


def _position(values: Mapping[str, str]) -> tuple[float, float]:
    if "lat" not in values or "long" not in values:
        if "address_string" in values:
            raise Open311BadRequest(
                "本系统离线运行，无法根据地址（address_string）确定位置；"
                "请同时提供经纬度 lat 和 long（CGCS2000/WGS84，十进制度）"
            )
        raise Open311BadRequest("缺少位置：请提供纬度 lat 和经度 long（十进制度）")
    lat, lon = _number(values, "lat", 90), _number(values, "long", 180)
    return lon, lat


def _number(values: Mapping[str, str], name: str, bound: float) -> float:
    try:
        number = float(values[name])
    except ValueError:
        raise Open311BadRequest(f"{name} 必须是数字（十进制度）") from None
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise Open311BadRequest(f"{name} 超出范围（-{bound:g}～{bound:g}）")
    return number


def _grid_for(session: Session, *, key: Open311Key, lon: float, lat: float) -> Row[Any]:
    """The grid of the point, inside the area the key may report into."""
    grid = event_repo.locate_grid(session, lon=lon, lat=lat)
    if grid is None:
        raise Open311BadRequest(
            f"位置（纬度 {lat}，经度 {lon}）不在本平台的任何网格内，无法确定责任网格；"
            "请核对经纬度是否填反，辖区外的问题请向当地政府反映"
        )
    area = session.get(Region, key.region_id)
    assert area is not None  # region_id is a RESTRICT foreign key
    if not path_within(grid.path, area.path):
        raise KeyRefused(f"此 api_key 只能提交“{area.name}”范围内的问题，该位置属于“{grid.name}”")
    return grid


def _event_create(values: Mapping[str, str], *, service: Row[Any], lon: float, lat: float) -> Any:
    description = values.get("description")
    title = service.name + (f"：{description}" if description else "")
    name = "".join(values.get(n, "") for n in ("last_name", "first_name")) or None
    try:
        return EventCreate(
            title=title[:60], description=description, category_code=service.code, lon=lon,
            lat=lat, address=values.get("address_string"), source=EventSource.PUBLIC,
            reporter_name=name,
        )  # fmt: skip
    except ValidationError as exc:  # the checks above should leave nothing for here
        raise Open311BadRequest(f"提交的内容有误：{exc.errors()[0]['msg']}") from None


def _attach(
    session: Session, store: FileStore, *, event_id: int, media: Upload, media_type: str,
    reporter: Reporter, region_path: str,
) -> str:  # fmt: skip
    sha256 = store_file(session, store, data=media.data, media_type=media_type, user_id=None)
    session.add(
        EventPhoto(event_id=event_id, sha256=sha256, kind=PhotoKind.REPORT.value, uploaded_by=None)
    )
    record(
        session, action="event.photo_upload", object_type="event", object_id=event_id,
        after={"kind": PhotoKind.REPORT.value, "photos": [sha256]}, region_path=region_path,
        actor_id=None, actor_name=reporter.name, ip=reporter.ip,
    )  # fmt: skip
    return sha256


def _notice(name: str, days: int | None) -> str:
    return f"已受理“{name}”，一般在 {days} 个工作日内处置，可凭 service_request_id 查询进展"


# ---- reading -----------------------------------------------------------------------------
def list_requests(
    session: Session, *, params: Mapping[str, str], base_url: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Filters of the spec: service_request_id (a comma list, overriding the others),
    service_code, start_date/end_date (ISO 8601, at most 90 days apart; the last 90 days
    by default), status (open, closed). At most 1000 requests, newest first."""
    raw_ids = (params.get("service_request_id") or "").strip()
    if raw_ids:
        numbers = [n.strip() for n in raw_ids.split(",") if n.strip()]
        if len(numbers) > MAX_IDS:
            raise Open311BadRequest(f"service_request_id 一次最多 {MAX_IDS} 个")
        rows = repo.request_rows(session, numbers=numbers)
        return [_request(r, base_url) for r in rows]
    since, until = _range(params, now or datetime.now(SHANGHAI))
    code = (params.get("service_code") or "").strip() or None
    if code is not None and not repo.service_rows(session, code=code):
        raise _unknown_service(code)
    rows = repo.request_rows(
        session, category=code, since=since, until=until, statuses=_statuses(params)
    )
    return [_request(r, base_url) for r in rows]


def get_request(session: Session, *, request_id: str, base_url: str) -> list[dict[str, Any]]:
    """One request by its number, as a list of one (the spec's shape)."""
    rows = repo.request_rows(session, numbers=[request_id])
    if not rows:
        raise NotFound(f"未找到服务请求 {request_id}")
    return [_request(rows[0], base_url)]


def published_media(session: Session, store: FileStore, *, sha256: str) -> Media:
    """A photo sent with an Open311 request (the only files this interface serves)."""
    media_type = repo.published_media_type(session, sha256) if is_sha256(sha256) else None
    if media_type is None:
        raise NotFound("未找到该照片")
    try:
        return Media(media_type=media_type, data=store.read(sha256))
    except FileNotFoundError:
        raise NotFound("照片文件已丢失") from None


def _range(params: Mapping[str, str], now: datetime) -> tuple[datetime, datetime | None]:
    start = _datetime(params, "start_date")
    end = _datetime(params, "end_date")
    if start is None and end is None:
        return now - WINDOW, None
    if start is None:
        assert end is not None
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise Open311BadRequest("end_date 不能早于 start_date")
    if end - start > WINDOW:
        raise Open311BadRequest("start_date 与 end_date 相隔不能超过 90 天")
    return start, end


def _datetime(params: Mapping[str, str], name: str) -> datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Open311BadRequest(
            f"{name} 不是 ISO 8601 时间（如 2026-11-01T00:00:00+08:00）"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def _statuses(params: Mapping[str, str]) -> list[str] | None:
    raw = (params.get("status") or "").strip().lower()
    if not raw:
        return None
    wanted = {s.strip() for s in raw.split(",") if s.strip()}
    if not wanted <= {"open", "closed"}:
        raise Open311BadRequest("status 只能是 open 或 closed（可用逗号分隔两者）")
    return [*(OPEN if "open" in wanted else []), *(CLOSED if "closed" in wanted else [])]


def _request(row: Row[Any], base_url: str) -> dict[str, Any]:
    status = Status(row.status)
    return {
        "service_request_id": row.event_no,
        "status": status.category.value,
        "status_notes": _status_notes(status, row.merged_into_no),
        "service_name": row.category_name,
        "service_code": row.category_code,
        "description": row.description,
        "agency_responsible": _agency(row),
        "service_notice": _notice(row.category_name, row.default_days),
        "requested_datetime": _iso(row.reported_at),
        "updated_datetime": _iso(max(row.updated_at, row.closed_at or row.updated_at)),
        "expected_datetime": _iso(row.deadline),
        "address": row.address,
        "lat": row.lat,
        "long": row.lon,
        "media_url": _media_url(row, base_url),
    }


def _status_notes(status: Status, merged_into_no: str | None) -> str:
    if status is Status.CANCELLED and merged_into_no:
        return f"与服务请求 {merged_into_no} 重复，已合并办理"
    return status.label


def _agency(row: Row[Any]) -> str | None:
    """The department handling it; else the grid (its grid member handles it or the
    town's centre is dispatching it)."""
    if row.department_name:
        return str(row.department_name)
    place = " ".join(n for n in (row.town_name, row.grid_name) if n)
    return place or None


def _media_url(row: Row[Any], base_url: str) -> str | None:
    if row.media_sha256:
        return f"{base_url}/open311/v2/media/{row.media_sha256}"
    return row.media_url  # type: ignore[no-any-return]


def _iso(value: datetime | None) -> str | None:
    """W3C date-time with the offset, in China Standard Time (the spec's format)."""
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else None
