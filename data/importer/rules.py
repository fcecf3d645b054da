"""What each layer accepts: the table-driven value rules and the per-layer spec.

The tables here mirror the database's CHECK constraints (a test compares them), so a bad
value is reported with a readable message before the database would refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, partial
from typing import Any

from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Column

from geo.camera.models import CameraKind
from geo.core.identifiers import is_valid_uscc, normalize_phone
from geo.core.srid import STORAGE_SRID
from geo.enterprise.models import EnterpriseCategory, RiskList
from geo.event.models import EventSource, EventStatus
from geo.housing.models import BuildingUse, RoadClass
from geo.layers import LAYERS, Layer
from geo.party.models import PartySiteKind
from geo.patrol.models import PatrolKind
from geo.region.models import RegionLevel
from geo.site.models import SiteStatus

_GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid, to the millimetre

# Fields that are never taken from a file: the database owns them.
DATABASE_OWNED = frozenset({"id", "fid", "region_id", "created_at", "updated_at", "path"})
# An enterprise's draw weight and pass / failure streaks belong to its inspection record
# (the red / white / black lists), never to a file being imported.
RECORD_OWNED = frozenset({"draw_weight", "pass_streak", "fail_streak"})
PARENT_CODE = "parent_code"  # region layers: the parent region's division code

RowRule = Callable[[dict[str, Any]], str | None]  # a message, or None when the row is fine
Derive = Callable[[BaseGeometry], Any]


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


def _ordered(first: str, second: str, message: str) -> RowRule:
    def check(values: dict[str, Any]) -> str | None:
        a, b = values.get(first), values.get(second)
        return message if a is not None and b is not None and b < a else None

    return check


# Checks across columns of one row (the multi-column CHECK constraints).
ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "construction_site": (_ordered("start_date", "end_date", "竣工日期早于开工日期"),),
    "event": (_ordered("reported_at", "closed_at", "结案时间早于上报时间"),),
}


def _line_length(geom: BaseGeometry) -> float:
    return float(_GEOD.geometry_length(geom))


# Columns a file may omit because they follow from the (storage) geometry.
DERIVED: dict[str, dict[str, Derive]] = {
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
    derived: dict[str, Derive]
    row_rules: tuple[RowRule, ...]
    fields: tuple[str, ...]  # accepted file fields (columns + pseudo fields)

    def label(self, name: str) -> str:
        if name == PARENT_CODE:
            return "上级区划编码"
        prop = self.layer.property(name)
        return prop.label if prop else name


@cache
def layer_spec(layer_id: str) -> LayerSpec:
    layer = LAYERS[layer_id]
    table = layer.table
    derived = DERIVED.get(table.name, {})
    skip = DATABASE_OWNED | RECORD_OWNED | {"geom", "level", "parent_id", *layer.extra_geometries}
    # Generated columns (a region's label point) are the database's to fill.
    columns = {c.name: c for c in table.c if c.name not in skip and c.computed is None}
    rules = dict(RULES.get(table.name, {}))
    required = {p.name for p in layer.properties if p.required}
    required |= {n for n, c in columns.items() if not c.nullable and c.default is None}
    fields = tuple(columns)
    if layer.region_level is not None:
        level = layer.region_level
        rules["code"] = Rule(normalise=partial(_region_code, level))
        fields += (PARENT_CODE,)
        if level is not RegionLevel.GRID:  # a grid's parent follows from its code
            required.add(PARENT_CODE)
    return LayerSpec(
        layer=layer,
        columns=columns,
        rules=rules,
        required=frozenset(required - set(derived)),
        derived=derived,
        row_rules=ROW_RULES.get(table.name, ()),
        fields=fields,
    )
