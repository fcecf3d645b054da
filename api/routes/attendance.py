"""Attendance (GM-12, GIS-7): grid members check in; reviewers list, read, approve and
reject daily reports; the monthly summary as JSON or CSV. Thin: parse, authorise, call
`geo.attendance`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from api.auth import require
from api.deps import SessionDep
from geo.attendance import service
from geo.attendance.schemas import (
    MAX_PAGE,
    CheckInCreate,
    CheckInRead,
    DayDetail,
    DayPage,
    MyDay,
    ReviewBody,
    Summary,
)
from geo.attendance.summary import export_summary, monthly_summary
from geo.attendance.workflow import Action, Status
from geo.core.actor import Actor

router = APIRouter(prefix="/api/v1/attendance", tags=["attendance"])

Member = Annotated[Actor, Depends(require("attendance.check_in"))]
Reviewer = Annotated[Actor, Depends(require("attendance.review"))]
DayId = Annotated[int, Path(ge=1, le=2**62, description="考勤日报编号（id）")]
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="月份，如 2026-11")]
RegionFilter = Annotated[int | None, Query(ge=1, le=2**62, description="网格、社区或镇（含下级）")]


@router.post(
    "/check-ins",
    response_model=CheckInRead,
    status_code=201,
    summary="考勤签到",
    description="提交当前位置（经度、纬度）与定位精度（米）。位置与本人负责或协助的网格比较："
    "到最近网格的距离 ≤ 容差 + min(精度, 精度上限) 为“网格内”；精度差于 attendance.max_accuracy_m "
    "的记为“精度不足，不计入”。client_ref 相同的重复提交返回第一次的结果。",
)
def check_in(body: CheckInCreate, actor: Member, session: SessionDep) -> CheckInRead:
    return service.check_in(session, actor=actor, data=body)


@router.get("/check-ins", response_model=MyDay, summary="我的考勤（某日的签到与日报）")
def my_check_ins(
    actor: Member,
    session: SessionDep,
    day: Annotated[date | None, Query(description="日期，默认今天")] = None,
) -> MyDay:
    return service.my_day(session, actor=actor, work_day=day)


@router.get("/days", response_model=DayPage, summary="考勤日报列表（审核）")
def list_days(
    actor: Reviewer,
    session: SessionDep,
    day: Annotated[date | None, Query(description="日期")] = None,
    status: Annotated[Status | None, Query(description="审核状态")] = None,
    region_id: RegionFilter = None,
    user_id: Annotated[int | None, Query(ge=1, le=2**62, description="网格员")] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> DayPage:
    return service.list_days(
        session, actor=actor, work_day=day, status=status, region_id=region_id,
        user_id=user_id, cursor=cursor, limit=limit,
    )  # fmt: skip


@router.get(
    "/days/{day_id}",
    response_model=DayDetail,
    summary="考勤日报详情（签到点与网格边界，GeoJSON）",
)
def get_day(day_id: DayId, actor: Reviewer, session: SessionDep) -> DayDetail:
    return service.get_day(session, actor=actor, day_id=day_id)


_REVIEW_HELP = (
    "expected_status 为审核人看到的状态；他人已先处理时返回 409。驳回须填写意见；"
    "已驳回的日报可复核改判为通过（须填写意见），已通过的日报不再改变；当天的考勤次日起方可审核。"
)


@router.post(
    "/days/{day_id}/approve", response_model=DayDetail, summary="审核通过", description=_REVIEW_HELP
)
def approve_day(day_id: DayId, body: ReviewBody, actor: Reviewer, session: SessionDep) -> DayDetail:
    return service.review_day(
        session, actor=actor, day_id=day_id, action=Action.APPROVE,
        expected_status=body.expected_status, opinion=body.opinion,
    )  # fmt: skip


@router.post(
    "/days/{day_id}/reject", response_model=DayDetail, summary="驳回", description=_REVIEW_HELP
)
def reject_day(day_id: DayId, body: ReviewBody, actor: Reviewer, session: SessionDep) -> DayDetail:
    return service.review_day(
        session, actor=actor, day_id=day_id, action=Action.REJECT,
        expected_status=body.expected_status, opinion=body.opinion,
    )  # fmt: skip


@router.get("/summary", response_model=Summary, summary="考勤月度汇总")
def summary(
    month: Month, actor: Reviewer, session: SessionDep, region_id: RegionFilter = None
) -> Summary:
    return monthly_summary(session, actor=actor, month=month, region_id=region_id)


@router.get(
    "/summary.csv",
    summary="考勤月度汇总（CSV 下载）",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def summary_download(
    month: Month, actor: Reviewer, session: SessionDep, region_id: RegionFilter = None
) -> Response:
    filename = f"attendance-{month}.csv"
    return Response(
        export_summary(session, actor=actor, month=month, region_id=region_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
