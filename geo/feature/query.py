"""Parsing and validation of OGC API – Features query parameters.

Everything a client can send is checked here and turned into a typed `FeatureQuery`, so
the SQL side only ever sees bound values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, SmallInteger
from sqlalchemy.types import TypeEngine

from geo.feature.errors import InvalidParameter
from geo.layers import Layer

SHANGHAI = ZoneInfo("Asia/Shanghai")
ID_PATTERN = re.compile(r"[0-9]{1,19}")  # ASCII digits only: "²".isdigit() is True
BIGINT_MAX = 2**63 - 1
RESERVED = {"limit", "bbox", "bbox-crs", "datetime", "cursor", "f"}
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@dataclass(frozen=True)
class FeatureQuery:
    limit: int
    bbox: tuple[float, float, float, float] | None = None
    start: datetime | None = None
    end: datetime | None = None
    after_id: int | None = None  # keyset cursor: the last id of the previous page
    filters: dict[str, Any] = field(default_factory=dict)


def parse_query(
    layer: Layer, params: dict[str, str], *, default_limit: int, max_limit: int
) -> FeatureQuery:
    if any("\x00" in v for v in params.values()):
        raise InvalidParameter("参数中含有不可见的空字符（\\0），请检查链接")
    unknown = set(params) - RESERVED - {p.name for p in layer.properties if p.queryable}
    if unknown:
        allowed = "、".join(sorted(RESERVED | {p.name for p in layer.properties if p.queryable}))
        raise InvalidParameter(
            f"不支持的查询参数：{'、'.join(sorted(unknown))}。可用参数：{allowed}"
        )
    if params.get("f") not in (None, "json", "geojson"):
        raise InvalidParameter("f 只支持 json / geojson")
    if params.get("bbox-crs") not in (None, CRS84):
        raise InvalidParameter(f"bbox-crs 只支持 {CRS84}（经度、纬度）")
    return FeatureQuery(
        limit=_limit(params.get("limit"), default_limit, max_limit),
        bbox=parse_bbox(params["bbox"]) if "bbox" in params else None,
        **_interval(layer, params.get("datetime")),
        after_id=_cursor(params.get("cursor")),
        filters={
            name: _coerce(layer, name, value)
            for name, value in params.items()
            if name not in RESERVED
        },
    )


def _limit(raw: str | None, default: int, maximum: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"limit 必须是整数，收到 {raw!r}") from None
    if value < 1:
        raise InvalidParameter("limit 必须大于 0")
    return min(value, maximum)  # OGC allows serving fewer than asked for


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise InvalidParameter(f"bbox 必须是逗号分隔的数字：{raw!r}") from None
    if len(values) == 6:  # 3D box: drop the heights
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise InvalidParameter("bbox 需要 4 个数：最小经度,最小纬度,最大经度,最大纬度")
    minx, miny, maxx, maxy = values
    if not (
        -180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90
    ):
        if -90 <= minx <= 90 and -90 <= maxx <= 90 and -180 <= miny <= 180:
            raise InvalidParameter(
                "bbox 的经纬度顺序颠倒了：应为 最小经度,最小纬度,最大经度,最大纬度"
            )
        raise InvalidParameter("bbox 超出经纬度范围（经度 -180~180，纬度 -90~90）")
    if minx > maxx or miny > maxy:
        raise InvalidParameter("bbox 的最小值大于最大值：应为 最小经度,最小纬度,最大经度,最大纬度")
    return minx, miny, maxx, maxy


def _interval(layer: Layer, raw: str | None) -> dict[str, datetime | None]:
    if raw is None:
        return {}
    if layer.temporal is None:
        raise InvalidParameter(f"图层 {layer.id} 没有时间属性，不支持 datetime 参数")
    if "/" in raw:
        first, _, second = raw.partition("/")
        start = None if first in ("", "..") else _instant(first, end_of_day=False)
        end = None if second in ("", "..") else _instant(second, end_of_day=True)
        if start and end and start > end:
            raise InvalidParameter("datetime 区间的开始晚于结束")
        return {"start": start, "end": end}
    if "T" not in raw.upper():  # a whole (Shanghai) day
        return {"start": _instant(raw, end_of_day=False), "end": _instant(raw, end_of_day=True)}
    moment = _instant(raw, end_of_day=False)
    return {"start": moment, "end": moment}


def _instant(raw: str, *, end_of_day: bool) -> datetime:
    # An unencoded "+08:00" in a hand-written URL arrives as " 08:00".
    raw = re.sub(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$", r"\1+\2", raw)
    try:
        if "T" in raw.upper():
            value = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(
            f"datetime 格式不正确：{raw!r}（示例 2026-03-01、2026-03-01T08:00:00+08:00、"
            "2026-01-01/2026-03-31、../2026-03-31）"
        ) from None
    return datetime.combine(day, time.max if end_of_day else time.min, SHANGHAI)


def parse_id(raw: str) -> int | None:
    """A feature id as the database can hold it (bigint), or None."""
    if not ID_PATTERN.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= BIGINT_MAX else None


def _cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    value = parse_id(raw)
    if value is None:
        raise InvalidParameter("cursor 无效：请使用响应中 next 链接给出的地址")
    return value


def _integer_limit(column_type: TypeEngine[Any]) -> int:
    """The largest value the column's integer type holds (a filter beyond it is refused)."""
    if isinstance(column_type, SmallInteger):
        return 2**15 - 1
    if isinstance(column_type, BigInteger):
        return BIGINT_MAX
    return 2**31 - 1


def _coerce(layer: Layer, name: str, raw: str) -> Any:
    prop = layer.property(name)
    assert prop is not None  # unknown names were refused above
    try:
        if prop.type == "integer":
            value = int(raw)
            if abs(value) > _integer_limit(layer.table.c[name].type):
                raise InvalidParameter(f"{prop.label}（{name}）超出范围：{raw}")
            return value
        if prop.type == "number":
            number = float(raw)
            if not math.isfinite(number):
                raise ValueError(raw)
            return number
    except ValueError:
        raise InvalidParameter(f"{prop.label}（{name}）必须是数字，收到 {raw!r}") from None
    if prop.type == "boolean":
        if raw.lower() not in ("true", "false", "1", "0"):
            raise InvalidParameter(f"{prop.label}（{name}）只能是 true 或 false")
        return raw.lower() in ("true", "1")
    return raw
