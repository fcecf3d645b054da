"""Navigation (GIS-8): a route on the platform's street network, and coordinate
conversion for handing a destination to a Chinese map app (GCJ-02 / BD-09). Thin: parse,
authorise, call `geo.navigation` / `geo.core.coords`."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.auth import require
from api.deps import SessionDep
from geo.core import coords
from geo.core.actor import Actor
from geo.core.errors import DomainError
from geo.navigation.errors import RouteError
from geo.navigation.service import Mode, plan_route

router = APIRouter(prefix="/api/v1", tags=["navigation"])

Viewer = Annotated[Actor, Depends(require("map.view"))]
_LONLAT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
System = Literal["wgs84", "gcj02", "bd09"]


class MalformedPosition(DomainError):
    """A query parameter that is not "lon,lat" at all: a bad request, as for other
    malformed parameters (a well-formed position that breaks a rule is a 422)."""

    code = "InvalidParameterValue"
    status = 400


def _position(value: str, label: str) -> tuple[float, float]:
    match = _LONLAT.match(value)
    if not match:
        raise MalformedPosition(f"{label}格式应为“经度,纬度”，如 120.55,31.87；收到：{value[:40]}")
    return float(match[1]), float(match[2])


@router.get(
    "/navigation/route",
    summary="路径规划（步行 / 驾车）",
    description="在本平台的道路网上计算最短路线，返回 GeoJSON Feature（LineString，经纬度），"
    "属性 length_m（米）、duration_s（秒）、start_snap_m / end_snap_m（起终点到最近道路点的距离）"
    "与 notes（如“当前位置不在道路上，路线从最近的道路点出发”）。驾车不逆行单行道。",
)
def route(
    _actor: Viewer,
    session: SessionDep,
    origin: Annotated[str, Query(alias="from", max_length=60, description="起点：经度,纬度")],
    destination: Annotated[str, Query(alias="to", max_length=60, description="终点：经度,纬度")],
    mode: Annotated[Mode, Query(description="walk 步行，drive 驾车")] = Mode.WALK,
) -> dict[str, Any]:
    start, end = _position(origin, "起点"), _position(destination, "终点")
    return plan_route(session, origin=start, destination=end, mode=mode).feature()


class Converted(BaseModel):
    lon: float
    lat: float
    system: System


@router.get(
    "/coords/convert",
    response_model=Converted,
    summary="坐标转换（WGS84 / GCJ-02 / BD-09）",
    description="WGS84 与本平台的 CGCS2000 数值一致；GCJ-02 为高德、腾讯地图所用，"
    "BD-09 为百度地图所用。",
)
def convert(
    _actor: Viewer,
    source: Annotated[System, Query(alias="from", description="原坐标系")],
    target: Annotated[System, Query(alias="to", description="目标坐标系")],
    lon: Annotated[float, Query(ge=-180, le=180, description="经度")],
    lat: Annotated[float, Query(ge=-90, le=90, description="纬度")],
) -> Converted:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise RouteError("经纬度必须是有限的数值")
    x, y = coords.convert(lon, lat, source, target)
    return Converted(lon=round(x, 7), lat=round(y, 7), system=target)
