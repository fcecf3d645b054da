"""Export of the general query (GM-9, 打开导出面板): the fields the clerk picks, as CSV or
XLSX, written row by row from a server-side cursor — never the whole result in memory.

`plan_export` checks the request, counts the rows against the cap (parameter
`event.export_max_rows`) and writes the audit row in the request's transaction; the rows
are then streamed by `csv_chunks` / `xlsx_chunks` from a session that lives as long as
the download.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import xlsxwriter
from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.spreadsheet import inert
from geo.event.errors import EventRuleError
from geo.event.query import EventFilters, QuerySort, check_filters, count_events, matched_select
from geo.event.timing import NONE, Timing, timings
from geo.event.workflow import Status
from geo.layers import EVENT_SOURCES, SEVERITIES, URGENCIES
from geo.parameter.service import get_parameter

__all__ = [
    "EXPORT_FIELDS",
    "ExportFormat",
    "ExportPlan",
    "content_disposition",
    "csv_chunks",
    "max_rows",
    "parse_fields",
    "plan_export",
    "xlsx_chunks",
]

BATCH = 1000  # rows fetched from the cursor (and timed on the calendar) at a time
FILE_CHUNK = 64 * 1024


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


Value = str | float | None


@dataclass(frozen=True)
class ExportField:
    header: str
    value: Callable[[Row[Any], Timing], Value]
    width: int = 14  # XLSX column width (characters)


def _moment(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else None


def _remaining(row: Row[Any], timing: Timing) -> str | None:
    """剩余时间/超期: working hours left or past for open work orders; for finished ones
    whether they were closed within the deadline."""
    if row.deadline is None:
        return None
    if Status(row.status).is_open:
        if timing.remaining_hours is None:
            return None
        hours = timing.remaining_hours
        return f"剩余 {hours:g} 工作小时" if hours >= 0 else f"超期 {-hours:g} 工作小时"
    if row.closed_at is None:
        return None
    return "超期办结" if row.closed_at > row.deadline else "按期办结"


_TIME_STATES = {"green": "正常", "yellow": "临期", "red": "超期"}


def _time_state(row: Row[Any], timing: Timing) -> str | None:
    if timing.time_state is not None:
        return _TIME_STATES[timing.time_state.value]
    if row.deadline is None or Status(row.status).is_open or row.closed_at is None:
        return None
    return "超期" if row.closed_at > row.deadline else "正常"


def _field(name: str, header: str, width: int = 14) -> ExportField:
    return ExportField(header, lambda row, timing: getattr(row, name), width)


EXPORT_FIELDS: dict[str, ExportField] = {
    "event_no": _field("event_no", "事件编号", 18),
    "title": _field("title", "标题", 30),
    "description": _field("description", "问题描述", 40),
    "category": _field("category_name", "分类", 16),
    "status": ExportField("状态", lambda r, t: Status(r.status).label, 10),
    "severity": ExportField("严重程度", lambda r, t: SEVERITIES.get(str(r.severity)), 10),
    "urgency": ExportField("紧急程度", lambda r, t: URGENCIES.get(str(r.urgency)), 10),
    "source": ExportField("来源", lambda r, t: EVENT_SOURCES.get(r.source, r.source), 12),
    "address": _field("address", "地址", 30),
    "lon": ExportField("经度", lambda r, t: round(r.lon, 6), 12),
    "lat": ExportField("纬度", lambda r, t: round(r.lat, 6), 12),
    "grid": _field("grid_name", "所属网格", 16),
    "community": _field("community_name", "社区", 16),
    "town": _field("town_name", "镇街", 12),
    "reporter": _field("reporter_name", "上报人", 10),
    "reported_at": ExportField("上报时间", lambda r, t: _moment(r.reported_at), 17),
    "deadline": ExportField("处置期限", lambda r, t: _moment(r.deadline), 17),
    "closed_at": ExportField("结案时间", lambda r, t: _moment(r.closed_at), 17),
    "remaining": ExportField("剩余时间/超期", _remaining, 18),
    "time_state": ExportField("时效状态", _time_state, 10),
    "department": _field("assignee_department_name", "责任部门", 18),
    "assignee": _field("assignee_user_name", "处置人", 10),
    "dispatcher": _field("claimed_by_name", "派遣员", 10),
}
DEFAULT_FIELDS = tuple(k for k in EXPORT_FIELDS if k not in ("description", "dispatcher"))


def parse_fields(text: str | None) -> list[str]:
    """`a,b,c` → the field keys in the order given; unknown keys: a 422 listing the valid."""
    keys = [k.strip() for k in (text or "").split(",") if k.strip()]
    if not keys:
        return list(DEFAULT_FIELDS)
    unknown = [k for k in keys if k not in EXPORT_FIELDS]
    if unknown:
        valid = "，".join(f"{k}（{f.header}）" for k, f in EXPORT_FIELDS.items())
        raise EventRuleError(f"导出字段 {'、'.join(unknown)} 不存在；可选字段：{valid}")
    return list(dict.fromkeys(keys))  # a field asked twice is exported once


@dataclass(frozen=True)
class ExportPlan:
    actor: Actor
    filters: EventFilters
    fields: tuple[str, ...]
    format: ExportFormat
    sort: QuerySort
    region_path: str | None
    rows: int  # counted when the export was asked for (and audited)
    at: datetime

    @property
    def headers(self) -> list[str]:
        return [EXPORT_FIELDS[k].header for k in self.fields]

    @property
    def filename(self) -> str:
        return f"工单查询_{self.at:%Y%m%d_%H%M}.{self.format.value}"


def max_rows(session: Session, *, actor: Actor) -> int:
    """The cap on one export where the actor works (parameter event.export_max_rows)."""
    return int(get_parameter(session, key="event.export_max_rows", region_id=actor.region_id))


def plan_export(
    session: Session,
    *,
    actor: Actor,
    filters: EventFilters,
    fields: Sequence[str],
    format: ExportFormat,
    sort: QuerySort = QuerySort.REPORTED_DESC,
) -> ExportPlan:
    """Check the request, count its rows against the cap, and audit who exported what."""
    actor.require("event.view")
    path = check_filters(session, actor=actor, filters=filters)
    rows = count_events(session, actor=actor, filters=filters)
    cap = max_rows(session, actor=actor)
    if rows > cap:
        raise EventRuleError(
            f"符合条件的工单有 {rows} 条，超过单次导出上限 {cap} 条；请缩小查询条件后分批导出"
        )
    plan = ExportPlan(
        actor=actor, filters=filters, fields=tuple(fields), format=format, sort=sort,
        region_path=path, rows=rows, at=datetime.now(SHANGHAI),
    )  # fmt: skip
    record(
        session, action="event.export", object_type="event_query", object_id=format.value,
        after={"format": format.value, "fields": list(fields), "filters": filters.described(),
               "sort": sort.value, "rows": rows},
        region_path=None if actor.is_district_wide else actor.region_path,
        **actor.audit_fields(),
    )  # fmt: skip
    return plan


def _batches(session: Session, plan: ExportPlan) -> Iterator[list[list[Value]]]:
    """Rows as lists of values, BATCH at a time from a server-side cursor (yield_per)."""
    # No more rows than were counted, checked against the cap and audited: rows reported
    # since then wait for the next export.
    query = matched_select(
        plan.actor, plan.filters, now=plan.at, region_path=plan.region_path, sort=plan.sort
    ).limit(plan.rows)
    result = session.execute(query.execution_options(yield_per=BATCH))
    fields = [EXPORT_FIELDS[k] for k in plan.fields]
    needs_timing = any(k in ("remaining", "time_state") for k in plan.fields)
    for batch in result.partitions():
        times = timings(session, batch, now=plan.at) if needs_timing else {}
        yield [[f.value(row, times.get(row.id, NONE)) for f in fields] for row in batch]


# ---- CSV ---------------------------------------------------------------------------------


def csv_chunks(session: Session, plan: ExportPlan) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads the Chinese), one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(plan.headers)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for rows in _batches(session, plan):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([inert(v) for v in row] for row in rows)
        yield buffer.getvalue().encode("utf-8")


# ---- XLSX --------------------------------------------------------------------------------
def xlsx_chunks(session: Session, plan: ExportPlan) -> Iterator[bytes]:
    """A workbook written in constant memory (each row flushed to disk as written) into
    a temporary file, then sent in chunks; the file is removed whatever happens."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="event-export-")
    os.close(handle)
    try:
        _write_workbook(session, plan, path)
        with open(path, "rb") as f:
            while chunk := f.read(FILE_CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def _write_workbook(session: Session, plan: ExportPlan, path: str) -> None:
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    try:
        sheet = workbook.add_worksheet("工单")
        bold = workbook.add_format({"bold": True, "bg_color": "#EEF3FA", "border": 1})
        for col, key in enumerate(plan.fields):
            sheet.set_column(col, col, EXPORT_FIELDS[key].width)
            sheet.write_string(0, col, EXPORT_FIELDS[key].header, bold)
        sheet.freeze_panes(1, 0)
        line = 1
        for rows in _batches(session, plan):
            for row in rows:
                for col, value in enumerate(row):
                    _write_cell(sheet, line, col, value)
                line += 1
        sheet.autofilter(0, 0, max(line - 1, 1), len(plan.fields) - 1)
    finally:
        workbook.close()


def _write_cell(sheet: Any, line: int, col: int, value: Value) -> None:
    """Numbers as numbers; text always as text, never read as a formula."""
    if value is None:
        return
    if isinstance(value, float | int):
        sheet.write_number(line, col, value)
    else:
        sheet.write_string(line, col, value)


def content_disposition(filename: str) -> str:
    """An attachment with a Chinese name (RFC 6266/5987) and an ASCII fallback."""
    ascii_name = "events" + os.path.splitext(filename)[1]
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
