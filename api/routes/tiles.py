"""Vector tiles and TileJSON.

Tiles carry data: they need sign-in and `map.view`, and business layers are cut to the
caller's region subtree. TileJSON only describes a source (fields, zooms, the district's
outline box) and stays public, like the style.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import JSONResponse, Response

from api.auth import require
from api.deps import SessionDep, base_url
from geo.core.actor import Actor
from tiles.cache import TileCache
from tiles.service import get_tile
from tiles.tilejson import tilejson

router = APIRouter(tags=["矢量瓦片"])
MVT = "application/vnd.mapbox-vector-tile"
# Clients revalidate every time (cheap with the ETag): a dispatcher never sees a stale event.
# `private`: a tile is cut to the caller's scope, so no shared cache may keep it.
CACHE_CONTROL = "private, no-cache"
MapViewer = Annotated[Actor, Depends(require("map.view"))]


def tile_cache(request: Request) -> TileCache:
    return request.app.state.tile_cache  # type: ignore[no-any-return]


@router.get(
    "/tiles/{source}/{z}/{x}/{y}.mvt",
    summary="矢量瓦片（MVT）",
    response_class=Response,
    responses={
        200: {"content": {MVT: {}}},
        204: {"description": "该范围没有要素"},
        304: {"description": "未变化"},
    },
)
def tile(
    source: Annotated[str, Path(description="图层编号，或 basemap（底图）")],
    z: int,
    x: int,
    y: int,
    request: Request,
    session: SessionDep,
    actor: MapViewer,
    if_none_match: Annotated[str | None, Header()] = None,
    accept_encoding: Annotated[str | None, Header()] = None,
) -> Response:
    found = get_tile(session, tile_cache(request), source, z, x, y, actor=actor)
    zipped = bool(found.data) and accepts_gzip(accept_encoding)
    # Each encoding is its own representation, so each has its own strong validator.
    etag = found.etag[:-1] + '-gz"' if zipped else found.etag
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if if_none_match and matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    if not found.data:
        return Response(status_code=204, headers=headers)
    if zipped:
        return Response(
            found.gzipped, media_type=MVT, headers={**headers, "Content-Encoding": "gzip"}
        )
    return Response(found.data, media_type=MVT, headers=headers)


def matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison: `W/` prefixes are ignored, `*` matches anything."""
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


def accepts_gzip(accept_encoding: str | None) -> bool:
    for item in (accept_encoding or "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params or float(q) > 0
            except ValueError:
                return False
    return False


@router.get("/tiles/{source}.json", summary="TileJSON 3.0.0")
def tile_json(source: str, request: Request, session: SessionDep) -> Any:
    return JSONResponse(tilejson(session, source, base_url(request)))
