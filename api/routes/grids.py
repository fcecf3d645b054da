"""Grid administration (网格管理, GIS-4, GM-12): the grids of one's scope, drawing and
redrawing their outlines (boundary versions), and assigning grid members. Thin: each
route authorises, calls one service function and shapes the answer; a refused outline
answers 422 with the offending area for the map."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from api.auth import require, require_any
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.grid import service
from geo.grid.schemas import (
    MAX_PAGE,
    GridCreate,
    GridDetail,
    GridGeometryUpdate,
    GridMembersUpdate,
    GridPage,
    GridRefusal,
    GridSaved,
    GridVersionDetail,
    GridVersionRead,
    MemberCandidate,
)

router = APIRouter(prefix="/api/v1/grids", tags=["grids"])


Viewer = Annotated[Actor, Depends(require_any("system.region.view", "grid.assign"))]
Drawer = Annotated[Actor, Depends(require("grid.edit"))]
Assigner = Annotated[Actor, Depends(require("grid.assign"))]
GridId = Annotated[int, Path(ge=1, le=2**62, description="网格编号")]
REFUSED: dict[int | str, dict[str, Any]] = {
    422: {
        "model": GridRefusal,
        "description": "边界不符合规则：原因及越界或重叠部分（可在地图上标出）",
    }
}


def _refusal(e: service.GridRuleBroken) -> JSONResponse:
    body = GridRefusal(
        code=e.code, detail=e.detail, area_m2=e.area_m2, geometry=e.geometry, snapped=e.snapped
    )
    return JSONResponse(body.model_dump(), status_code=e.status)


@router.get("", summary="网格列表（本辖区内，按编码排序，游标分页）")
def list_grids(
    actor: Viewer,
    session: SessionDep,
    community_id: Annotated[int | None, Query(ge=1, le=2**62, description="所属社区/村")] = None,
    keyword: Annotated[str | None, Query(max_length=50, description="名称或编码关键字")] = None,
    cursor: Annotated[str | None, Query(max_length=20, description="上一页的 next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> GridPage:
    return service.list_grids(
        session, actor=actor, community_id=community_id, keyword=keyword, cursor=cursor,
        limit=limit,
    )  # fmt: skip


@router.get("/outlines", summary="某社区的全部网格边界（GeoJSON 要素集合，供绘图地图使用）")
def grid_outlines(
    actor: Viewer,
    session: SessionDep,
    community_id: Annotated[int, Query(ge=1, le=2**62, description="社区/村编号")],
) -> dict[str, Any]:
    return service.grid_outlines(session, actor=actor, community_id=community_id)


@router.get("/{grid_id}", summary="网格详情（当前边界、网格员、边界版本）")
def get_grid(grid_id: GridId, actor: Viewer, session: SessionDep) -> GridDetail:
    return service.get_grid(session, actor=actor, grid_id=grid_id)


@router.post(
    "", status_code=201, summary="新建网格（编码自动生成；顶点自动吸附相邻边界）",
    responses=REFUSED, response_model=GridSaved,
)  # fmt: skip
def create_grid(body: GridCreate, actor: Drawer, session: SessionDep) -> Any:
    try:
        return service.create_grid(session, actor=actor, data=body)
    except service.GridRuleBroken as e:
        return _refusal(e)


@router.put(
    "/{grid_id}/geometry",
    summary="调整网格边界（生成新的边界版本；expected_version 防止覆盖他人修改）",
    responses={**REFUSED, 409: {"description": "边界已被他人修改，请刷新"}},
    response_model=GridSaved,
)  # fmt: skip
def redraw_grid(
    grid_id: GridId, body: GridGeometryUpdate, actor: Drawer, session: SessionDep
) -> Any:
    try:
        return service.redraw_grid(session, actor=actor, grid_id=grid_id, data=body)
    except service.GridRuleBroken as e:
        return _refusal(e)


@router.get("/{grid_id}/versions", summary="网格边界版本列表（新版本在前）")
def list_versions(grid_id: GridId, actor: Viewer, session: SessionDep) -> list[GridVersionRead]:
    return service.list_versions(session, actor=actor, grid_id=grid_id)


@router.get("/{grid_id}/versions/{version}", summary="某一版本的网格边界")
def get_version(
    grid_id: GridId,
    version: Annotated[int, Path(ge=1, le=2**31 - 1, description="版本号")],
    actor: Viewer,
    session: SessionDep,
) -> GridVersionDetail:
    return service.get_version(session, actor=actor, grid_id=grid_id, version=version)


@router.get("/{grid_id}/member-candidates", summary="可配置到该网格的网格员（本镇街）")
def member_candidates(
    grid_id: GridId, actor: Assigner, session: SessionDep
) -> list[MemberCandidate]:
    return service.member_candidates(session, actor=actor, grid_id=grid_id)


@router.put(
    "/{grid_id}/members", summary="配置网格员（整体替换名单；至多一名责任网格员）",
    responses={422: {"model": GridRefusal, "description": "名单不符合规则"}},
)  # fmt: skip
def set_members(
    grid_id: GridId, body: GridMembersUpdate, actor: Assigner, session: SessionDep
) -> GridDetail:
    return service.set_members(session, actor=actor, grid_id=grid_id, data=body)
