"""Use cases of the audit log (SYS-11): record a state change, search the record.

`record` writes in the caller's transaction: a change that is rolled back leaves no audit
row, and an audited change cannot commit without its row. Values before and after are
stored as JSON through `to_jsonable` (dates, Decimals, geometries, ORM rows, enums...).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any
from uuid import UUID

from shapely.geometry import mapping as geojson_mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import NoInspectionAvailable

from geo.audit import repository as repo
from geo.audit.models import ACTION_PATTERN, AuditLog
from geo.audit.repository import Executor
from geo.core.actor import Actor, sessions_changed
from geo.core.errors import DomainError

__all__ = ["AuditError", "AuditPage", "record", "search", "search_for", "to_jsonable"]

MAX_LIMIT = 500
# Actions after which a remembered actor may be out of date (see geo.core.actor).
_CHANGES_WHO_MAY_ACT = frozenset({"auth", "org", "window"})
_ACTION = re.compile(ACTION_PATTERN)
_LTREE = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")


class AuditError(DomainError):
    code = "AuditError"
    status = 422


@dataclass(frozen=True)
class AuditPage:
    """One page, newest first; pass `next_after_id` as `after_id` for the next page
    (None: this is the last page)."""

    items: list[AuditLog]
    next_after_id: int | None


# ---- JSON ------------------------------------------------------------------------------
def to_jsonable(value: Any) -> Any:
    """A JSON-safe copy of `value`, for the before/after columns.

    datetime/date/time → ISO 8601; timedelta → seconds; Decimal → its exact string
    (a fine of 200.50 stays 200.50); non-finite floats → string; enums → their value;
    shapely and GeoAlchemy2 geometries → GeoJSON geometry objects (storage CRS, lon/lat);
    dataclasses, pydantic models and SQLAlchemy ORM rows → objects of their fields;
    sets → sorted lists; UUID and IP addresses → strings; bytes → hex. Anything else is a
    programming error (TypeError), never silently stored as its repr."""
    if value is None or isinstance(value, bool | int | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, UUID | IPv4Address | IPv6Address):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, BaseGeometry):
        return _lists(geojson_mapping(value))
    if _is_geoalchemy_element(value):
        from geoalchemy2.shape import to_shape

        return _lists(geojson_mapping(to_shape(value)))
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump") and callable(value.model_dump):  # pydantic
        return to_jsonable(value.model_dump(mode="json"))
    try:
        mapper = sa_inspect(type(value))
    except NoInspectionAvailable:
        mapper = None
    if mapper is not None and hasattr(mapper, "column_attrs"):
        return {a.key: to_jsonable(getattr(value, a.key)) for a in mapper.column_attrs}
    raise TypeError(f"审计记录无法保存 {type(value).__name__} 类型的值，请先转换为 JSON")


def _is_geoalchemy_element(value: Any) -> bool:
    from geoalchemy2.elements import WKBElement, WKTElement

    return isinstance(value, WKBElement | WKTElement)


def _lists(value: Any) -> Any:
    """GeoJSON from shapely uses tuples; JSON has only lists (and equality must agree)."""
    if isinstance(value, Mapping):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(to_jsonable(value), ensure_ascii=False)


# ---- use cases -------------------------------------------------------------------------
def record(
    session: Executor,
    *,
    action: str,
    object_type: str,
    object_id: str | int,
    before: Any = None,
    after: Any = None,
    actor_id: int | None = None,
    actor_name: str | None = None,
    region_path: str | None = None,
    detail: str | None = None,
    ip: str | None = None,
) -> int:
    """Append one audit row in the caller's transaction; returns its id.

    `action` is a dotted verb ('calendar.set_day'); `region_path` the ltree path of the
    region the object belongs to (None: district-wide). Bad arguments are programming
    errors and raise ValueError before anything is written."""
    if not _ACTION.match(action):
        raise ValueError(f"审计动作 {action!r} 格式无效，应为 模块.动作（如 region.update）")
    if not object_type.strip():
        raise ValueError("审计记录必须注明对象类型")
    if region_path is not None and not _LTREE.match(region_path):
        raise ValueError(f"区划路径 {region_path!r} 格式无效")
    if ip is not None:
        ip = str(ip_address(ip))  # ValueError on a malformed address
    if action.split(".", 1)[0] in _CHANGES_WHO_MAY_ACT:
        sessions_changed()
    return repo.insert_entry(
        session,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before_json=_dumps(before),
        after_json=_dumps(after),
        actor_id=actor_id,
        actor_name=actor_name,
        region_path=region_path,
        detail=detail,
        ip=ip,
    )


def search(
    session: Executor,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    region_path: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """Audit rows matching every given filter, newest first, keyset-paged: the next page
    is `search(..., after_id=page.next_after_id)` and costs what the first one does.
    `since` is inclusive, `until` exclusive; `region_path` keeps the rows of that region's
    subtree (rows of district-wide objects have none and are left out)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise AuditError(f"每页条数应在 1～{MAX_LIMIT} 之间，收到 {limit}")
    for name, moment in (("起始时间", since), ("截止时间", until)):
        if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
            raise AuditError(f"{name} {moment.isoformat()} 缺少时区")
    if region_path is not None and not _LTREE.match(region_path):
        raise AuditError(f"区划路径 {region_path!r} 格式无效")
    rows = repo.search_entries(
        session,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        actor_id=actor_id,
        since=since,
        until=until,
        region_path=region_path,
        after_id=after_id,
        limit=limit + 1,  # one more tells whether there is a next page
    )
    more = len(rows) > limit
    items = rows[:limit]
    return AuditPage(items=items, next_after_id=items[-1].id if more else None)


def search_for(
    session: Executor,
    *,
    actor: Actor,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """`search` within the actor's data scope (SYS-10): an actor below the district sees
    only the rows of their region subtree (never the district-wide ones)."""
    return search(
        session, action=action, object_type=object_type, object_id=object_id,
        actor_id=actor_id, since=since, until=until, after_id=after_id, limit=limit,
        region_path=None if actor.is_district_wide else actor.region_path,
    )  # fmt: skip
