"""Use cases of the region hierarchy (SYS-3): browse the regions of one's scope, create a
region, rename it or redraw its outline. Every change is audited.

Outlines are checked before they are stored: a valid lon/lat MultiPolygon inside the
governed area (`validate_geometry`), covered by the parent, overlapping no sibling, and
still covering its own children. Slivers below `SLIVER_M2` are digitising noise along
shared edges, not a broken rule. The division code is fixed once created (SPEC SYS-3);
the database trigger refuses a change too, and its refusals are translated here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, DomainError, Forbidden
from geo.core.geometry import GeometryError, load_governed_area, validate_geometry
from geo.core.scope import ensure_readable_region, region_in_scope
from geo.core.srid import STORAGE_SRID
from geo.region.models import LEVEL_LABELS, Region, RegionLevel
from geo.region.schemas import RegionCreate, RegionDetail, RegionRead, RegionUpdate

__all__ = [
    "CODE_IMMUTABLE",
    "InvalidGeometry",
    "RegionRuleBroken",
    "create_region",
    "get_region",
    "list_regions",
    "update_region",
]

SLIVER_M2 = 1.0  # below this, a gap or overlap is rounding along a shared edge
CODE_IMMUTABLE = "辖区编码一经创建不可修改"


class RegionRuleBroken(DomainError):
    code = "RegionRuleBroken"
    status = 422


class InvalidGeometry(DomainError):
    code = "InvalidGeometry"
    status = 422


# ---- reading ---------------------------------------------------------------------------
_SELECT = """
    SELECT r.id, r.code, r.name, r.level, r.parent_id, r.path::text AS path,
           (SELECT count(*) FROM region c WHERE c.parent_id = r.id) AS child_count,
           round(CAST(ST_Area(CAST(r.geom AS geography)) / 1e6 AS numeric), 3) AS area_km2
           {extra}
    FROM region r
"""


def _read(row: Any) -> RegionRead:
    return RegionRead(**{k: row[k] for k in RegionRead.model_fields})


def list_regions(session: Session, *, actor: Actor, parent_id: int | None) -> list[RegionRead]:
    """The children of `parent_id` (in the actor's scope), or the actor's own region."""
    if parent_id is None:
        where, params = "WHERE r.id = :id", {"id": actor.region_id}
    else:
        ensure_readable_region(session, actor, parent_id)
        where, params = "WHERE r.parent_id = :id", {"id": parent_id}
    sql = _SELECT.format(extra="") + where + " ORDER BY r.code"
    return [_read(row) for row in session.execute(text(sql), params).mappings()]


def get_region(session: Session, *, actor: Actor, region_id: int) -> RegionDetail:
    ensure_readable_region(session, actor, region_id)
    sql = _SELECT.format(extra=", CAST(ST_AsGeoJSON(r.geom) AS json) AS geometry")
    row = session.execute(text(sql + "WHERE r.id = :id"), {"id": region_id}).mappings().one()
    return RegionDetail(**_read(row).model_dump(), geometry=row["geometry"])


# ---- checks ----------------------------------------------------------------------------
def _m2(area: float) -> str:
    return f"{area:.1f}" if area < 10 else f"{area:,.0f}"


def _outline(session: Session, geometry: dict[str, Any], *, level: RegionLevel) -> BaseGeometry:
    """The submitted GeoJSON as a valid lon/lat MultiPolygon, or InvalidGeometry."""
    try:
        geom = shape(geometry)
    except Exception:  # shapely raises KeyError, TypeError, ValueError or GEOSException
        raise InvalidGeometry(
            "边界不是有效的 GeoJSON 几何（应为 Polygon 或 MultiPolygon）"
        ) from None
    # A district defines the governed area; anything below must lie inside it.
    area = None if level is RegionLevel.DISTRICT else load_governed_area(session)
    try:
        return validate_geometry(geom, expected="MultiPolygon", governed_area=area)
    except GeometryError as e:
        raise InvalidGeometry(f"边界{e.message}") from None


_WITH_OUTLINE = "WITH g AS (SELECT ST_GeomFromWKB(:wkb, :srid) AS geom) "


def _params(geom: BaseGeometry, **more: Any) -> dict[str, Any]:
    return {"wkb": shapely.to_wkb(geom), "srid": STORAGE_SRID, **more}


def _check_inside_parent(session: Session, geom: BaseGeometry, parent: Region) -> None:
    outside = session.execute(
        text(
            _WITH_OUTLINE
            + """SELECT CASE WHEN ST_CoveredBy(g.geom, p.geom) THEN 0
                        ELSE ST_Area(CAST(ST_Difference(g.geom, p.geom) AS geography)) END
                 FROM g, region p WHERE p.id = :parent"""
        ),
        _params(geom, parent=parent.id),
    ).scalar_one()
    if outside > SLIVER_M2:
        raise RegionRuleBroken(
            f"边界超出上级区划“{parent.name}”约 {_m2(outside)} 平方米，请将边界收回上级区划之内"
        )


def _check_no_sibling_overlap(
    session: Session,
    geom: BaseGeometry,
    *,
    level: RegionLevel,
    parent_id: int | None,
    self_id: int | None = None,
) -> None:
    rows = session.execute(
        text(
            _WITH_OUTLINE
            + """SELECT s.name, ST_Area(CAST(ST_Intersection(s.geom, g.geom) AS geography)) AS m2
                 FROM g, region s
                 WHERE s.level = :level
                   AND (CAST(:parent AS bigint) IS NULL OR s.parent_id = :parent)
                   AND s.id IS DISTINCT FROM CAST(:self AS bigint)
                   AND ST_Intersects(s.geom, g.geom) AND NOT ST_Touches(s.geom, g.geom)
                 ORDER BY m2 DESC"""
        ),
        _params(geom, level=level.value, parent=parent_id, self=self_id),
    ).all()
    overlaps = [f"“{name}”约 {_m2(m2)} 平方米" for name, m2 in rows if m2 > SLIVER_M2]
    if overlaps:
        raise RegionRuleBroken(
            f"边界与同级{LEVEL_LABELS[level]}重叠：{'、'.join(overlaps)}；同级区划不能相互重叠"
        )


def _check_covers_children(session: Session, geom: BaseGeometry, region_id: int) -> None:
    rows = session.execute(
        text(
            _WITH_OUTLINE
            + """SELECT c.name, ST_Area(CAST(ST_Difference(c.geom, g.geom) AS geography)) AS m2
                 FROM g, region c
                 WHERE c.parent_id = :id AND NOT ST_CoveredBy(c.geom, g.geom)
                 ORDER BY m2 DESC"""
        ),
        _params(geom, id=region_id),
    ).all()
    left_out = [f"“{name}”约 {_m2(m2)} 平方米" for name, m2 in rows if m2 > SLIVER_M2]
    if left_out:
        raise RegionRuleBroken(
            f"新边界未包含下级区划：{'、'.join(left_out)}；请先调整下级区划的边界"
        )


def _check_code(
    session: Session, actor: Actor, code: str, level: RegionLevel, parent: Region | None
) -> None:
    if level is RegionLevel.GRID:
        if not re.fullmatch(r"[0-9]{15}", code):
            raise RegionRuleBroken(f"网格编码 {code} 格式不正确：应为 15 位数字")
        if parent is not None and not code.startswith(parent.code):
            raise RegionRuleBroken(f"网格编码 {code} 必须以所属社区编码 {parent.code} 开头")
    elif not re.fullmatch(r"[0-9]{12}", code):
        raise RegionRuleBroken(f"辖区编码 {code} 格式不正确：应为 12 位数字")
    holder = session.execute(
        text("SELECT id, name FROM region WHERE code = :code"), {"code": code}
    ).first()
    if holder is not None:
        # Named only inside the actor's scope: another town's regions stay unknown.
        if region_in_scope(session, actor, holder.id):
            raise Conflict(f"辖区编码 {code} 已被“{holder.name}”使用")
        raise Conflict(f"辖区编码 {code} 已被使用，请换一个编码")


def _check_name_free(
    session: Session, name: str, *, level: RegionLevel, parent_id: int | None, self_id: int | None
) -> None:
    clash = session.execute(
        text("""SELECT 1 FROM region
                WHERE name = :name AND level = :level
                  AND parent_id IS NOT DISTINCT FROM CAST(:parent AS bigint)
                  AND id IS DISTINCT FROM CAST(:self AS bigint)"""),
        {"name": name, "level": level.value, "parent": parent_id, "self": self_id},
    ).first()
    if clash:
        raise Conflict(f"同一上级区划下已有名为“{name}”的{LEVEL_LABELS[level]}")


def _check_single_district(session: Session) -> None:
    """The governed area is one district (see `geo.core.scope`): a second one is refused."""
    district = session.execute(
        text("SELECT name FROM region WHERE level = :level LIMIT 1"),
        {"level": RegionLevel.DISTRICT.value},
    ).scalar()
    if district is not None:
        raise RegionRuleBroken(
            f"系统只管理一个区县（“{district}”），不能再新增区县级区划；请在其下新增镇（街道）"
        )


def _parent_for(session: Session, actor: Actor, data: RegionCreate) -> Region | None:
    level = data.level
    if level is RegionLevel.DISTRICT:
        if data.parent_id is not None:
            raise RegionRuleBroken("区县级区划没有上级区划")
        if not actor.is_district_wide:
            raise Forbidden("只有区县级管理员可以新增区县级区划")
        _check_single_district(session)
        return None
    if data.parent_id is None:
        raise RegionRuleBroken(f"新增{LEVEL_LABELS[level]}必须选择上级区划")
    ensure_readable_region(session, actor, data.parent_id, what="上级区划")
    parent = session.get(Region, data.parent_id)
    assert parent is not None
    if parent.level != level.parent:
        expected = LEVEL_LABELS[level.parent] if level.parent else ""
        raise RegionRuleBroken(
            f"{LEVEL_LABELS[level]}的上级必须是{expected}，"
            f"所选“{parent.name}”是{LEVEL_LABELS[RegionLevel(parent.level)]}"
        )
    return parent


# ---- writing ---------------------------------------------------------------------------
_TRIGGER_HINTS = {"region_code_immutable", "region_parent_immutable", "region_parent_level",
                  "grid_code_prefix"}  # fmt: skip


@contextmanager
def _database_rules() -> Iterator[None]:
    """The database's own refusals (trigger, CHECK, UNIQUE) as clear 4xx errors. The
    trigger raises check_violation with a HINT naming the rule."""
    try:
        yield
    except DBAPIError as e:
        diag = getattr(e.orig, "diag", None)
        hint, state = getattr(diag, "message_hint", None), getattr(diag, "sqlstate", None)
        if hint == "region_code_immutable":
            raise RegionRuleBroken(CODE_IMMUTABLE) from None
        if hint in _TRIGGER_HINTS:
            raise RegionRuleBroken(str(getattr(diag, "message_primary", ""))) from None
        if state == "23505":
            raise Conflict("辖区编码已存在，请换一个编码") from None
        if state == "23514":
            raise RegionRuleBroken("辖区编码格式不正确：应为 12 位数字（网格 15 位）") from None
        raise


def _save(session: Session, region: Region, changes: dict[str, Any] | None = None) -> None:
    """Add a new region or apply `changes` in a savepoint: a refusal rolls back only the
    savepoint and leaves the session (and its caller's transaction) usable."""
    with _database_rules(), session.begin_nested():
        if changes is None:
            session.add(region)
        for name, value in (changes or {}).items():
            setattr(region, name, value)
        session.flush()


def _audit_state(region: Region) -> dict[str, Any]:
    return {k: getattr(region, k) for k in ("code", "name", "level", "parent_id")}


def create_region(session: Session, *, actor: Actor, data: RegionCreate) -> RegionDetail:
    """Add a region under a parent of the actor's scope (audited 'region.create')."""
    level = data.level
    parent = _parent_for(session, actor, data)
    name = data.name.strip()
    code = data.code.strip()
    _check_code(session, actor, code, level, parent)
    parent_id = parent.id if parent is not None else None
    _check_name_free(session, name, level=level, parent_id=parent_id, self_id=None)
    geom = _outline(session, data.geometry, level=level)
    if parent is not None:
        _check_inside_parent(session, geom, parent)
    _check_no_sibling_overlap(session, geom, level=level, parent_id=parent_id)
    region = Region(
        code=code,
        name=name,
        level=level.value,
        parent_id=parent_id,
        geom=from_shape(geom, srid=STORAGE_SRID),
    )
    _save(session, region)
    session.refresh(region, ["path"])
    record(
        session,
        action="region.create",
        object_type="region",
        object_id=region.id,
        after={**_audit_state(region), "geometry": geom},
        region_path=str(region.path),
        detail=f"新增{LEVEL_LABELS[level]}“{name}”（{code}）",
        **actor.audit_fields(),
    )
    return get_region(session, actor=actor, region_id=region.id)


def _editable(session: Session, actor: Actor, region_id: int) -> Region:
    ensure_readable_region(session, actor, region_id)
    if region_id == actor.region_id and not actor.is_district_wide:
        raise Forbidden("不能修改本人所属区划本身（名称和边界由上级管理员维护）")
    region = session.get(Region, region_id)
    assert region is not None
    return region


def update_region(
    session: Session, *, actor: Actor, region_id: int, data: RegionUpdate
) -> RegionDetail:
    """Rename a region or redraw its outline (audited 'region.update'); never its code."""
    region = _editable(session, actor, region_id)
    if data.code is not None and data.code.strip() != region.code:
        raise RegionRuleBroken(CODE_IMMUTABLE)
    level = RegionLevel(region.level)
    before = get_region(session, actor=actor, region_id=region_id)
    changed: dict[str, Any] = {}
    if data.name is not None and data.name.strip() != region.name:
        name = data.name.strip()
        _check_name_free(session, name, level=level, parent_id=region.parent_id, self_id=region.id)
        changed["name"] = name
    if data.geometry is not None:
        geom = _outline(session, data.geometry, level=level)
        if region.parent_id is not None:
            parent = session.get(Region, region.parent_id)
            assert parent is not None
            _check_inside_parent(session, geom, parent)
        _check_no_sibling_overlap(
            session, geom, level=level, parent_id=region.parent_id, self_id=region.id
        )
        _check_covers_children(session, geom, region.id)
        changed["geometry"] = geom
    if not changed:
        return before
    columns = {"geom" if k == "geometry" else k: v for k, v in changed.items()}
    if "geom" in columns:
        columns["geom"] = from_shape(columns["geom"], srid=STORAGE_SRID)
    _save(session, region, columns)
    after = get_region(session, actor=actor, region_id=region_id)
    record(
        session,
        action="region.update",
        object_type="region",
        object_id=region.id,
        before={k: before.geometry if k == "geometry" else before.name for k in changed},
        after={k: after.geometry if k == "geometry" else after.name for k in changed},
        region_path=after.path,
        detail=f"修改{LEVEL_LABELS[level]}“{after.name}”（{region.code}）",
        **actor.audit_fields(),
    )
    return after
