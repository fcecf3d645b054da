"""Use cases of grid administration (GIS-4, GM-12): list and read the grids of one's
scope, draw a new grid, redraw one (a new boundary version), read its versions, and
assign its members.

Outlines go through the region rules (`geo.region.service`: a valid lon/lat polygon,
inside the community, overlapping no sibling grid). Before that, vertices within
`grid.snap_tolerance_m` of a neighbour's or the community's boundary are snapped onto it,
so shared edges match. A refused outline answers with the offending area (m² and its
geometry) for the screen to draw. The versions themselves are written by the database
trigger on `region.geom`; this module names who changed the outline and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points
from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, DomainError, NotFound
from geo.core.scope import path_within
from geo.grid import repository as repo
from geo.grid.schemas import (
    MAX_PAGE,
    GridCreate,
    GridDetail,
    GridGeometryUpdate,
    GridMemberRead,
    GridMembersUpdate,
    GridPage,
    GridRead,
    GridSaved,
    GridVersionDetail,
    GridVersionRead,
    MemberCandidate,
)
from geo.parameter.service import get_parameter
from geo.region import service as regions
from geo.region.models import RegionLevel
from geo.region.schemas import RegionCreate, RegionUpdate

__all__ = [
    "GridRuleBroken",
    "create_grid",
    "get_grid",
    "get_version",
    "grid_outlines",
    "list_grids",
    "list_versions",
    "member_candidates",
    "redraw_grid",
    "set_members",
]

VIEW = ("system.region.view", "grid.assign")
DRAW = "grid.edit"
ASSIGN = "grid.assign"
METRES_PER_DEGREE = 111_320.0  # along a meridian; across one it is less, so never more


class GridRuleBroken(DomainError):
    """An outline refused by a rule, with the offending area for the map."""

    code = "GridRuleBroken"
    status = 422

    def __init__(
        self,
        detail: str,
        *,
        area_m2: float | None = None,
        geometry: dict[str, Any] | None = None,
        snapped: bool = False,
    ) -> None:
        super().__init__(detail)
        self.area_m2 = area_m2
        self.geometry = geometry
        self.snapped = snapped


# ---- reading -----------------------------------------------------------------------------
def _require_view(actor: Actor) -> None:
    if not any(actor.can(p) for p in VIEW):
        actor.require(VIEW[0])


def _not_found(grid_id: int) -> NotFound:
    return NotFound(f"未找到网格（编号 {grid_id}），或不在您的管辖范围内")


def list_grids(
    session: Session,
    *,
    actor: Actor,
    community_id: int | None = None,
    keyword: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> GridPage:
    """Grids of the actor's scope in code order; `next_cursor` fetches the next page."""
    _require_view(actor)
    if not 1 <= limit <= MAX_PAGE:
        raise GridRuleBroken(f"每页条数应在 1～{MAX_PAGE} 之间")
    if cursor is not None and not (cursor.isdigit() and len(cursor) == 15):
        raise GridRuleBroken("翻页游标无效，请从第一页重新查询")
    rows = repo.grid_rows(
        session, actor=actor, community_id=community_id, keyword=(keyword or "").strip(),
        after_code=cursor, limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return GridPage(
        items=[_read(r) for r in page],
        next_cursor=page[-1].code if len(rows) > limit else None,
    )


def _read(row: Row[Any]) -> GridRead:
    return GridRead(**{k: row._mapping[k] for k in GridRead.model_fields})


def get_grid(session: Session, *, actor: Actor, grid_id: int) -> GridDetail:
    _require_view(actor)
    row = repo.grid_row(session, actor=actor, grid_id=grid_id)
    if row is None:
        raise _not_found(grid_id)
    return GridDetail(
        **_read(row).model_dump(),
        geometry=row.geometry,
        members=[GridMemberRead(**m._mapping) for m in repo.member_rows(session, grid_id=grid_id)],
        versions=_versions(session, grid_id),
    )


def grid_outlines(session: Session, *, actor: Actor, community_id: int) -> dict[str, Any]:
    """The grids of a community as a GeoJSON FeatureCollection (for the drawing map)."""
    _require_view(actor)
    regions.ensure_readable_region(session, actor, community_id, what="社区")
    features = [
        {
            "type": "Feature",
            "id": r.id,
            "geometry": r.geometry,
            "properties": {k: v for k, v in _read(r).model_dump().items()},
        }
        for r in repo.outlines(session, actor=actor, community_id=community_id)
    ]
    return {"type": "FeatureCollection", "features": features}


def _versions(session: Session, grid_id: int) -> list[GridVersionRead]:
    return [
        GridVersionRead(**{k: r._mapping[k] for k in GridVersionRead.model_fields})
        for r in repo.version_rows(session, grid_id=grid_id)
    ]


def list_versions(session: Session, *, actor: Actor, grid_id: int) -> list[GridVersionRead]:
    _visible_grid(session, actor, grid_id)
    return _versions(session, grid_id)


def get_version(session: Session, *, actor: Actor, grid_id: int, version: int) -> GridVersionDetail:
    _visible_grid(session, actor, grid_id)
    row = repo.version_row(session, grid_id=grid_id, version=version)
    if row is None:
        raise NotFound(f"网格（编号 {grid_id}）没有第 {version} 版边界")
    return GridVersionDetail(**row._mapping)


def _visible_grid(session: Session, actor: Actor, grid_id: int) -> Row[Any]:
    _require_view(actor)
    row = repo.grid_row(session, actor=actor, grid_id=grid_id)
    if row is None:
        raise _not_found(grid_id)
    return row


# ---- drawing -----------------------------------------------------------------------------
def create_grid(session: Session, *, actor: Actor, data: GridCreate) -> GridSaved:
    """Draw a new grid in a community: code = community code + next 3-digit serial;
    version 1 of its outline (audited 'grid.create')."""
    actor.require(DRAW)
    regions.ensure_readable_region(session, actor, data.community_id, what="社区")
    community = repo.lock_region(session, data.community_id)
    assert community is not None
    if community.level != RegionLevel.COMMUNITY.value:
        raise GridRuleBroken(f"“{community.name}”不是社区/村，网格只能建在社区/村下")
    serial = repo.next_grid_serial(session, community_id=community.id)
    if serial > 999:
        raise GridRuleBroken(f"“{community.name}”的网格编号已用完（最多 999 个）")
    geom, snapped, notice = _snapped(session, data.geometry, community_id=community.id)
    body = RegionCreate(
        code=f"{community.code}{serial:03d}", name=data.name, level=RegionLevel.GRID,
        parent_id=community.id, geometry=mapping(geom),
    )  # fmt: skip
    repo.name_change(session, changed_by=actor.user_id, reason=data.reason or "新建网格")
    with _refusals(session, geom, community_id=community.id, self_id=None, snapped=snapped):
        created = regions.create_region(session, actor=actor, data=body)
    repo.name_change(session, changed_by=None, reason=None)
    record(
        session, action="grid.create", object_type="grid", object_id=created.id,
        after={"code": created.code, "name": created.name, "version": 1,
               "snapped": snapped, "reason": data.reason},
        region_path=created.path, detail=f"新建网格“{created.name}”（{created.code}）",
        **actor.audit_fields(),
    )  # fmt: skip
    return _saved(session, actor, created.id, snapped=snapped, notice=notice)


def redraw_grid(
    session: Session, *, actor: Actor, grid_id: int, data: GridGeometryUpdate
) -> GridSaved:
    """A new outline for a grid: the current version is closed and the next one opened
    (audited 'grid.redraw'). `expected_version` is the version the editor started from:
    when someone saved meanwhile, 409 and nothing changes."""
    actor.require(DRAW)
    grid = _visible_grid(session, actor, grid_id)
    repo.lock_region(session, grid.community_id)  # one outline change per community at once
    repo.lock_region(session, grid_id)
    current = repo.current_version(session, grid_id=grid_id)
    if current != data.expected_version:
        raise Conflict(
            f"网格“{grid.name}”的边界已被他人修改（当前为第 {current} 版，您编辑的是第 "
            f"{data.expected_version} 版），请刷新后在最新边界上重新编辑"
        )
    geom, snapped, notice = _snapped(
        session, data.geometry, community_id=grid.community_id, self_id=grid_id
    )
    repo.name_change(session, changed_by=actor.user_id, reason=data.reason.strip())
    with _refusals(session, geom, community_id=grid.community_id, self_id=grid_id,
                   snapped=snapped):  # fmt: skip
        regions.update_region(
            session, actor=actor, region_id=grid_id, data=RegionUpdate(geometry=mapping(geom))
        )
    repo.name_change(session, changed_by=None, reason=None)
    version = repo.current_version(session, grid_id=grid_id)
    if version == current:
        notice = "边界与当前版本相同，未生成新版本"
    record(
        session, action="grid.redraw", object_type="grid", object_id=grid_id,
        before={"version": current}, after={"version": version, "snapped": snapped},
        region_path=grid.path, detail=f"调整网格“{grid.name}”边界：{data.reason}",
        **actor.audit_fields(),
    )  # fmt: skip
    return _saved(session, actor, grid_id, snapped=snapped, notice=notice)


def _saved(
    session: Session, actor: Actor, grid_id: int, *, snapped: bool, notice: str | None
) -> GridSaved:
    detail = get_grid(session, actor=actor, grid_id=grid_id)
    return GridSaved(**detail.model_dump(), snapped=snapped, notice=notice)


def _snapped(
    session: Session,
    geometry: dict[str, Any],
    *,
    community_id: int,
    self_id: int | None = None,
) -> tuple[BaseGeometry, bool, str | None]:
    """The submitted outline, validated, with vertices near a neighbour's or the
    community's boundary moved onto it; whether anything moved; the notice saying so."""
    outline = regions._outline(session, geometry, level=RegionLevel.GRID)
    metres = get_parameter(session, key="grid.snap_tolerance_m", region_id=community_id)
    if metres <= 0:
        return outline, False, None
    tolerance = metres / METRES_PER_DEGREE
    snapped, reference = repo.snap_to_neighbours(
        session, outline, community_id=community_id, self_id=self_id, tolerance=tolerance
    )
    if reference is not None:
        snapped = _vertices_onto(snapped, reference, tolerance)
    if shapely.equals_exact(snapped, outline, tolerance=0):
        return outline, False, None
    if not snapped.is_valid:
        # Snapping folded the outline (a spike along a neighbour): keep what was drawn.
        return outline, False, None
    notice = f"已将距相邻网格或社区边界 {metres:g} 米以内的顶点吸附到该边界上，使共用边完全重合"
    return snapped, True, notice


def _vertices_onto(geom: BaseGeometry, reference: BaseGeometry, tolerance: float) -> Any:
    """Vertices still near (not on) a reference edge move onto it: ST_Snap moves a vertex
    only to a reference vertex, not into the middle of a reference edge."""

    def move(coords: Any) -> list[tuple[float, float]]:
        out = []
        for x, y in coords:
            p = Point(x, y)
            d = reference.distance(p)
            if 0 < d <= tolerance:
                q = nearest_points(reference, p)[0]
                out.append((q.x, q.y))
            else:
                out.append((x, y))
        return out

    polygons = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    return MultiPolygon(
        [Polygon(move(p.exterior.coords), [move(r.coords) for r in p.interiors]) for p in polygons]
    )


@contextmanager
def _refusals(
    session: Session,
    geom: BaseGeometry,
    *,
    community_id: int,
    self_id: int | None,
    snapped: bool,
) -> Iterator[None]:
    """Region-rule refusals of an outline re-raised with the offending area (m² and
    geometry) so the screen can draw it."""
    try:
        yield
    except (regions.RegionRuleBroken, regions.InvalidGeometry) as e:
        area, geometry = repo.offending_area(
            session, geom, community_id=community_id, self_id=self_id
        )
        raise GridRuleBroken(
            e.detail, area_m2=area or None, geometry=geometry, snapped=snapped
        ) from e


# ---- members -----------------------------------------------------------------------------
def member_candidates(session: Session, *, actor: Actor, grid_id: int) -> list[MemberCandidate]:
    """Grid members of the grid's town who may be assigned to it."""
    actor.require(ASSIGN)
    grid = _visible_grid(session, actor, grid_id)
    rows = repo.candidate_rows(session, town_path=grid.town_path)
    return [MemberCandidate(**r._mapping) for r in rows]


def set_members(
    session: Session, *, actor: Actor, grid_id: int, data: GridMembersUpdate
) -> GridDetail:
    """Replace the grid's members: each holds the grid member role and belongs to the
    grid's town; at most one is responsible (audited 'grid.assign')."""
    actor.require(ASSIGN)
    grid = _visible_grid(session, actor, grid_id)
    repo.lock_region(session, grid_id)  # two assignments of one grid: one after the other
    wanted = [(m.user_id, m.is_responsible) for m in data.members]
    _check_members(session, actor, grid, wanted)
    before = [(m.user_id, m.is_responsible) for m in repo.member_rows(session, grid_id=grid_id)]
    repo.replace_members(session, grid_id=grid_id, members=wanted)
    responsible = next((u for u, r in wanted if r), None)
    record(
        session, action="grid.assign", object_type="grid", object_id=grid_id,
        before={"members": [u for u, _ in before],
                "responsible": next((u for u, r in before if r), None)},
        after={"members": [u for u, _ in wanted], "responsible": responsible},
        region_path=grid.path, detail=f"配置网格“{grid.name}”的网格员",
        **actor.audit_fields(),
    )  # fmt: skip
    return get_grid(session, actor=actor, grid_id=grid_id)


def _check_members(
    session: Session, actor: Actor, grid: Row[Any], wanted: list[tuple[int, bool]]
) -> None:
    ids = [u for u, _ in wanted]
    if len(set(ids)) != len(ids):
        raise GridRuleBroken("名单中有重复的人员，请每人只选一次")
    if sum(1 for _, r in wanted if r) > 1:
        raise GridRuleBroken("一个网格只能有一名责任网格员，其他人为协助网格员")
    facts = {f.id: f for f in repo.member_facts(session, user_ids=ids)}
    for user_id in ids:
        f = facts.get(user_id)
        if f is None or not (
            actor.is_district_wide or path_within(f.region_path, actor.region_path)
        ):
            raise NotFound(f"未找到人员（编号 {user_id}），或不在您的管辖范围内")
        if not f.is_member:
            raise GridRuleBroken(f"{f.display_name} 不是网格员，不能配置到网格")
        if not f.is_active:
            raise GridRuleBroken(f"{f.display_name} 的账号已停用，不能配置到网格")
        if not path_within(f.region_path, grid.town_path):
            raise GridRuleBroken(
                f"{f.display_name} 不属于“{grid.town_name}”，只能配置本镇（街道）的网格员"
            )
