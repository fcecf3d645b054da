"""The monthly attendance summary (月度汇总) of the members of a reviewer's scope.

Working days come from the calendar (SYS-9; a month it does not cover is refused rather
than guessed). A member is absent on a working day up to today (Asia/Shanghai) with no
check-in at all; days still to come are not counted. The in-grid rate is the share of
counted check-ins (in + out; fixes too vague to count are left out) made in the grid.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from geo.attendance import repository as repo
from geo.attendance.errors import AttendanceRuleError
from geo.attendance.schemas import Summary, SummaryRow
from geo.attendance.workflow import REVIEW_PERMISSION
from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.calendar.service import load_calendar
from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.core.scope import region_in_scope
from geo.core.spreadsheet import inert

__all__ = ["CSV_COLUMNS", "monthly_summary", "summary_csv"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_range(month: str) -> tuple[date, date]:
    match = _MONTH.match(month)
    if not match or not 1 <= int(match[2]) <= 12:
        raise AttendanceRuleError(f"月份 {month!r} 格式不正确，应为 年-月（如 2026-11）")
    first = date(int(match[1]), int(match[2]), 1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    return first, last


def monthly_summary(
    session: Session,
    *,
    actor: Actor,
    month: str,
    region_id: int | None = None,
    now: datetime | None = None,
) -> Summary:
    actor.require(REVIEW_PERMISSION)
    first, last = month_range(month)
    under = None
    if region_id is not None:
        if not region_in_scope(session, actor, region_id):
            raise NotFound(f"未找到区划（编号 {region_id}），或不在您的管辖范围内")
        under = repo.region_path(session, region_id)
    calendar = load_calendar(session, first=first, last=last)
    working = [first + timedelta(i) for i in range((last - first).days + 1)]
    working = [d for d in working if calendar.is_working_day(d)]
    today = (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI).date()
    until = min(today, last)
    due = [d for d in working if d <= until]
    rows = repo.summary_rows(
        session, actor=actor, first=first, last=last, due=due, under_path=under
    )
    return Summary(
        month=month,
        working_days=len(working),
        until=until if until >= first else first - timedelta(days=1),
        rows=[
            SummaryRow(
                user_id=r.user_id,
                user_name=r.user_name,
                grid_names=r.grid_names,
                working_days=len(working),
                due_days=len(due),
                days_checked_in=r.days_checked_in,
                approved=r.approved,
                rejected=r.rejected,
                pending=r.pending,
                absent=len(due) - r.due_checked_in,
                in_count=r.in_count,
                out_count=r.out_count,
                in_grid_rate=(
                    round(r.in_count / (r.in_count + r.out_count), 4)
                    if r.in_count + r.out_count
                    else None
                ),
            )  # fmt: skip
            for r in rows
        ],
    )


CSV_COLUMNS = (
    ("user_name", "网格员"),
    ("grid_names", "负责网格"),
    ("working_days", "本月工作日"),
    ("due_days", "截至统计日工作日"),
    ("days_checked_in", "签到天数"),
    ("approved", "审核通过"),
    ("rejected", "驳回"),
    ("pending", "待审核"),
    ("absent", "缺勤天数"),
    ("in_count", "网格内签到次数"),
    ("out_count", "网格外签到次数"),
    ("in_grid_rate", "在网格率"),
)


def export_summary(
    session: Session, *, actor: Actor, month: str, region_id: int | None = None
) -> str:
    """The month's summary as CSV; who downloaded it is audited (it names people)."""
    summary = monthly_summary(session, actor=actor, month=month, region_id=region_id)
    record(
        session, action="attendance.export", object_type="attendance_summary", object_id=month,
        after={"month": month, "region_id": region_id, "rows": len(summary.rows)},
        region_path=None if actor.is_district_wide else actor.region_path,
        **actor.audit_fields(),
    )  # fmt: skip
    return summary_csv(summary)


def summary_csv(summary: Summary) -> str:
    """The summary as CSV with a byte-order mark, so that Excel reads the Chinese."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _, label in CSV_COLUMNS])
    for row in summary.rows:
        values = row.model_dump()
        rate = values["in_grid_rate"]
        values["in_grid_rate"] = "" if rate is None else f"{rate * 100:.1f}%"
        writer.writerow([inert(values[key]) for key, _ in CSV_COLUMNS])
    return out.getvalue()
