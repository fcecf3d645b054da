"""Map exports (GIS-11): a region as a standalone HTML map that works offline."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.feature.export import render_region_map

router = APIRouter(prefix="/api/v1/maps", tags=["maps"])
MapExporter = Annotated[Actor, Depends(require("map.export"))]


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """`attachment` with an ASCII name for old clients and the UTF-8 name (RFC 6266/5987)."""
    return f"attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/export.html",
    summary="导出区划专题图（单个 HTML 文件，离线可用）",
    response_class=HTMLResponse,
    responses={404: {"description": "区划不存在或不在您的管辖范围内"}},
)
def export_region_map(
    session: SessionDep,
    actor: MapExporter,
    region_id: Annotated[
        int, Query(description="区划编号（网格、社区或镇街的 id）", ge=1, le=2**63 - 1)
    ],
) -> HTMLResponse:
    result = render_region_map(session, region_id, actor=actor)
    return HTMLResponse(
        result.html,
        headers={
            "Content-Disposition": content_disposition(result.filename, result.ascii_filename),
            "Cache-Control": "no-store",
        },
    )
