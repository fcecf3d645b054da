"""Checking one feature on its own: each value against its column, then the geometry.

Every problem becomes a Chinese reason on the feature; nothing here raises for a bad
feature, so a file's problems are all reported together.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    SmallInteger,
    String,
)

from data.importer.rules import LayerSpec
from geo.core.crs import SourceCRS
from geo.core.geometry import GeometryError, validate_geometry

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # naive times in files are Beijing time


@dataclass
class Checked:
    """One feature after the per-feature checks."""

    values: dict[str, Any]
    geom: BaseGeometry | None
    reasons: list[str]
    geometry_code: str | None = None


def check_feature(
    spec: LayerSpec,
    crs: SourceCRS,
    props: dict[str, Any],
    geom: BaseGeometry | None,
    governed_area: Any,
) -> Checked:
    values, reasons = _check_values(spec, props)
    try:
        stored = crs.to_storage(geom) if geom is not None else None
        stored = validate_geometry(
            stored, expected=spec.layer.geometry_type, governed_area=governed_area
        )
    except GeometryError as exc:
        return Checked(values, None, [str(exc), *reasons], exc.code)
    return Checked(values, stored, reasons)


def _check_values(spec: LayerSpec, props: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    reasons: list[str] = []
    for name, raw in props.items():
        if raw is None:
            continue
        try:
            values[name] = _convert(spec, name, raw)
        except ValueError as exc:
            reasons.append(str(exc))
    missing = sorted(n for n in spec.required if props.get(n) is None)
    if missing:
        reasons.append("缺少必填项：" + "、".join(f"{spec.label(n)}（{n}）" for n in missing))
    reasons += [msg for rule in spec.row_rules if (msg := rule(values)) is not None]
    return values, reasons


# ---------------------------------------------------------------- one value → column


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    number = float(value)
    if not number.is_integer():
        raise ValueError
    return int(number)


_TRUE = {"true", "t", "yes", "y", "1", "是"}
_FALSE = {"false", "f", "no", "n", "0", "否"}


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(_to_int(value) if isinstance(value, int | float) else value).lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("/", "-"))
    elif isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if not isinstance(value, datetime):
        raise ValueError
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def _to_date(value: Any) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value.replace("/", "-")[:10])
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    raise ValueError


def _to_str(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # codes that a spreadsheet turned into numbers
    return str(value)


# SQL type → (converter, Chinese name of what was expected). Order matters: Boolean and
# the integer types before anything more general.
_CONVERTERS: tuple[tuple[type, Callable[[Any], Any], str], ...] = (
    (Boolean, _to_bool, "是/否（true/false）"),
    (Integer, _to_int, "整数"),
    (Float, float, "数字"),
    (DateTime, _to_datetime, "日期时间（如 2024-05-01T08:30:00+08:00）"),
    (Date, _to_date, "日期（如 2024-05-01）"),
    (String, _to_str, "文本"),
)
_AS_TEXT = (_to_str, "文本")  # pseudo fields such as parent_code, and other column types

# Integer column types, narrowest first (SmallInteger and BigInteger subclass Integer).
_INTEGER_LIMITS = ((SmallInteger, 2**15 - 1), (BigInteger, 2**63 - 1), (Integer, 2**31 - 1))


def _converter(column: Column[Any] | None) -> tuple[Callable[[Any], Any], str]:
    if column is None:
        return _AS_TEXT
    for sql_type, convert, expected in _CONVERTERS:
        if isinstance(column.type, sql_type):
            return convert, expected
    return _AS_TEXT


def _fits(column: Column[Any], value: int) -> bool:
    for sql_type, limit in _INTEGER_LIMITS:
        if isinstance(column.type, sql_type):
            return -limit - 1 <= value <= limit
    return True


def _convert(spec: LayerSpec, name: str, value: Any) -> Any:
    column = spec.columns.get(name)
    convert, expected = _converter(column)
    try:
        value = convert(value)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"「{spec.label(name)}」应为{expected}，实际为「{value}」") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"「{spec.label(name)}」不是有效数字")
    if column is not None:
        _check_size(spec.label(name), column, value)
    return _apply_rule(spec, name, value)


def _check_size(label: str, column: Column[Any], value: Any) -> None:
    if isinstance(value, int) and not _fits(column, value):
        raise ValueError(f"「{label}」的值 {value} 超出范围")
    length = getattr(column.type, "length", None)
    if length is not None and isinstance(value, str) and len(value) > length:
        raise ValueError(f"「{label}」超过 {length} 个字符")


def _apply_rule(spec: LayerSpec, name: str, value: Any) -> Any:
    rule = spec.rules.get(name)
    if rule is None:
        return value
    if rule.normalise is not None:
        value = rule.normalise(value)
    if rule.choices is not None and value not in {c.value for c in rule.choices}:
        allowed = "、".join(c.value for c in rule.choices)
        raise ValueError(f"「{spec.label(name)}」的值「{value}」无效，可选：{allowed}")
    if rule.between is not None and not rule.between[0] <= value <= rule.between[1]:
        low, high = rule.between
        raise ValueError(f"「{spec.label(name)}」应在 {low} 到 {high} 之间，实际为 {value}")
    return value
