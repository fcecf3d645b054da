"""General query of work orders (GM-9, 通用查询): the table, the map, the count and the
streaming export share one set of filters. Thin: parse, authorise, call
`geo.event.query` / `geo.event.export`.

Included before the events router: `/api/v1/events/query` and `/api/v1/events/export`
would otherwise be read as a work order's id.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.auth import require
from api.deps import SessionDep
from api.routes.events import _bbox
from geo.core.actor import Actor
from geo.core.db import get_sessionmaker
from geo.event import export, query
from geo.event.errors import EventRuleError
from geo.event.models import EventSource
from geo.event.query import EventFilters, QueryMap, QueryOptions, QuerySort
from geo.event.schemas import MAX_PAGE, EventPage
from geo.event.time_sql import TimeStateFilter
from geo.event.workflow import Status

router = APIRouter(prefix="/api/v1/events", tags=["general query"])

Viewer = Annotated[Actor, Depends(require("event.view"))]
Id = Annotated[int | None, Query(ge=1, le=2**62)]


def filters(
    keyword: Annotated[
        str | None, Query(max_length=100, description="事件编号、标题或地址中含有")
    ] = None,
    status: Annotated[list[Status] | None, Query(description="状态，可多选")] = None,
    category: Annotated[str | None, Query(max_length=16, description="分类编码（含下级）")] = None,
    region_id: Annotated[
        int | None, Query(ge=1, le=2**62, description="镇街、社区或网格（含下级）")
    ] = None,
    severity: Annotated[list[int] | None, Query(description="严重程度 1～3，可多选")] = None,
    urgency: Annotated[list[int] | None, Query(description="紧急程度 1～3，可多选")] = None,
    source: Annotated[list[EventSource] | None, Query(description="来源，可多选")] = None,
    reported_from: Annotated[date | None, Query(description="上报日期起（含）")] = None,
    reported_to: Annotated[date | None, Query(description="上报日期止（含）")] = None,
    closed_from: Annotated[date | None, Query(description="结案日期起（含）")] = None,
    closed_to: Annotated[date | None, Query(description="结案日期止（含）")] = None,
    time_state: Annotated[
        TimeStateFilter | None, Query(description="时效：on_time 正常、near 临期、overdue 超期")
    ] = None,
    department_id: Annotated[Id, Query(description="责任部门")] = None,
    assignee_id: Annotated[Id, Query(description="处置人")] = None,
    reporter_id: Annotated[Id, Query(description="上报人")] = None,
    bbox: Annotated[
        str | None, Query(max_length=200, description="最小经度,最小纬度,最大经度,最大纬度")
    ] = None,
) -> EventFilters:
    for name, levels in (("严重程度", severity), ("紧急程度", urgency)):
        if any(level not in (1, 2, 3) for level in levels or ()):
            raise EventRuleError(f"{name}应为 1、2 或 3")
    return EventFilters(
        keyword=keyword, statuses=tuple(status or ()), category=category, region_id=region_id,
        severities=tuple(severity or ()), urgencies=tuple(urgency or ()),
        sources=tuple(source or ()), reported_from=reported_from, reported_to=reported_to,
        closed_from=closed_from, closed_to=closed_to, time_state=time_state,
        department_id=department_id, assignee_id=assignee_id, reporter_id=reporter_id,
        bbox=_bbox(bbox),
    )  # fmt: skip


Filters = Annotated[EventFilters, Depends(filters)]


class QueryCount(BaseModel):
    count: int


@router.get("/query", response_model=EventPage, summary="通用查询：工单列表（游标分页）")
def query_events(
    actor: Viewer,
    session: SessionDep,
    f: Filters,
    sort: Annotated[QuerySort, Query(description="排序：上报时间倒序或处置期限正序")] = (
        QuerySort.REPORTED_DESC
    ),
    cursor: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> EventPage:
    return query.query_events(
        session, actor=actor, filters=f, sort=sort, cursor=cursor, limit=limit
    )


@router.get("/query/count", response_model=QueryCount, summary="通用查询：符合条件的工单数")
def count_events(actor: Viewer, session: SessionDep, f: Filters) -> QueryCount:
    return QueryCount(count=query.count_events(session, actor=actor, filters=f))


@router.get(
    "/query/map",
    response_model=QueryMap,
    summary="通用查询：地图上的工单",
    description=f"低于 {query.POINT_ZOOM} 级按方格汇总（数量、平均位置、范围），"
    f"{query.POINT_ZOOM} 级起为单个工单点（最多 {query.MAX_POINTS} 个，超出时 truncated 为 true）。"
    "view 为地图当前范围。",
)
def map_events(
    actor: Viewer,
    session: SessionDep,
    f: Filters,
    view: Annotated[
        str, Query(max_length=200, description="地图范围：最小经度,最小纬度,最大经度,最大纬度")
    ],
    zoom: Annotated[float, Query(ge=0, le=24, description="地图缩放级别")],
) -> QueryMap:
    box = _bbox(view)
    assert box is not None
    return query.map_events(session, actor=actor, filters=f, bbox=box, zoom=zoom)


@router.get("/query/options", response_model=QueryOptions, summary="通用查询：筛选条件的选项")
def query_options(actor: Viewer, session: SessionDep) -> QueryOptions:
    return query.query_options(session, actor=actor)


class ExportField(BaseModel):
    key: str
    header: str
    default: bool  # ticked when the panel opens


class ExportOptions(BaseModel):
    fields: list[ExportField]
    max_rows: int  # 单次导出上限（系统参数 event.export_max_rows）


@router.get("/export/options", response_model=ExportOptions, summary="导出：可选字段与条数上限")
def export_options(actor: Viewer, session: SessionDep) -> ExportOptions:
    fields = [
        ExportField(key=k, header=f.header, default=k in export.DEFAULT_FIELDS)
        for k, f in export.EXPORT_FIELDS.items()
    ]
    return ExportOptions(fields=fields, max_rows=export.max_rows(session, actor=actor))


def export_session() -> Iterator[Session]:
    """A read-only session that lives as long as the download (scope "request"): the
    rows are read from a server-side cursor while the answer streams, in one snapshot."""
    session = get_sessionmaker()()
    try:
        session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
        yield session
    finally:
        session.rollback()
        session.close()


ExportSession = Annotated[Session, Depends(export_session)]

_MEDIA_TYPES = {
    export.ExportFormat.CSV: "text/csv; charset=utf-8",
    export.ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/export",
    summary="导出工单（CSV 或 XLSX，流式）",
    description="按通用查询的条件导出所选字段（fields=a,b,c，缺省为常用字段；可选字段见 "
    "/api/v1/events/export/options）。CSV 为带 BOM 的 UTF-8，Excel 可直接打开。"
    "单次导出的条数上限为系统参数 event.export_max_rows；每次导出都记入审计日志。",
    response_class=StreamingResponse,
)
def export_events(
    actor: Viewer,
    session: SessionDep,
    rows: ExportSession,
    f: Filters,
    format: Annotated[export.ExportFormat, Query(description="csv 或 xlsx")] = (
        export.ExportFormat.CSV
    ),
    fields: Annotated[str | None, Query(max_length=1000, description="字段，逗号分隔")] = None,
    sort: QuerySort = QuerySort.REPORTED_DESC,
) -> StreamingResponse:
    plan = export.plan_export(
        session, actor=actor, filters=f, fields=export.parse_fields(fields), format=format,
        sort=sort,
    )  # fmt: skip
    chunks = (
        export.csv_chunks(rows, plan)
        if format is export.ExportFormat.CSV
        else export.xlsx_chunks(rows, plan)
    )
    return StreamingResponse(
        chunks,
        media_type=_MEDIA_TYPES[format],
        headers={
            "Content-Disposition": export.content_disposition(plan.filename),
            "X-Export-Rows": str(plan.rows),
            "Cache-Control": "no-store",
        },
    )
