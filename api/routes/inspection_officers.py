"""执法人员 (DR-3, GIS-6): the officer register with enforcement areas, officer types
(a code list district administrators extend) and conflicts (回避). Thin: each route
authorises, calls one service function and shapes the answer; a refused area answers 422
with the part outside for the map."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.inspection import officer_types, officers
from geo.inspection.officer_schemas import (
    AreaPreview,
    AreaPreviewIn,
    AreaRefusal,
    ConflictCreate,
    ConflictRead,
    EnterpriseOption,
    OfficerCandidate,
    OfficerCreate,
    OfficerDetail,
    OfficerPage,
    OfficerTypeCreate,
    OfficerTypeRead,
    OfficerTypeUpdate,
    OfficerUpdate,
)
from geo.inspection.register_rules import CONFIGURE, MAX_PAGE, VIEW, AreaRefused

router = APIRouter(prefix="/api/v1/inspection", tags=["inspection"])

Viewer = Annotated[Actor, Depends(require(VIEW))]
Configurer = Annotated[Actor, Depends(require(CONFIGURE))]
OfficerId = Annotated[int, Path(ge=1, le=2**62, description="执法人员编号")]
TypeCode = Annotated[str, Path(min_length=1, max_length=32, description="类型代码")]
Search = Annotated[str | None, Query(max_length=50, description="关键字")]
REFUSED: dict[int | str, dict[str, Any]] = {
    422: {
        "model": AreaRefusal,
        "description": "执法区域不符合规则：原因及越界部分（可在地图上标出）",
    }
}


def _refusal(e: AreaRefused) -> JSONResponse:
    body = AreaRefusal(code=e.code, detail=e.detail, area_m2=e.area_m2, geometry=e.geometry)
    return JSONResponse(body.model_dump(), status_code=e.status)


# ---- officer types -------------------------------------------------------------------------
@router.get("/officer-types", summary="执法人员类型（代码项）")
def list_officer_types(actor: Viewer, session: SessionDep) -> list[OfficerTypeRead]:
    return officer_types.list_officer_types(session, actor=actor)


@router.post("/officer-types", status_code=201, summary="新增执法人员类型（区级）")
def create_officer_type(
    body: OfficerTypeCreate, actor: Configurer, session: SessionDep
) -> OfficerTypeRead:
    return officer_types.create_officer_type(session, actor=actor, data=body)


@router.put("/officer-types/{code}", summary="修改执法人员类型（区级）")
def update_officer_type(
    code: TypeCode, body: OfficerTypeUpdate, actor: Configurer, session: SessionDep
) -> OfficerTypeRead:
    return officer_types.update_officer_type(session, actor=actor, code=code, data=body)


@router.delete("/officer-types/{code}", status_code=204, summary="删除执法人员类型（未使用时）")
def delete_officer_type(code: TypeCode, actor: Configurer, session: SessionDep) -> Response:
    officer_types.delete_officer_type(session, actor=actor, code=code)
    return Response(status_code=204)


# ---- officers ------------------------------------------------------------------------------
@router.get("/officer-candidates", summary="可登记为执法人员的用户（本辖区内，按姓名查找）")
def officer_candidates(
    actor: Configurer,
    session: SessionDep,
    q: Search = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[OfficerCandidate]:
    return officers.officer_candidates(session, actor=actor, q=q, limit=limit)


@router.get("/officers", summary="执法人员列表（本辖区内，游标分页；可按位置筛选可派人员）")
def list_officers(
    actor: Viewer,
    session: SessionDep,
    keyword: Annotated[
        str | None, Query(max_length=50, description="姓名、用户名或执法证号")
    ] = None,
    officer_type: Annotated[str | None, Query(max_length=32, description="类型代码")] = None,
    department_id: Annotated[int | None, Query(ge=1, le=2**62, description="所在部门")] = None,
    active: Annotated[bool | None, Query(description="是否在岗")] = None,
    lon: Annotated[float | None, Query(ge=-1000, le=1000, description="执法区域覆盖的经度")] = None,
    lat: Annotated[float | None, Query(ge=-1000, le=1000, description="执法区域覆盖的纬度")] = None,
    cursor: Annotated[str | None, Query(max_length=20, description="上一页的 next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> OfficerPage:
    return officers.list_officers(
        session, actor=actor, keyword=keyword, officer_type=officer_type,
        department_id=department_id, active=active, lon=lon, lat=lat, cursor=cursor,
        limit=limit,
    )  # fmt: skip


@router.post(
    "/officers/area-preview", summary="预览所选区划合并后的执法区域", responses=REFUSED,
    response_model=AreaPreview,
)  # fmt: skip
def preview_area(body: AreaPreviewIn, actor: Configurer, session: SessionDep) -> Any:
    try:
        return officers.preview_area(session, actor=actor, data=body)
    except AreaRefused as e:
        return _refusal(e)


@router.get("/officers/{officer_id}", summary="执法人员详情（执法区域 GeoJSON、回避关系）")
def get_officer(officer_id: OfficerId, actor: Viewer, session: SessionDep) -> OfficerDetail:
    return officers.get_officer(session, actor=actor, officer_id=officer_id)


@router.post(
    "/officers", status_code=201, summary="登记执法人员（区域：绘制或选择区划，二选一）",
    responses={**REFUSED, 409: {"description": "该用户已登记为执法人员"}},
    response_model=OfficerDetail,
)  # fmt: skip
def create_officer(body: OfficerCreate, actor: Configurer, session: SessionDep) -> Any:
    try:
        return officers.create_officer(session, actor=actor, data=body)
    except AreaRefused as e:
        return _refusal(e)


@router.put(
    "/officers/{officer_id}", summary="修改执法人员（整体替换类型、证号、状态与执法区域）",
    responses=REFUSED, response_model=OfficerDetail,
)  # fmt: skip
def update_officer(
    officer_id: OfficerId, body: OfficerUpdate, actor: Configurer, session: SessionDep
) -> Any:
    try:
        return officers.update_officer(session, actor=actor, officer_id=officer_id, data=body)
    except AreaRefused as e:
        return _refusal(e)


@router.delete("/officers/{officer_id}", status_code=204, summary="删除执法人员登记")
def delete_officer(officer_id: OfficerId, actor: Configurer, session: SessionDep) -> Response:
    officers.delete_officer(session, actor=actor, officer_id=officer_id)
    return Response(status_code=204)


# ---- conflicts (回避) ----------------------------------------------------------------------
@router.get("/officers/{officer_id}/conflicts", summary="执法人员的回避关系")
def list_conflicts(officer_id: OfficerId, actor: Viewer, session: SessionDep) -> list[ConflictRead]:
    return officers.list_conflicts(session, actor=actor, officer_id=officer_id)


@router.get(
    "/officers/{officer_id}/conflict-candidates",
    summary="可登记回避的企业（按名称、地址或信用代码）",
)
def conflict_options(
    officer_id: OfficerId,
    actor: Configurer,
    session: SessionDep,
    q: Search = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[EnterpriseOption]:
    return officers.conflict_options(session, actor=actor, officer_id=officer_id, q=q, limit=limit)


@router.post(
    "/officers/{officer_id}/conflicts", status_code=201, summary="登记回避关系（与某企业相关）"
)
def add_conflict(
    officer_id: OfficerId, body: ConflictCreate, actor: Configurer, session: SessionDep
) -> list[ConflictRead]:
    return officers.add_conflict(session, actor=actor, officer_id=officer_id, data=body)


@router.delete(
    "/officers/{officer_id}/conflicts/{enterprise_id}", status_code=204, summary="解除回避关系"
)
def remove_conflict(
    officer_id: OfficerId,
    enterprise_id: Annotated[int, Path(ge=1, le=2**62, description="企业编号")],
    actor: Configurer,
    session: SessionDep,
) -> Response:
    officers.remove_conflict(
        session, actor=actor, officer_id=officer_id, enterprise_id=enterprise_id
    )
    return Response(status_code=204)
