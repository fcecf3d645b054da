"""Import a GIS file (GeoJSON, Shapefile, GeoPackage, KML) into one layer (GIS-9).

    python -m data.importer enterprises 企业.geojson --crs gcj02
    python -m data.importer buildings 房屋.zip --crs gk3:40 --dry-run

An import is all or nothing: every feature is checked (geometry, required properties,
values the table accepts, unique codes, parents) and *every* bad feature is reported by
its 0-based position in the file; if one is bad nothing is written. Good files are
inserted in the caller's transaction, then linked to their region with one set-based
UPDATE:

* points and polygons → the grid that covers the feature's ST_PointOnSurface;
* lines (streets, patrol routes) → the town that covers the line's midpoint
  (ST_LineInterpolatePoint(geom, 0.5)) — a simple, documented stand-in for "the town
  the line mostly lies in".

A feature outside every grid / town keeps region_id NULL and the report says how many.

Files are read with pyogrio. Its bundled GDAL reads KML with the LIBKML driver
(Placemark Point/LineString/Polygon/MultiGeometry; ExtendedData SimpleData and Data
become fields, <name>/<description> arrive as Name/description).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
from geoalchemy2.shape import from_shape
from pyproj import CRS, Geod
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    SmallInteger,
    String,
    any_,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from geo.camera.models import CameraKind
from geo.core.crs import SourceCRS, UnknownCRSError, parse_source_crs
from geo.core.geometry import GeometryError, load_governed_area, validate_geometry
from geo.core.identifiers import is_valid_uscc, normalize_phone
from geo.core.srid import STORAGE_SRID
from geo.enterprise.models import EnterpriseCategory, RiskList
from geo.event.models import EventSource, EventStatus
from geo.housing.models import BuildingUse, RoadClass
from geo.layers import LAYERS, Layer, get_layer
from geo.party.models import PartySiteKind
from geo.patrol.models import PatrolKind
from geo.region.models import LEVEL_LABELS, Region, RegionLevel
from geo.site.models import SiteStatus

BATCH_SIZE = 1000
MAX_LISTED_ERRORS = 50  # in the message; ImportRejected.errors always holds them all
LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # naive times in files are Beijing time
_GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid, to the millimetre

SUPPORTED = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "Shapefile",
    ".zip": "Shapefile",  # a zip holding one .shp with its .dbf/.shx/.prj
    ".gpkg": "GeoPackage",
    ".kml": "KML",
    ".kmz": "KML",
}
SHAPEFILE_NAME_LIMIT = 10  # DBF field names are cut to 10 characters

# Fields that are never taken from a file: the database owns them.
_DATABASE_OWNED = frozenset({"id", "fid", "region_id", "created_at", "updated_at", "path"})
# Fields LIBKML adds to every KML layer; they describe styling, not the feature.
_KML_STRUCTURAL = frozenset(
    {"id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude"}
    | {"visibility", "drawOrder", "icon", "snippet"}
)
_KML_STANDARD = frozenset({"description"})  # a Placemark's own element, kept if a column
_PARENT_CODE = "parent_code"  # region layers: the parent region's division code

# ------------------------------------------------------------------- errors and report


class FeatureError(NamedTuple):
    """(index, reason): unpacks like the pair it is; ``dict(errors)`` maps index → reason."""

    index: int  # type: ignore[assignment]  # 0-based position in the file (shadows tuple.index)
    reason: str


class ImportRejected(Exception):
    """The file was not imported; nothing was written. The message is Chinese."""

    def __init__(self, message: str | None = None, *, errors: Iterable[tuple[int, str]] = ()):
        self.errors = sorted(FeatureError(i, r) for i, r in errors)
        self.message = message or f"共有 {len(self.errors)} 个要素不符合要求，未导入任何数据"
        super().__init__(self.message)

    def __str__(self) -> str:
        lines = [f"导入被拒绝：{self.message}"]
        lines += [
            f"  要素 #{e.index}（第 {e.index + 1} 个）：{e.reason}"
            for e in self.errors[:MAX_LISTED_ERRORS]
        ]
        if len(self.errors) > MAX_LISTED_ERRORS:
            lines.append(f"  ……另有 {len(self.errors) - MAX_LISTED_ERRORS} 个要素有问题")
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportReport:
    layer: str
    inserted: int
    crs: str  # canonical label of the source CRS, e.g. "gk3:40"
    elapsed: float  # seconds
    source: str
    region_assigned: int = 0  # rows whose region_id was set (region layers: 0)
    skipped: int = 0  # always 0: an import is all or nothing
    warnings: tuple[str, ...] = ()

    def summary(self, *, dry_run: bool = False) -> str:
        layer = LAYERS[self.layer]
        verb = "检查通过，可导入" if dry_run else "已导入"
        lines = [
            f"{verb} {self.inserted} 个要素到图层「{layer.title}」（{self.layer}），"
            f"源坐标系 {self.crs}，跳过 {self.skipped} 个，用时 {self.elapsed:.2f} 秒",
        ]
        if "region_id" in layer.table.c:
            unit = "镇街" if layer.geometry_type == "LineString" else "网格"
            lines.append(
                f"其中 {self.region_assigned} 个已归入{unit}，"
                f"{self.inserted - self.region_assigned} 个未落在任何{unit}内"
            )
        lines += [f"提示：{w}" for w in self.warnings]
        return "\n".join(lines)


# ------------------------------------------------------------- per-layer value rules


@dataclass(frozen=True)
class Rule:
    """What a column accepts beyond its SQL type (mirrors the table's CHECK constraints)."""

    choices: type[StrEnum] | None = None
    between: tuple[int, int] | None = None
    normalise: Callable[[Any], Any] | None = None  # returns the value to store or raises


def _uscc(value: str) -> str:
    code = value.strip().upper()
    if not is_valid_uscc(code):
        raise ValueError(f"统一社会信用代码「{value}」无效（应为 18 位，且校验位正确）")
    return code


_PHONE = Rule(normalise=normalize_phone)

RULES: dict[str, dict[str, Rule]] = {
    "enterprise": {
        "category": Rule(choices=EnterpriseCategory),
        "risk_list": Rule(choices=RiskList),
        "uscc": Rule(normalise=_uscc),
        "contact_phone": _PHONE,
    },
    "party_site": {"kind": Rule(choices=PartySiteKind), "contact_phone": _PHONE},
    "camera": {"kind": Rule(choices=CameraKind)},
    "street": {"road_class": Rule(choices=RoadClass)},
    "building": {"use": Rule(choices=BuildingUse), "floors": Rule(between=(1, 200))},
    "construction_site": {"status": Rule(choices=SiteStatus)},
    "patrol_route": {"kind": Rule(choices=PatrolKind)},
    "event": {
        "status": Rule(choices=EventStatus),
        "source": Rule(choices=EventSource),
        "severity": Rule(between=(1, 3)),
        "urgency": Rule(between=(1, 3)),
    },
}


def _ordered(first: str, second: str, message: str) -> Callable[[dict[str, Any]], str | None]:
    def check(values: dict[str, Any]) -> str | None:
        a, b = values.get(first), values.get(second)
        return message if a is not None and b is not None and b < a else None

    return check


# Checks across columns of one row (the multi-column CHECK constraints).
ROW_RULES: dict[str, tuple[Callable[[dict[str, Any]], str | None], ...]] = {
    "construction_site": (_ordered("start_date", "end_date", "竣工日期早于开工日期"),),
    "event": (_ordered("reported_at", "closed_at", "结案时间早于上报时间"),),
}


def _line_length(geom: BaseGeometry) -> float:
    return float(_GEOD.geometry_length(geom))


# Columns a file may omit because they follow from the (storage) geometry.
DERIVED: dict[str, dict[str, Callable[[BaseGeometry], Any]]] = {
    "street": {"length_m": _line_length},
    "patrol_route": {"length_m": _line_length},
    "construction_site": {
        "entrance": lambda g: from_shape(g.point_on_surface(), srid=STORAGE_SRID)
    },
}


def _region_code(level: RegionLevel, value: str) -> str:
    if not re.fullmatch(rf"[0-9]{{{level.code_length}}}", value):
        raise ValueError(f"辖区编码「{value}」应为 {level.code_length} 位数字")
    return value


@dataclass(frozen=True)
class LayerSpec:
    """Everything the importer needs to know about one layer's table."""

    layer: Layer
    columns: dict[str, Column[Any]]  # importable columns by name
    rules: dict[str, Rule]
    required: frozenset[str]
    derived: dict[str, Callable[[BaseGeometry], Any]]
    row_rules: tuple[Callable[[dict[str, Any]], str | None], ...] = ()
    fields: tuple[str, ...] = field(default=())  # accepted file fields (columns + pseudo)

    def label(self, name: str) -> str:
        if name == _PARENT_CODE:
            return "上级区划编码"
        prop = self.layer.property(name)
        return prop.label if prop else name


@cache
def layer_spec(layer_id: str) -> LayerSpec:
    layer = LAYERS[layer_id]
    table = layer.table
    derived = DERIVED.get(table.name, {})
    skip = _DATABASE_OWNED | {"geom", "level", "parent_id", *layer.extra_geometries}
    columns = {c.name: c for c in table.c if c.name not in skip}
    rules = dict(RULES.get(table.name, {}))
    required = {p.name for p in layer.properties if p.required}
    required |= {
        n for n, c in columns.items() if not c.nullable and c.default is None and n not in derived
    }
    fields = tuple(columns)
    if layer.region_level is not None:
        level = layer.region_level
        rules["code"] = Rule(normalise=partial(_region_code, level))
        fields += (_PARENT_CODE,)
        if level is not RegionLevel.GRID:  # a grid's parent follows from its code
            required.add(_PARENT_CODE)
    return LayerSpec(
        layer,
        columns,
        rules,
        frozenset(required - set(derived)),
        derived,
        ROW_RULES.get(table.name, ()),
        fields,
    )


# --------------------------------------------------------------------------- reading


@dataclass
class Source:
    kind: str  # GeoJSON, Shapefile, GeoPackage, KML
    records: list[dict[str, Any]]
    geometries: list[BaseGeometry | None]
    epsg: int | None  # the CRS the file itself declares, if any


_READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
    OSError,
    ValueError,
)


def read_source(path: Path, source_layer: str | None = None) -> Source:
    """Read every feature of one layer of a file, in file order."""
    kind = _kind(path)
    gdal_path = str(path)
    if path.suffix.lower() == ".zip":  # --layer picks the .shp inside the archive
        gdal_path, source_layer = _zipped_shapefile(path, source_layer), None
    try:
        layer = _pick_layer(gdal_path, source_layer)
        with warnings.catch_warnings():  # e.g. mixed-type GeoJSON columns; we check values
            warnings.simplefilter("ignore", UserWarning)
            frame = pyogrio.read_dataframe(gdal_path, layer=layer, datetime_as_string=True)
    except _READ_ERRORS as exc:
        raise ImportRejected(f"无法读取文件 {path.name}：{exc}") from exc
    epsg = CRS.from_user_input(frame.crs).to_epsg() if frame.crs is not None else None
    geometries = list(frame.geometry.array)
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    if kind == "KML":
        records = [_kml_fields(r) for r in records]
    return Source(kind, records, geometries, epsg)


def _kind(path: Path) -> str:
    if not path.exists():
        raise ImportRejected(f"文件不存在：{path}")
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise ImportRejected(
            f"不支持的文件类型「{path.suffix or path.name}」：支持 GeoJSON（.geojson/.json）、"
            "Shapefile（.shp 或装有 .shp 的 .zip）、GeoPackage（.gpkg）、KML（.kml/.kmz）"
        )
    return kind


def _zipped_shapefile(path: Path, source_layer: str | None) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".shp")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRejected(f"无法读取压缩包 {path.name}：{exc}") from exc
    if source_layer is not None:
        members = [m for m in members if Path(m).stem == source_layer]
    if len(members) != 1:
        found = "没有找到 .shp 文件" if not members else f"有多个 .shp 文件：{'、'.join(members)}"
        hint = "" if not members else "，请用 --layer 指定其中一个（不含扩展名）"
        raise ImportRejected(f"压缩包 {path.name} 中{found}{hint}")
    return f"/vsizip/{path.resolve()}/{members[0]}"


def _pick_layer(gdal_path: str, source_layer: str | None) -> str:
    names = [str(name) for name, _ in pyogrio.list_layers(gdal_path)]
    if source_layer is not None:
        if source_layer not in names:
            raise ImportRejected(f"文件中没有图层「{source_layer}」；可用图层：{'、'.join(names)}")
        return source_layer
    if len(names) != 1:
        raise ImportRejected(
            f"文件包含 {len(names)} 个图层（{'、'.join(names) or '无'}），"
            "请用 --layer 指定要导入的图层"
        )
    return names[0]


def _kml_fields(record: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in record.items() if k not in _KML_STRUCTURAL and k != "Name"}
    if "name" not in out and "Name" in record:  # <name> of the Placemark
        out["name"] = record["Name"]
    return out


# --------------------------------------------------------------- checking one feature


def _clean(value: Any) -> Any:
    """Missing (None / NaN / NaT / "") → None; numpy scalars → Python; strings stripped."""
    if value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value))):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


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


# Integer column types, narrowest first (SmallInteger and BigInteger subclass Integer).
_INTEGER_LIMITS = ((SmallInteger, 2**15 - 1), (BigInteger, 2**63 - 1), (Integer, 2**31 - 1))


def _fits(column: Column[Any], value: int) -> bool:
    for sql_type, limit in _INTEGER_LIMITS:
        if isinstance(column.type, sql_type) and not isinstance(value, bool):
            return -limit - 1 <= value <= limit
    return True


def _converter(column: Column[Any] | None) -> tuple[Callable[[Any], Any], str]:
    for sql_type, convert, expected in _CONVERTERS:
        if column is not None and isinstance(column.type, sql_type):
            return convert, expected
    return _to_str, "文本"  # pseudo fields such as parent_code


def _convert(spec: LayerSpec, name: str, value: Any) -> Any:
    column = spec.columns.get(name)
    convert, expected = _converter(column)
    try:
        value = convert(value)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"「{spec.label(name)}」应为{expected}，实际为「{value}」") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"「{spec.label(name)}」不是有效数字")
    if isinstance(value, int) and column is not None and not _fits(column, value):
        raise ValueError(f"「{spec.label(name)}」的值 {value} 超出范围")
    length = getattr(column.type, "length", None) if column is not None else None
    if length is not None and isinstance(value, str) and len(value) > length:
        raise ValueError(f"「{spec.label(name)}」超过 {length} 个字符")
    return _apply_rule(spec, name, value)


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


# ------------------------------------------------------------ checks against the DB


def _existing(session: Session, column: Column[Any], values: Iterable[Any]) -> set[Any]:
    """Which of ``values`` are already in ``column`` (one query, values bound as an array)."""
    wanted = list(values)
    if not wanted:
        return set()
    return set(
        session.scalars(select(column).where(column == any_(literal(wanted, ARRAY(column.type)))))
    )


def _check_unique(session: Session, spec: LayerSpec, checked: list[Checked]) -> None:
    for name, column in spec.columns.items():
        if not column.unique:
            continue
        first: dict[Any, int] = {}
        for i, item in enumerate(checked):
            value = item.values.get(name)
            if value is None:
                continue
            if value in first:
                item.reasons.append(f"{spec.label(name)}「{value}」与要素 #{first[value]} 重复")
            else:
                first[value] = i
        for value in _existing(session, column, first):
            checked[first[value]].reasons.append(f"{spec.label(name)}「{value}」已存在")


def _check_references(session: Session, spec: LayerSpec, checked: list[Checked]) -> None:
    """Foreign keys other than the region links (e.g. an event's category code)."""
    for name, column in spec.columns.items():
        for fk in column.foreign_keys:
            wanted = {v for item in checked if (v := item.values.get(name)) is not None}
            found = _existing(session, fk.column, wanted)
            for item in checked:
                value = item.values.get(name)
                if value is not None and value not in found:
                    item.reasons.append(f"{spec.label(name)}「{value}」不存在")


def _resolve_parents(session: Session, spec: LayerSpec, checked: list[Checked]) -> None:
    """Region layers: find each feature's parent by its code; set level and parent_id."""
    level = spec.layer.region_level
    if level is None:
        return
    parent_level = level.parent
    assert parent_level is not None  # no layer imports districts
    for item in checked:
        code = item.values.get("code")
        if item.values.get(_PARENT_CODE) is None and level is RegionLevel.GRID and code:
            item.values[_PARENT_CODE] = code[:12]
    region = Region.__table__
    codes = {v for item in checked if (v := item.values.get(_PARENT_CODE))}
    rows = session.execute(
        select(region.c.code, region.c.id, region.c.level).where(
            region.c.code == any_(literal(list(codes), ARRAY(region.c.code.type)))
        )
    ).all()
    parents = {row.code: row for row in rows}
    for item in checked:
        code, parent_code = item.values.get("code"), item.values.pop(_PARENT_CODE, None)
        if parent_code is None:
            continue
        parent = parents.get(parent_code)
        if parent is None:
            item.reasons.append(f"上级区划「{parent_code}」不存在")
        elif parent.level != parent_level.value:
            item.reasons.append(f"上级区划「{parent_code}」不是{LEVEL_LABELS[parent_level]}")
        elif level is RegionLevel.GRID and code and not code.startswith(parent_code):
            item.reasons.append(f"网格编码「{code}」必须以所属社区编码「{parent_code}」开头")
        else:
            item.values["parent_id"] = parent.id
        item.values["level"] = level.value


# --------------------------------------------------------------------------- writing


def _row(spec: LayerSpec, item: Checked) -> dict[str, Any]:
    assert item.geom is not None
    row: dict[str, Any] = {}
    for name, column in spec.columns.items():
        value = item.values.get(name)
        if value is None and name in spec.derived:
            value = spec.derived[name](item.geom)
        if value is None and column.default is not None and column.default.is_scalar:
            default = getattr(column.default, "arg", None)
            value = default.value if isinstance(default, StrEnum) else default
        row[name] = value
    for name, derive in spec.derived.items():
        if name not in row:  # extra geometries such as a site's entrance
            row[name] = derive(item.geom)
    if spec.layer.region_level is not None:
        row["level"], row["parent_id"] = item.values["level"], item.values.get("parent_id")
    row["geom"] = from_shape(item.geom, srid=STORAGE_SRID)
    return row


def _insert(session: Session, spec: LayerSpec, rows: list[dict[str, Any]]) -> list[int]:
    table = spec.layer.table
    ids: list[int] = []
    for start in range(0, len(rows), BATCH_SIZE):
        result = session.execute(
            insert(table).returning(table.c.id), rows[start : start + BATCH_SIZE]
        )
        ids.extend(result.scalars().all())
    return ids


def assign_regions(session: Session, layer: Layer, ids: list[int]) -> int:
    """Set region_id of the given rows in one UPDATE; return how many got one.

    Points and polygons go to the grid covering ST_PointOnSurface(geom), lines to the town
    covering their midpoint. Where regions overlap (they should not) the smallest wins.
    """
    table = layer.table
    if "region_id" not in table.c or not ids:
        return 0
    region = Region.__table__
    if layer.geometry_type == "LineString":
        level, anchor = RegionLevel.TOWN, func.ST_LineInterpolatePoint(table.c.geom, 0.5)
    else:
        level, anchor = RegionLevel.GRID, func.ST_PointOnSurface(table.c.geom)
    match = (
        select(table.c.id.label("feature_id"), region.c.id.label("region_id"))
        .join(region, func.ST_Covers(region.c.geom, anchor))
        .where(region.c.level == level.value)
        .where(table.c.id == any_(bindparam("ids", ids, type_=ARRAY(BigInteger))))
        .order_by(table.c.id, func.ST_Area(region.c.geom), region.c.id)
        .ext(distinct_on(table.c.id))
        .subquery()
    )
    result = session.execute(
        update(table).where(table.c.id == match.c.feature_id).values(region_id=match.c.region_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the API


def import_file(
    session: Session,
    *,
    layer_id: str,
    path: Path,
    crs: str,
    source_layer: str | None = None,
) -> ImportReport:
    """Check every feature of ``path`` and insert them all into ``layer_id``, or none.

    Runs in the caller's transaction (no commit). Raises ImportRejected for an unknown
    layer or CRS, an unreadable file, or when any feature is bad (``errors`` lists them).
    """
    started = time.perf_counter()
    layer = get_layer(layer_id)
    if layer is None:
        raise ImportRejected(f"未知图层「{layer_id}」；可用图层：{'、'.join(LAYERS)}")
    try:
        source_crs = parse_source_crs(crs)
    except UnknownCRSError as exc:
        raise ImportRejected(str(exc)) from exc
    path = Path(path)
    source = read_source(path, source_layer)
    if not source.records:
        raise ImportRejected(f"文件 {path.name} 中没有任何要素")
    spec = layer_spec(layer.id)
    records, notes = _map_fields(spec, source)
    area = load_governed_area(session)
    if area is None:
        notes.append("尚未建立辖区（区县）范围，未检查要素是否在辖区内")
    crs_note = _crs_mismatch(source, source_crs)
    if crs_note:
        notes.append(crs_note)
    checked = [
        check_feature(spec, source_crs, props, geom, area)
        for props, geom in zip(records, source.geometries, strict=True)
    ]
    _check_unique(session, spec, checked)
    _check_references(session, spec, checked)
    _resolve_parents(session, spec, checked)
    _reject_if_any_bad(checked, crs_note)
    ids = _insert(session, spec, [_row(spec, item) for item in checked])
    assigned = assign_regions(session, layer, ids)
    return ImportReport(
        layer=layer.id,
        inserted=len(ids),
        crs=source_crs.label,
        elapsed=time.perf_counter() - started,
        source=str(path),
        region_assigned=assigned,
        warnings=tuple(notes),
    )


def _map_fields(spec: LayerSpec, source: Source) -> tuple[list[dict[str, Any]], list[str]]:
    """Rename file fields to column names; ignore the rest (and say so)."""
    names = list(source.records[0])
    mapping: dict[str, str] = {}
    for name in names:
        if name in spec.fields:
            mapping[name] = name
        elif source.kind == "Shapefile" and len(name) == SHAPEFILE_NAME_LIMIT:
            longer = [f for f in spec.fields if len(f) > len(name) and f.startswith(name)]
            if len(longer) == 1:
                mapping[name] = longer[0]
    silent = _DATABASE_OWNED | (_KML_STANDARD if source.kind == "KML" else frozenset())
    ignored = [n for n in names if n not in mapping and n not in silent]
    notes = [f"已忽略不属于该图层的字段：{'、'.join(ignored)}"] if ignored else []
    records = [
        {mapping[k]: _clean(v) for k, v in r.items() if k in mapping} for r in source.records
    ]
    return records, notes


_LONLAT_EPSG = {STORAGE_SRID, 4326}


def _crs_mismatch(source: Source, declared: SourceCRS) -> str | None:
    if source.epsg is None or source.epsg == declared.epsg:
        return None
    if source.epsg in _LONLAT_EPSG and (declared.is_gcj02 or declared.epsg in _LONLAT_EPSG):
        return None  # GCJ-02 files call themselves WGS84; CGCS2000 ≈ WGS84
    return (
        f"文件自带的坐标系为 EPSG:{source.epsg}，与指定的 {declared.label} 不同；"
        f"已按指定的 {declared.label} 处理"
    )


def _reject_if_any_bad(checked: list[Checked], crs_note: str | None) -> None:
    errors = [(i, "；".join(item.reasons)) for i, item in enumerate(checked) if item.reasons]
    if not errors:
        return
    message = None
    codes = {item.geometry_code for item in checked}
    if codes <= {"not_lonlat", "swapped_lonlat"} and len(errors) == len(checked):
        message = f"所有 {len(checked)} 个要素的坐标都不对，请确认 --crs 指定的坐标系与经纬度顺序"
        if crs_note:
            message += f"（{crs_note}）"
    raise ImportRejected(message, errors=errors)


# ---------------------------------------------------------------------------- the CLI


_ARGPARSE_HEADINGS = {"usage: ": "用法：", "positional arguments:": "参数：", "options:": "选项："}


class _ChineseParser(argparse.ArgumentParser):
    def format_usage(self) -> str:
        return _translate(super().format_usage())

    def format_help(self) -> str:
        return _translate(super().format_help())

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"用法错误：{message}\n")


def _translate(text: str) -> str:
    for english, chinese in _ARGPARSE_HEADINGS.items():
        text = text.replace(english, chinese)
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _ChineseParser(
        prog="python -m data.importer",
        description="把 GeoJSON、Shapefile、GeoPackage 或 KML 文件导入一个图层"
        "（全部导入，或有问题时一个也不导入）。",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="显示帮助并退出")
    parser.add_argument("layer", metavar="LAYER", help="图层：" + ", ".join(LAYERS))
    parser.add_argument("file", metavar="FILE", type=Path, help="要导入的文件")
    parser.add_argument(
        "--crs",
        required=True,
        help="文件的坐标系：cgcs2000、wgs84、webmercator、gcj02、gk3:<带号>、"
        "gk3cm:<中央经线> 或 EPSG 代码",
    )
    parser.add_argument(
        "--layer", dest="source_layer", metavar="NAME", help="文件中的图层名（多图层文件）"
    )
    parser.add_argument("--dry-run", action="store_true", help="只检查，不写入数据库")
    return parser


def main(argv: Sequence[str] | None = None, *, session: Session | None = None) -> int:
    """Exit codes: 0 imported (or would be, with --dry-run), 1 rejected, 2 usage error.

    ``session``: run inside an existing session (tests); its outer transaction is left
    to the caller, a dry run is rolled back to a savepoint.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)
    if session is not None:
        savepoint = session.begin_nested()
        code = _run(session, args)
        (savepoint.commit if code == 0 and not args.dry_run else savepoint.rollback)()
        return code
    from geo.core.db import get_sessionmaker

    with get_sessionmaker()() as own:
        code = _run(own, args)
        (own.commit if code == 0 and not args.dry_run else own.rollback)()
    return code


def _run(session: Session, args: argparse.Namespace) -> int:
    try:
        report = import_file(
            session,
            layer_id=args.layer,
            path=args.file,
            crs=args.crs,
            source_layer=args.source_layer,
        )
    except ImportRejected as exc:
        print(exc, file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(
            f"导入失败：写入数据库时出错，未导入任何数据（{exc.__class__.__name__}: {exc}）",
            file=sys.stderr,
        )
        return 1
    print(report.summary(dry_run=args.dry_run))
    if args.dry_run:
        print("（试运行：未写入数据库）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
