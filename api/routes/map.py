"""What the map shell reads besides tiles: the style, the layer catalogue, search, regions.

The style holds no data (public, like TileJSON); the catalogue, search and region tree
need sign-in and `map.view`, and search and regions answer within the caller's scope.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api.auth import require
from api.deps import SessionDep, base_url
from geo.core.actor import Actor
from geo.event.repository import category_names
from geo.feature.search import search
from geo.region.repository import region_tree
from tiles.style import layer_catalogue, style

router = APIRouter(tags=["地图"])
MapViewer = Annotated[Actor, Depends(require("map.view"))]


@router.get("/map/style.json", summary="地图样式（MapLibre）")
def map_style(request: Request) -> dict[str, Any]:
    return style(base_url(request))


@router.get("/api/v1/layers", summary="图层目录（分组、属性中文名与取值、图例）")
def layers(session: SessionDep, actor: MapViewer) -> list[dict[str, Any]]:
    return layer_catalogue(category_names(session))


@router.get("/api/v1/search", summary="按名称或地址查找（本辖区内）")
def find(
    session: SessionDep,
    actor: MapViewer,
    q: Annotated[str, Query(description="名称或地址中的文字")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    return {"results": search(session, q, limit, actor=actor)}


@router.get("/api/v1/regions", summary="区划树（镇街 → 社区 → 网格，本辖区内）")
def regions(session: SessionDep, actor: MapViewer) -> list[dict[str, Any]]:
    return region_tree(session, actor=actor)
