"""General query of work orders (GM-9, 通用查询): one set of filters serves the table, the
map, the count and the export, always inside the actor's scope (`readable`).

The time-state filter agrees with the colours of `geo.event.timing`: overdue (red) is an
open work order past its deadline, or one closed after it; near (yellow) is an open work
order with less than one working day, or less than 20 % of its allowed working time,
left — working time counted on the calendar in SQL, so the filter pages and counts.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.core.models import Ltree
from geo.core.scope import readable, region_in_scope
from geo.core.srid import STORAGE_SRID
from geo.event import repository as repo
from geo.event.errors import EventRuleError
from geo.event.models import Event, EventCategory, EventSource
from geo.event.schemas import MAX_PAGE, EventPage
from geo.event.service import _reads  # the desks' row shape, with the remaining time
from geo.event.time_sql import TimeStateFilter, overdue_condition, time_state_condition
from geo.event.workflow import Status
from geo.org.models import Department, UserAccount
from geo.region.models import Region
from geo.region.repository import region_tree

__all__ = [
    "POINT_ZOOM",
    "EventFilters",
    "MapCell",
    "MapPoint",
    "QueryMap",
    "QuerySort",
    "TimeStateFilter",
    "check_bbox",
    "check_filters",
    "conditions",
    "count_events",
    "map_events",
    "matched_select",
    "query_events",
    "query_options",
]

Bbox = tuple[float, float, float, float]
POINT_ZOOM = 14  # from this zoom on the map shows single work orders, below it cells
MAX_POINTS = 5000  # points sent to the map at most (the answer says "truncated")
CELL_PIXELS = 64  # a cell is about this many screen pixels wide at the request's zoom


class QuerySort(StrEnum):
    REPORTED_DESC = "reported_desc"  # 上报时间，新的在前
    DEADLINE_ASC = "deadline_asc"  # 处置期限，近的在前（无期限的在最后）


@dataclass(frozen=True)
class EventFilters:
    """What the clerk asked for; empty fields do not filter. Dates are whole days in
    Asia/Shanghai, both ends included."""

    keyword: str | None = None  # 事件编号、标题或地址中含有
    statuses: tuple[Status, ...] = ()
    category: str | None = None  # 分类编码，含下级
    region_id: int | None = None  # 镇街、社区或网格，含下级
    severities: tuple[int, ...] = ()
    urgencies: tuple[int, ...] = ()
    sources: tuple[EventSource, ...] = ()
    reported_from: date | None = None
    reported_to: date | None = None
    closed_from: date | None = None
    closed_to: date | None = None
    time_state: TimeStateFilter | None = None
    department_id: int | None = None  # 责任部门
    assignee_id: int | None = None  # 处置人
    reporter_id: int | None = None  # 上报人
    bbox: Bbox | None = None

    def described(self) -> dict[str, Any]:
        """The filters actually set, as the audit log keeps them."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if value in (None, (), ""):
                continue
            if isinstance(value, tuple):
                value = [str(v) for v in value]
            elif isinstance(value, date):
                value = value.isoformat()
            out[key] = value
        return out


# ---- the filter --------------------------------------------------------------------------
def check_filters(session: Session, *, actor: Actor, filters: EventFilters) -> str | None:
    """Refuse filters that cannot mean anything; the region's path (None: no region)."""
    actor.require("event.view")
    _check_range(filters.reported_from, filters.reported_to, "上报时间")
    _check_range(filters.closed_from, filters.closed_to, "结案时间")
    if filters.bbox is not None:
        check_bbox(filters.bbox)
    if filters.region_id is None:
        return None
    if not region_in_scope(session, actor, filters.region_id):
        raise NotFound(f"未找到区划（编号 {filters.region_id}），或不在您的管辖范围内")
    return repo.region_path(session, filters.region_id)


def check_bbox(bbox: Bbox) -> None:
    minx, miny, maxx, maxy = bbox
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise EventRuleError(
            "范围（bbox）应为 最小经度,最小纬度,最大经度,最大纬度，且最小值小于最大值"
        )


def _check_range(first: date | None, last: date | None, what: str) -> None:
    if first is not None and last is not None and first > last:
        raise EventRuleError(f"{what}的开始日期 {first} 晚于结束日期 {last}，请重新选择")


def conditions(
    actor: Actor, filters: EventFilters, *, now: datetime, region_path: str | None
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the filters, the scope first."""
    f = filters
    where: list[ColumnElement[bool]] = [readable(actor, Event.region_id)]
    if f.keyword and f.keyword.strip():
        where.append(repo.keyword_condition(f.keyword.strip()))
    if f.statuses:
        where.append(Event.status.in_([s.value for s in f.statuses]))
    if f.category:
        where.append(Event.category_code.startswith(f.category, autoescape=True))
    if region_path is not None:
        under = select(Region.id).where(
            Region.path.op("<@")(cast(literal(region_path, String), Ltree))
        )
        where.append(Event.region_id.in_(under))
    if f.severities:
        where.append(Event.severity.in_(f.severities))
    if f.urgencies:
        where.append(Event.urgency.in_(f.urgencies))
    if f.sources:
        where.append(Event.source.in_([s.value for s in f.sources]))
    where += _day_range(Event.reported_at, f.reported_from, f.reported_to)
    where += _day_range(Event.closed_at, f.closed_from, f.closed_to)
    if f.time_state is not None:
        where.append(time_state_condition(f.time_state, now=now))
    if f.department_id is not None:
        where.append(Event.assignee_department_id == f.department_id)
    if f.assignee_id is not None:
        where.append(Event.assignee_user_id == f.assignee_id)
    if f.reporter_id is not None:
        where.append(Event.reporter_id == f.reporter_id)
    if f.bbox is not None:
        where.append(func.ST_Intersects(Event.geom, func.ST_MakeEnvelope(*f.bbox, STORAGE_SRID)))
    return where


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


def _day_range(col: Any, first: date | None, last: date | None) -> list[ColumnElement[bool]]:
    out = []
    if first is not None:
        out.append(col >= _day_start(first))
    if last is not None:
        out.append(col < _day_start(last + timedelta(days=1)))
    return out


# ---- the table ---------------------------------------------------------------------------
def _sort_key(sort: QuerySort) -> list[Any]:
    if sort is QuerySort.DEADLINE_ASC:
        return [Event.deadline.asc().nulls_last(), Event.id.asc()]
    return [Event.reported_at.desc(), Event.id.desc()]


def encode_cursor(moment: datetime | None, event_id: int) -> str:
    micros = "-" if moment is None else str(_micros(moment))
    return base64.urlsafe_b64encode(f"{micros}:{event_id}".encode()).decode().rstrip("=")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _decode(cursor: str) -> tuple[datetime | None, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        micros, event_id = raw.split(":")
        moment = None if micros == "-" else _EPOCH + timedelta(microseconds=int(micros))
        return moment, int(event_id)
    except (ValueError, binascii.Error, OverflowError):
        raise EventRuleError("翻页游标无效，请从第一页重新查询") from None


def _after(sort: QuerySort, cursor: str) -> ColumnElement[bool]:
    """The rows after the cursor in the sort's order (keyset: no OFFSET, no gaps)."""
    moment, event_id = _decode(cursor)
    if sort is QuerySort.REPORTED_DESC:
        if moment is None:
            raise EventRuleError("翻页游标与排序方式不符，请从第一页重新查询")
        return tuple_(Event.reported_at, Event.id) < tuple_(literal(moment), literal(event_id))
    if moment is None:  # already among the work orders without a deadline (sorted last)
        return and_(Event.deadline.is_(None), Event.id > event_id)
    return or_(
        tuple_(Event.deadline, Event.id) > tuple_(literal(moment), literal(event_id)),
        Event.deadline.is_(None),
    )


def _cursor_of(sort: QuerySort, row: Any) -> str:
    moment = row.deadline if sort is QuerySort.DEADLINE_ASC else row.reported_at
    return encode_cursor(moment, row.id)


def matched_select(
    actor: Actor,
    filters: EventFilters,
    *,
    now: datetime,
    region_path: str | None,
    sort: QuerySort = QuerySort.REPORTED_DESC,
) -> Select[Any]:
    """The work-order rows (with the names a desk shows) matching the filters, sorted."""
    query: Select[Any] = repo._event_select()
    where = conditions(actor, filters, now=now, region_path=region_path)
    return query.where(*where).order_by(*_sort_key(sort))


def query_events(
    session: Session,
    *,
    actor: Actor,
    filters: EventFilters,
    sort: QuerySort = QuerySort.REPORTED_DESC,
    cursor: str | None = None,
    limit: int = 50,
) -> EventPage:
    """One page of the table; `next_cursor` continues in the same sort."""
    if not 1 <= limit <= MAX_PAGE:
        raise EventRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    path = check_filters(session, actor=actor, filters=filters)
    now = datetime.now(SHANGHAI)
    where = conditions(actor, filters, now=now, region_path=path)
    if cursor:
        where.append(_after(sort, cursor))
    # The page's ids first, sorted and cut on the event table alone; the names of those
    # few rows then (joining every match before the sort costs more than the page).
    ids = select(Event.id).where(*where).order_by(*_sort_key(sort)).limit(limit + 1)
    found = list(session.scalars(ids))
    rows = session.execute(
        repo._event_select().where(Event.id.in_(found[:limit])).order_by(*_sort_key(sort))
    ).all()
    return EventPage(
        items=_reads(session, actor, rows),
        next_cursor=_cursor_of(sort, rows[-1]) if len(found) > limit else None,
    )


def count_events(session: Session, *, actor: Actor, filters: EventFilters) -> int:
    path = check_filters(session, actor=actor, filters=filters)
    where = conditions(actor, filters, now=datetime.now(SHANGHAI), region_path=path)
    return int(session.scalar(select(func.count()).select_from(Event).where(*where)) or 0)


# ---- the map -----------------------------------------------------------------------------
class MapCell(BaseModel):
    """Work orders of one square cell: their count, mean position and extent."""

    lon: float
    lat: float
    count: int
    bbox: list[float]


class MapPoint(BaseModel):
    id: int
    lon: float
    lat: float
    event_no: str
    title: str
    status: Status
    overdue: bool


class QueryMap(BaseModel):
    mode: str  # "cells" below POINT_ZOOM, else "points"
    cell_size: float | None = None  # degrees, cells only
    cells: list[MapCell] = []
    points: list[MapPoint] = []
    total: int  # matched work orders inside the bbox
    truncated: bool = False  # more points matched than were sent


def cell_size(zoom: float) -> float:
    """Degrees spanning about CELL_PIXELS screen pixels at the zoom (256-pixel tiles)."""
    return 360 / (2**zoom) / 256 * CELL_PIXELS


def map_events(
    session: Session, *, actor: Actor, filters: EventFilters, bbox: Bbox, zoom: float
) -> QueryMap:
    """The matched work orders inside the map's view: square cells with counts below
    POINT_ZOOM, single points from it on (at most MAX_POINTS)."""
    check_bbox(bbox)
    if not 0 <= zoom <= 24:
        raise EventRuleError("缩放级别应在 0～24 之间")
    if filters.bbox is not None:  # the view and the filter's extent both apply
        a, b = filters.bbox, bbox
        bbox = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
        if bbox[0] >= bbox[2] or bbox[1] >= bbox[3]:
            return QueryMap(mode="points" if zoom >= POINT_ZOOM else "cells", total=0)
    inside = replace(filters, bbox=bbox)
    path = check_filters(session, actor=actor, filters=inside)
    now = datetime.now(SHANGHAI)
    where = conditions(actor, inside, now=now, region_path=path)
    if zoom < POINT_ZOOM:
        return _cells(session, where, cell_size(zoom))
    return _points(session, where, now)


def _cells(session: Session, where: Sequence[ColumnElement[bool]], size: float) -> QueryMap:
    """Square cells of `size` degrees (the grid of ST_SquareGrid, keyed by integers so
    the grouping hashes numbers rather than geometries)."""
    points = (
        select(func.ST_X(Event.geom).label("x"), func.ST_Y(Event.geom).label("y"))
        .where(*where)
        .subquery("matched")
    )
    x, y = points.c.x, points.c.y
    rows = session.execute(
        select(
            func.avg(x).label("lon"),
            func.avg(y).label("lat"),
            func.count().label("count"),
            func.min(x).label("minx"),
            func.min(y).label("miny"),
            func.max(x).label("maxx"),
            func.max(y).label("maxy"),
        )
        .group_by(func.floor(x / size), func.floor(y / size))
        .order_by(func.count().desc())
    ).all()
    cells = [
        MapCell(
            lon=round(r.lon, 6),
            lat=round(r.lat, 6),
            count=r._mapping["count"],
            bbox=[round(v, 6) for v in (r.minx, r.miny, r.maxx, r.maxy)],
        )
        for r in rows
    ]
    return QueryMap(mode="cells", cell_size=size, cells=cells, total=sum(c.count for c in cells))


def _points(session: Session, where: Sequence[ColumnElement[bool]], now: datetime) -> QueryMap:
    overdue = case((overdue_condition(now), True), else_=False)
    rows = session.execute(
        select(
            Event.id,
            func.ST_X(Event.geom).label("lon"),
            func.ST_Y(Event.geom).label("lat"),
            Event.event_no,
            Event.title,
            Event.status,
            overdue.label("overdue"),
            func.count().over().label("total"),
        )
        .where(*where)
        .order_by(Event.reported_at.desc(), Event.id.desc())
        .limit(MAX_POINTS)
    ).all()
    total = rows[0].total if rows else 0
    points = [
        MapPoint(
            id=r.id, lon=round(r.lon, 6), lat=round(r.lat, 6), event_no=r.event_no,
            title=r.title, status=Status(r.status), overdue=bool(r.overdue),
        )
        for r in rows
    ]  # fmt: skip
    return QueryMap(mode="points", points=points, total=total, truncated=total > len(points))


# ---- what the filter form offers ---------------------------------------------------------
class Option(BaseModel):
    id: int
    name: str


class CategoryOption(BaseModel):
    code: str
    name: str
    parent_code: str | None


class QueryOptions(BaseModel):
    """The choices of the filter form, all inside (or above) the actor's region."""

    categories: list[CategoryOption]
    regions: list[dict[str, Any]]  # towns → communities → grids of the scope
    departments: list[Option]
    users: list[Option]  # 处置人与上报人


def _related_regions(actor: Actor) -> Select[Any]:
    """The actor's region, its subtree and its ancestors: whoever may hold or report a
    work order of the scope (the district centre's departments included)."""
    path = cast(literal(actor.region_path, String), Ltree)
    return select(Region.id).where(or_(Region.path.op("<@")(path), Region.path.op("@>")(path)))


def query_options(session: Session, *, actor: Actor) -> QueryOptions:
    actor.require("event.view")
    categories = session.execute(
        select(EventCategory.code, EventCategory.name, EventCategory.parent_code).order_by(
            EventCategory.sort_order, EventCategory.code
        )
    ).all()
    related = _related_regions(actor)
    departments = session.execute(
        select(Department.id, Department.name)
        .where(Department.region_id.in_(related))
        .order_by(Department.sort_order, Department.id)
    ).all()
    users = session.execute(
        select(UserAccount.id, UserAccount.display_name.label("name"))
        .where(UserAccount.region_id.in_(related), UserAccount.is_active)
        .order_by(UserAccount.display_name, UserAccount.id)
        .limit(2000)
    ).all()
    return QueryOptions(
        categories=[CategoryOption(**c._mapping) for c in categories],
        regions=region_tree(session, actor=actor),
        departments=[Option(**d._mapping) for d in departments],
        users=[Option(**u._mapping) for u in users],
    )
