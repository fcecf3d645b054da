"""Patrol plans (巡检任务) and check-ins (巡检登记), LE-8: planners create daily and special
plans and follow their progress; officers see today's patrols and check in with their
position and photos. Thin: parse, authorise, call `geo.patrol`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.auth import require, require_any
from api.deps import SessionDep
from api.routes.event_photos import IMMUTABLE, StoreDep
from geo.core.actor import Actor
from geo.file.settings import get_file_settings
from geo.patrol import checkins, service
from geo.patrol.models import PlanKind
from geo.patrol.schemas import (
    MAX_ASSIGNMENT_PAGE,
    MAX_PAGE,
    AssignmentPage,
    CheckInCreate,
    CheckInDetail,
    CheckInPage,
    CheckInSaved,
    MyPatrols,
    NearbyEnterprise,
    OfficerOption,
    PhotoRead,
    PlanCreate,
    PlanPage,
    PlanRead,
    RouteOption,
)

router = APIRouter(prefix="/api/v1", tags=["patrols"])


Planner = Annotated[Actor, Depends(require("patrol.plan"))]
Patroller = Annotated[Actor, Depends(require("patrol.perform"))]
Reader = Annotated[Actor, Depends(require_any("patrol.perform", "patrol.plan"))]
Id = Annotated[int, Path(ge=1, le=2**62)]
Cursor = Annotated[str | None, Query(max_length=60)]
OfficerFilter = Annotated[int | None, Query(ge=1, le=2**62, description="执法队员")]
PlanFilter = Annotated[int | None, Query(ge=1, le=2**62, description="巡检任务")]


# ---- plans -------------------------------------------------------------------------------
@router.get("/patrol-plans", response_model=PlanPage, summary="巡检任务列表")
def list_plans(
    actor: Planner,
    session: SessionDep,
    kind: Annotated[PlanKind | None, Query(description="daily 日常巡检 | special 专项检查")] = None,
    q: Annotated[str | None, Query(max_length=100, description="名称关键字")] = None,
    active: Annotated[bool | None, Query(description="是否进行中")] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> PlanPage:
    return service.list_plans(
        session, actor=actor, kind=kind, keyword=q, active=active, cursor=cursor, limit=limit
    )


@router.post(
    "/patrol-plans",
    response_model=PlanRead,
    status_code=201,
    summary="新增巡检任务",
    description="日常巡检：officer_ids、weekdays（1=星期一）、start_date、end_date，可选 route_id；"
    "专项检查：enterprise_category、region_id（默认本人辖区），区域内该类企业逐一分配给执法区域覆盖它的"
    "执法人员（负荷少者优先）；无人覆盖的企业也列出并注明原因（unmatched_count）。",
)
def create_plan(body: PlanCreate, actor: Planner, session: SessionDep) -> PlanRead:
    return service.create_plan(session, actor=actor, data=body)


@router.get(
    "/patrol-plans/officers", response_model=list[OfficerOption], summary="可安排巡检的执法队员"
)
def officer_options(actor: Planner, session: SessionDep) -> list[OfficerOption]:
    return service.officer_options(session, actor=actor)


@router.get("/patrol-plans/routes", response_model=list[RouteOption], summary="可选的巡查路线")
def route_options(
    actor: Planner,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100, description="名称关键字")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[RouteOption]:
    return service.route_options(session, actor=actor, keyword=q, limit=limit)


@router.get("/patrol-plans/{plan_id}", response_model=PlanRead, summary="巡检任务详情")
def get_plan(plan_id: Id, actor: Planner, session: SessionDep) -> PlanRead:
    return service.get_plan(session, actor=actor, plan_id=plan_id)


@router.get(
    "/patrol-plans/{plan_id}/assignments",
    response_model=AssignmentPage,
    summary="巡检任务的分配与进度",
)
def list_assignments(
    plan_id: Id,
    actor: Planner,
    session: SessionDep,
    unmatched: Annotated[bool, Query(description="只看未分配（无人覆盖）的企业")] = False,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ASSIGNMENT_PAGE)] = 500,
) -> AssignmentPage:
    return service.list_assignments(
        session, actor=actor, plan_id=plan_id, unmatched_only=unmatched, cursor=cursor,
        limit=limit,
    )  # fmt: skip


@router.post("/patrol-plans/{plan_id}/stop", response_model=PlanRead, summary="停止巡检任务")
def stop_plan(plan_id: Id, actor: Planner, session: SessionDep) -> PlanRead:
    return service.stop_plan(session, actor=actor, plan_id=plan_id)


# ---- officers ----------------------------------------------------------------------------
@router.get("/patrols/today", response_model=MyPatrols, summary="我今天的巡检")
def my_patrols(
    actor: Patroller,
    session: SessionDep,
    day: Annotated[date | None, Query(description="日期，默认今天")] = None,
) -> MyPatrols:
    return checkins.my_patrols(session, actor=actor, day=day)


@router.get(
    "/patrols/nearby-enterprises",
    response_model=list[NearbyEnterprise],
    summary="附近的企业",
    description="本人辖区内离当前位置（经度、纬度）最近的企业，由近及远，供巡检登记选择所检查的企业。",
)
def nearby_enterprises(
    actor: Patroller,
    session: SessionDep,
    lon: Annotated[float, Query(allow_inf_nan=False, description="经度")],
    lat: Annotated[float, Query(allow_inf_nan=False, description="纬度")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[NearbyEnterprise]:
    return checkins.nearby_enterprises(session, actor=actor, lon=lon, lat=lat, limit=limit)


@router.post(
    "/patrol-check-ins",
    response_model=CheckInSaved,
    status_code=201,
    summary="巡检登记",
    description="当前位置（经度、纬度）与定位精度（米）、所检查的企业（专项检查必填）、检查情况、"
    "是否发现问题。专项检查在企业到场范围内登记即完成该企业的检查。照片另行上传。",
)
def check_in(body: CheckInCreate, actor: Patroller, session: SessionDep) -> CheckInSaved:
    return checkins.check_in(session, actor=actor, data=body)


@router.get("/patrol-check-ins", response_model=CheckInPage, summary="巡检登记列表")
def list_check_ins(
    actor: Reader,
    session: SessionDep,
    officer_id: OfficerFilter = None,
    plan_id: PlanFilter = None,
    date_from: Annotated[date | None, Query(description="开始日期")] = None,
    date_to: Annotated[date | None, Query(description="结束日期（含）")] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> CheckInPage:
    return checkins.list_check_ins(
        session, actor=actor, officer_id=officer_id, plan_id=plan_id, date_from=date_from,
        date_to=date_to, cursor=cursor, limit=limit,
    )  # fmt: skip


@router.get(
    "/patrol-check-ins/map",
    summary="巡检登记地图图层（GeoJSON）",
    description=f"日期范围内的巡检登记点（最多 {checkins.MAX_MAP_DAYS} 天、"
    f"{checkins.MAP_LIMIT} 个点）。",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def check_in_map(
    actor: Reader,
    session: SessionDep,
    date_from: Annotated[date, Query(description="开始日期")],
    date_to: Annotated[date, Query(description="结束日期（含）")],
    officer_id: OfficerFilter = None,
    plan_id: PlanFilter = None,
) -> dict[str, Any]:
    return checkins.check_in_map(
        session, actor=actor, date_from=date_from, date_to=date_to, officer_id=officer_id,
        plan_id=plan_id,
    )  # fmt: skip


@router.get("/patrol-check-ins/{check_in_id}", response_model=CheckInDetail, summary="巡检登记详情")
def get_check_in(check_in_id: Id, actor: Reader, session: SessionDep) -> CheckInDetail:
    return checkins.get_check_in(session, actor=actor, check_in_id=check_in_id)


@router.post(
    "/patrol-check-ins/{check_in_id}/photos",
    response_model=list[PhotoRead],
    status_code=201,
    summary="上传巡检照片（JPEG/PNG/WebP，可多张）",
)
async def upload_photos(
    check_in_id: Id,
    actor: Patroller,
    session: SessionDep,
    store: StoreDep,
    files: Annotated[list[UploadFile], File(description="照片文件，可多选")],
) -> list[PhotoRead]:
    max_bytes = get_file_settings().max_photo_bytes
    uploads = [
        checkins.Upload(name=f.filename or "", data=await f.read(max_bytes + 1)) for f in files
    ]
    return await run_in_threadpool(
        checkins.attach_photos, session, store, actor=actor, check_in_id=check_in_id,
        uploads=uploads, max_bytes=max_bytes,
    )  # fmt: skip


@router.get(
    "/patrol-photos/{photo_id}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
    summary="巡检照片",
)
def read_photo(photo_id: Id, actor: Reader, session: SessionDep, store: StoreDep) -> Response:
    stored = checkins.read_photo(session, store, actor=actor, photo_id=photo_id)
    headers = {"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"}
    return Response(stored.data, media_type=stored.media_type, headers=headers)
