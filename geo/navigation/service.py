"""Routes for field staff (GIS-8): from where they stand to an enterprise, a site or an
event, along the platform's own streets — no map service on the internet is needed.

A position off the network (in a courtyard, a field) starts or ends at the nearest street
point, and the answer says how far that is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shapely.geometry import Point
from sqlalchemy.orm import Session

from geo.core.geometry import GeometryError, load_governed_area, validate_geometry
from geo.navigation import repository as repo
from geo.navigation.errors import RouteError

OFF_NETWORK_M = 20.0  # farther from a street than this, the answer says so


class Mode(StrEnum):
    WALK = "walk"  # 步行
    DRIVE = "drive"  # 驾车


@dataclass(frozen=True)
class Route:
    geometry: dict[str, Any]
    length_m: float
    duration_s: float
    mode: Mode
    start_snap_m: float
    end_snap_m: float
    notes: list[str] = field(default_factory=list)

    def feature(self) -> dict[str, Any]:
        """The route as a GeoJSON Feature (RFC 7946, lon/lat)."""
        return {
            "type": "Feature",
            "geometry": self.geometry,
            "properties": {
                "length_m": round(self.length_m, 1),
                "duration_s": round(self.duration_s),
                "mode": self.mode.value,
                "start_snap_m": round(self.start_snap_m, 1),
                "end_snap_m": round(self.end_snap_m, 1),
                "notes": self.notes,
            },
        }


def plan_route(
    session: Session, *, origin: tuple[float, float], destination: tuple[float, float], mode: Mode
) -> Route:
    """The shortest route on the street network between two lon/lat positions."""
    area = load_governed_area(session)
    _check(origin, area, "起点")
    _check(destination, area, "终点")
    start = _snap(session, origin)
    end = _snap(session, destination)
    if start.street_id == end.street_id and abs(start.fraction - end.fraction) < 1e-9:
        raise RouteError("起点与终点在道路上是同一位置，无需导航")
    path = repo.shortest_path(session, start=start, end=end, mode=mode.value)
    if path is None:
        raise RouteError(
            f"从起点（{start.street_name}）沿道路无法到达终点（{end.street_name}）"
            + ("：可能受单行道限制，可改为步行" if mode is Mode.DRIVE else "")
        )
    return Route(
        geometry=json.loads(path.geojson),
        length_m=path.length_m,
        duration_s=path.duration_s,
        mode=mode,
        start_snap_m=start.snap_m,
        end_snap_m=end.snap_m,
        notes=_notes(start, end),
    )


def _check(position: tuple[float, float], area: Any, label: str) -> None:
    try:
        validate_geometry(Point(*position), expected="Point", governed_area=area)
    except GeometryError as e:
        raise RouteError(f"{label}位置无效：{e.message}") from None


def _snap(session: Session, position: tuple[float, float]) -> repo.StreetPoint:
    point = repo.nearest_street_point(session, lon=position[0], lat=position[1])
    if point is None:
        raise RouteError("路网为空：尚未导入道路数据，无法规划路线")
    return point


def _notes(start: repo.StreetPoint, end: repo.StreetPoint) -> list[str]:
    notes = []
    if start.snap_m > OFF_NETWORK_M:
        notes.append(
            f"当前位置不在道路上，路线从最近的道路点出发（{start.street_name}，"
            f"距当前位置约 {start.snap_m:.0f} 米）"
        )
    if end.snap_m > OFF_NETWORK_M:
        notes.append(
            f"目的地不在道路上，路线终止于最近的道路点（{end.street_name}，"
            f"距目的地约 {end.snap_m:.0f} 米）"
        )
    return notes
