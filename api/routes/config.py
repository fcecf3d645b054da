"""Base configuration (系统基础配置): regions (SYS-3), system parameters (SYS-8), the
working-day calendar (SYS-9) and the audit log (SYS-11). Thin: each route authorises,
calls one service function and shapes the answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, JsonValue

from api.auth import require
from api.deps import SessionDep
from geo.audit.service import search_for
from geo.calendar.models import CalendarDay
from geo.calendar.service import generate_year_as, month_days, set_day_as
from geo.core.actor import Actor
from geo.parameter.registry import ParameterSpec
from geo.parameter.service import (
    ResolvedParameter,
    clear_parameter_as,
    parameters_for,
    set_parameter_as,
)
from geo.region import service as regions
from geo.region.schemas import RegionCreate, RegionDetail, RegionRead, RegionUpdate

router = APIRouter(prefix="/api/v1", tags=["config"])

RegionViewer = Annotated[Actor, Depends(require("system.region.view"))]
RegionManager = Annotated[Actor, Depends(require("system.region.manage"))]
ParameterViewer = Annotated[Actor, Depends(require("system.parameter.view"))]
ParameterManager = Annotated[Actor, Depends(require("system.parameter.manage"))]
CalendarViewer = Annotated[Actor, Depends(require("system.calendar.view"))]
CalendarManager = Annotated[Actor, Depends(require("system.calendar.manage"))]
AuditViewer = Annotated[Actor, Depends(require("system.audit.view"))]

RegionId = Annotated[int, Query(ge=1, le=2**62)]


# ---- regions ---------------------------------------------------------------------------
@router.get("/admin/regions", summary="下级区划列表（不带 parent_id：本人所属区划）")
def list_regions(
    actor: RegionViewer, session: SessionDep, parent_id: RegionId | None = None
) -> list[RegionRead]:
    return regions.list_regions(session, actor=actor, parent_id=parent_id)


@router.get("/admin/regions/{region_id}", summary="区划详情（含边界）")
def get_region(region_id: int, actor: RegionViewer, session: SessionDep) -> RegionDetail:
    return regions.get_region(session, actor=actor, region_id=region_id)


@router.post("/admin/regions", status_code=201, summary="新增区划")
def create_region(body: RegionCreate, actor: RegionManager, session: SessionDep) -> RegionDetail:
    return regions.create_region(session, actor=actor, data=body)


@router.patch("/admin/regions/{region_id}", summary="修改区划名称或边界（辖区编码不可修改）")
def update_region(
    region_id: int, body: RegionUpdate, actor: RegionManager, session: SessionDep
) -> RegionDetail:
    return regions.update_region(session, actor=actor, region_id=region_id, data=body)


# ---- parameters ------------------------------------------------------------------------
_JSON_TYPES = {int: "integer", float: "number", bool: "boolean", str: "string"}


class ParameterRead(BaseModel):
    key: str
    label: str
    type: str = Field(description="integer / number / boolean / string")
    value: JsonValue
    default: JsonValue
    source: str = Field(description="default、global，或生效覆盖值所在区划的层级")
    source_region_id: int | None
    minimum: int | float | None
    maximum: int | float | None
    unit: str
    basis: str


class ParameterWrite(BaseModel):
    region_id: int | None = Field(ge=1, le=2**62, description="null：全局（仅区县级管理员）")
    value: JsonValue


def _parameter(spec: ParameterSpec, resolved: ResolvedParameter) -> ParameterRead:
    return ParameterRead(
        key=spec.key, label=spec.label, type=_JSON_TYPES[spec.type], value=resolved.value,
        default=spec.default, source=resolved.source,
        source_region_id=resolved.source_region_id, minimum=spec.minimum,
        maximum=spec.maximum, unit=spec.unit, basis=spec.basis,
    )  # fmt: skip


@router.get("/parameters", summary="系统参数（在某区划生效的值）")
def list_parameters(
    actor: ParameterViewer, session: SessionDep, region_id: RegionId | None = None
) -> list[ParameterRead]:
    return [
        _parameter(spec, resolved)
        for spec, resolved in parameters_for(session, actor=actor, region_id=region_id)
    ]


@router.put("/parameters/{key}", summary="设置系统参数（区划覆盖值或全局值）")
def set_parameter(
    key: str, body: ParameterWrite, actor: ParameterManager, session: SessionDep
) -> ParameterRead:
    return _parameter(
        *set_parameter_as(session, actor=actor, key=key, value=body.value, region_id=body.region_id)
    )


@router.delete("/parameters/{key}", summary="清除系统参数的覆盖值（不带 region_id：全局值）")
def clear_parameter(
    key: str, actor: ParameterManager, session: SessionDep, region_id: RegionId | None = None
) -> ParameterRead:
    return _parameter(*clear_parameter_as(session, actor=actor, key=key, region_id=region_id))


# ---- calendar --------------------------------------------------------------------------
class DayRead(BaseModel):
    date: date
    is_working: bool
    kind: str = Field(description="workday / weekend / holiday / makeup_workday")
    name: str | None


class MonthRead(BaseModel):
    year: int
    month: int
    days: list[DayRead]


class YearWrite(BaseModel):
    year: int = Field(ge=1991, le=2200)


class YearGenerated(BaseModel):
    year: int
    days_created: int


class DayWrite(BaseModel):
    kind: str = Field(min_length=1, max_length=16)
    name: str | None = Field(default=None, max_length=50)


def _day(row: CalendarDay) -> DayRead:
    return DayRead(date=row.day, is_working=row.is_working, kind=row.kind, name=row.name)


@router.get("/calendar/{year}/{month}", summary="某月工作日历")
def calendar_month(year: int, month: int, actor: CalendarViewer, session: SessionDep) -> MonthRead:
    days = month_days(session, year=year, month=month)
    return MonthRead(year=year, month=month, days=[_day(d) for d in days])


@router.post("/calendar/years", summary="初始化某年日历（可重复执行，不覆盖已调整的日期）")
def generate_year(body: YearWrite, actor: CalendarManager, session: SessionDep) -> YearGenerated:
    created = generate_year_as(session, actor=actor, year=body.year)
    return YearGenerated(year=body.year, days_created=created)


@router.put("/calendar/days/{day}", summary="设置节假日或调休上班日")
def set_calendar_day(
    day: date, body: DayWrite, actor: CalendarManager, session: SessionDep
) -> DayRead:
    return _day(set_day_as(session, actor=actor, day=day, kind=body.kind, name=body.name))


# ---- audit -----------------------------------------------------------------------------
class AuditRead(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    object_type: str
    object_id: str
    region_path: str | None
    before: Any
    after: Any
    detail: str | None
    ip: str | None


class AuditPageRead(BaseModel):
    items: list[AuditRead]
    next_cursor: str | None = Field(description="下一页的 cursor；null：已是最后一页")


@router.get("/audit", summary="审计日志查询（新的在前，游标分页）")
def search_audit(
    actor: AuditViewer,
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=100)] = None,
    object_type: Annotated[str | None, Query(max_length=100)] = None,
    object_id: Annotated[str | None, Query(max_length=100)] = None,
    actor_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: Annotated[int | None, Query(ge=1, le=2**62, description="上一页的 next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPageRead:
    page = search_for(
        session, actor=actor, action=action, object_type=object_type, object_id=object_id,
        actor_id=actor_id, since=since, until=until, after_id=cursor, limit=limit,
    )  # fmt: skip
    items = [
        AuditRead(**{k: getattr(row, k) for k in AuditRead.model_fields}) for row in page.items
    ]
    next_cursor = None if page.next_after_id is None else str(page.next_after_id)
    return AuditPageRead(items=items, next_cursor=next_cursor)
