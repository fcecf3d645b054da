"""OGC API – Features, Part 1 Core, with GeoJSON, for every layer of the registry.

Readable by GDAL's OAPIF driver, QGIS and OWSLib. Paging follows `next` links that carry a
keyset cursor; property filters are `?name=value` on the layer's queryable properties.

The landing page, conformance and the OpenAPI document hold no data and stay public (a
client discovers the service before it signs in). The collections, their extents and
their features need sign-in (bearer token or session cookie) and `map.view`, and show
only the rows of the caller's region subtree (SYS-10).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api import ui
from api.auth import require
from api.deps import SessionDep, base_url
from geo.core.actor import Actor
from geo.core.settings import get_app_settings
from geo.feature import repository
from geo.feature.errors import FeatureNotFound, UnknownCollection
from geo.feature.query import CRS84, parse_id, parse_query
from geo.layers import LAYERS, Layer

router = APIRouter(tags=["OGC API – Features"])

GEOJSON = "application/geo+json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
CollectionId = Annotated[str, Path(description="图层编号，如 events、grids")]
MapViewer = Annotated[Actor, Depends(require("map.view"))]


def _layer(collection_id: str) -> Layer:
    layer = LAYERS.get(collection_id)
    if layer is None:
        raise UnknownCollection(f"没有图层 {collection_id!r}。可用图层：{'、'.join(LAYERS)}")
    return layer


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def _wants_html(request: Request) -> bool:
    if request.query_params.get("f") == "html":
        return True
    if request.query_params.get("f") in ("json", "geojson"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept.split("text/html")[0]


@router.get("/", summary="服务首页（OGC landing page）", response_model=None)
def landing(request: Request) -> Any:
    base = base_url(request)
    settings = get_app_settings()
    body = {
        "title": settings.title,
        "description": "乡镇综合指挥平台的空间数据服务（OGC API – Features）",
        "links": [
            _link(f"{base}/", "self", "application/json", "本页"),
            _link(
                f"{base}/openapi.json",
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.1",
                "接口定义（OpenAPI）",
            ),
            _link(f"{base}/docs", "service-doc", "text/html", "接口文档"),
            _link(f"{base}/conformance", "conformance", "application/json", "符合的标准"),
            _link(f"{base}/collections", "data", "application/json", "图层列表"),
        ],
    }
    if _wants_html(request):
        # Browsers get the map; `?f=html` shows this service's own page.
        page = None if request.query_params.get("f") == "html" else ui.index()
        return page or HTMLResponse(_landing_html(body, base))
    return JSONResponse(body)


@router.get("/conformance", summary="符合的标准")
def conformance() -> dict[str, list[str]]:
    return {"conformsTo": CONFORMANCE}


def _collection(layer: Layer, found: repository.Extent, base: str) -> dict[str, Any]:
    href = f"{base}/collections/{layer.id}"
    extent: dict[str, Any] = {}
    if found.bbox:
        extent["spatial"] = {"bbox": [found.bbox], "crs": CRS84}
    if found.interval:
        extent["temporal"] = {"interval": [[t.isoformat() for t in found.interval]]}
    return {
        "id": layer.id,
        "title": layer.title,
        "description": layer.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent,
        "links": [
            _link(href, "self", "application/json", layer.title),
            _link(f"{href}/items", "items", GEOJSON, f"{layer.title}要素"),
        ],
    }


@router.get("/collections", summary="图层列表")
def collections(request: Request, session: SessionDep, actor: MapViewer) -> dict[str, Any]:
    base = base_url(request)
    found = repository.extents(session, LAYERS.values(), actor=actor)
    return {
        "links": [_link(f"{base}/collections", "self", "application/json", "图层列表")],
        "collections": [_collection(layer, found[layer.id], base) for layer in LAYERS.values()],
    }


@router.get("/collections/{collection_id}", summary="图层说明")
def collection(
    collection_id: CollectionId, request: Request, session: SessionDep, actor: MapViewer
) -> dict[str, Any]:
    layer = _layer(collection_id)
    found = repository.extents(session, [layer], actor=actor)[layer.id]
    return _collection(layer, found, base_url(request))


@router.get(
    "/collections/{collection_id}/items",
    summary="图层要素（GeoJSON，分页）",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def items(
    collection_id: CollectionId,
    request: Request,
    session: SessionDep,
    actor: MapViewer,
    limit: Annotated[int | None, Query(description="每页条数，最多 10000")] = None,
    bbox: Annotated[str | None, Query(description="最小经度,最小纬度,最大经度,最大纬度")] = None,
    interval: Annotated[
        str | None,
        Query(alias="datetime", description="时间或区间，如 2026-01-01/2026-03-31"),
    ] = None,
    cursor: Annotated[str | None, Query(description="翻页游标（取自 next 链接）")] = None,
) -> Response:
    layer = _layer(collection_id)
    settings = get_app_settings()
    params = dict(request.query_params)
    q = parse_query(
        layer, params, default_limit=settings.default_page_size, max_limit=settings.max_page_size
    )
    features, next_cursor = repository.fetch_items(session, layer, q, actor=actor)
    href = f"{base_url(request)}/collections/{layer.id}/items"
    links = [
        _link(_with_params(href, params), "self", GEOJSON, "本页"),
        _link(f"{base_url(request)}/collections/{layer.id}", "collection", "application/json"),
    ]
    if next_cursor is not None:
        links.append(
            _link(
                _with_params(href, {**params, "cursor": str(next_cursor)}),
                "next",
                GEOJSON,
                "下一页",
            )
        )
    return Response(_feature_collection(features, links), media_type=GEOJSON)


def _feature_collection(features: list[str], links: list[dict[str, str]]) -> str:
    """Wrap the feature texts PostGIS built, without parsing them again in Python."""
    envelope = json.dumps(
        {
            "type": "FeatureCollection",
            "numberReturned": len(features),
            "timeStamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "links": links,
            "features": [],
        },
        ensure_ascii=False,
    )
    return envelope[: -len("]}")] + ",".join(features) + "]}"


def _with_params(href: str, params: dict[str, str]) -> str:
    return f"{href}?{urlencode(params)}" if params else href


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="单个要素",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def item(
    collection_id: CollectionId,
    feature_id: Annotated[str, Path(description="要素编号")],
    request: Request,
    session: SessionDep,
    actor: MapViewer,
) -> Response:
    layer = _layer(collection_id)
    id_ = parse_id(feature_id)
    found = repository.fetch_item(session, layer, id_, actor=actor) if id_ is not None else None
    if found is None:  # out of scope reads exactly like a missing id: nothing is revealed
        raise FeatureNotFound(f"{layer.title}中没有编号为 {feature_id} 的要素")
    href = f"{base_url(request)}/collections/{layer.id}"
    links = json.dumps(
        [
            _link(f"{href}/items/{feature_id}", "self", GEOJSON),
            _link(href, "collection", "application/json", layer.title),
        ],
        ensure_ascii=False,
    )
    # Append the links member to the feature object PostGIS built.
    return Response(found[: -len("}")] + f', "links" : {links}}}', media_type=GEOJSON)


def _landing_html(body: dict[str, Any], base: str) -> str:
    rows = "".join(
        f'<tr><td><a href="{base}/collections/{layer.id}/items?limit=10">{escape(layer.title)}</a>'
        f"</td><td><code>{layer.id}</code></td><td>{escape(layer.description)}</td></tr>"
        for layer in LAYERS.values()
    )
    links = "".join(
        f'<li><a href="{escape(link["href"])}">{escape(link.get("title", link["rel"]))}</a></li>'
        for link in body["links"]
    )
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{escape(body["title"])}</title>
<style>body{{font-family:sans-serif;margin:2rem auto;max-width:60rem;color:#222}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left}}code{{background:#f3f3f3;padding:0 .3rem}}</style></head><body>
<h1>{escape(body["title"])}</h1><p>{escape(body["description"])}</p><ul>{links}</ul>
<h2>图层</h2><table><tr><th>名称</th><th>编号</th><th>说明</th></tr>{rows}</table>
</body></html>"""
