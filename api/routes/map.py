"""What the map shell reads besides tiles: the style, the layer catalogue, search, regions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.deps import SessionDep, base_url
from geo.event.repository import category_names
from geo.feature.search import search
from geo.region.repository import region_tree
from tiles.style import layer_catalogue, style

router = APIRouter(tags=["地图"])


@router.get("/map/style.json", summary="地图样式（MapLibre）")
def map_style(request: Request) -> dict[str, Any]:
    return style(base_url(request))


@router.get("/api/v1/layers", summary="图层目录（分组、属性中文名与取值、图例）")
def layers(session: SessionDep) -> list[dict[str, Any]]:
    return layer_catalogue(category_names(session))


@router.get("/api/v1/search", summary="按名称或地址查找")
def find(
    session: SessionDep,
    q: Annotated[str, Query(description="名称或地址中的文字")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    return {"results": search(session, q, limit)}


@router.get("/api/v1/regions", summary="区划树（镇街 → 社区 → 网格）")
def regions(session: SessionDep) -> list[dict[str, Any]]:
    return region_tree(session)
