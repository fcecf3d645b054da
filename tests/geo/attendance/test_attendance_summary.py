"""The monthly summary against the working-day calendar: October 2025 has the National
Day holidays (1–8 October) and a Saturday worked in exchange (11 October)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.attendance import service
from geo.attendance.errors import AttendanceRuleError
from geo.attendance.schemas import CheckInCreate, Summary, SummaryRow
from geo.attendance.summary import monthly_summary, summary_csv
from geo.calendar.arithmetic import SHANGHAI
from geo.calendar.errors import CalendarNotLoaded
from tests.geo.attendance.attendance_places import beyond, inside

OCTOBER = "2025-10"
# The calendar's working days of October 2025: 9, 10, 11 (make-up Saturday), then the
# weekdays from the 13th on (3 weeks of 5).
WORKING = 18


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


@pytest.fixture
def october(db: Session, actor_of: Callable) -> None:
    """ys_grid checks in on the 3rd (a holiday), 9th, 11th (make-up Saturday) and 14th;
    the 9th is approved, the 11th rejected."""
    member = actor_of("ys_grid")
    reviewer = actor_of("ys_dispatcher")
    ids = {}
    for day, outside in ((3, False), (9, False), (9, True), (11, False), (14, False)):
        lon, lat = beyond(db, "ys_grid", 300) if outside else inside(db, "ys_grid")
        data = CheckInCreate(lon=lon, lat=lat, accuracy_m=10)
        ids[day] = service.check_in(db, actor=member, data=data, now=_at(date(2025, 10, day)))
    later = _at(date(2025, 10, 20))
    service.review_day(
        db, actor=reviewer, day_id=ids[9].day_id, action="approve", expected_status="pending",
        now=later,
    )  # fmt: skip
    service.review_day(
        db, actor=reviewer, day_id=ids[11].day_id, action="reject", expected_status="pending",
        opinion="轨迹不全", now=later,
    )  # fmt: skip


def test_working_days_are_the_calendars(db: Session) -> None:
    counted = db.execute(
        text("SELECT count(*) FROM calendar_day WHERE is_working "
             "AND day BETWEEN '2025-10-01' AND '2025-10-31'")
    ).scalar()  # fmt: skip
    assert counted == WORKING


def test_the_month_adds_up(db: Session, actor_of: Callable, october: None) -> None:
    summary = monthly_summary(
        db, actor=actor_of("ys_dispatcher"), month=OCTOBER, now=_at(date(2025, 11, 3))
    )
    assert (summary.working_days, summary.until) == (WORKING, date(2025, 10, 31))
    row = _row(summary, "杨舍网格员·周杰")
    assert (row.days_checked_in, row.approved, row.rejected, row.pending) == (4, 1, 1, 2)
    # Checked in on 3 of the 18 working days (the 3rd is a holiday): 15 absent.
    assert (row.due_days, row.absent) == (WORKING, WORKING - 3)
    assert (row.in_count, row.out_count, row.in_grid_rate) == (4, 1, 0.8)


def test_absence_is_counted_up_to_today(db: Session, actor_of: Callable, october: None) -> None:
    mid = monthly_summary(
        db, actor=actor_of("ys_dispatcher"), month=OCTOBER, now=_at(date(2025, 10, 15), 12)
    )
    row = _row(mid, "杨舍网格员·周杰")
    # Due so far: 9, 10, 11, 13, 14, 15 → checked in on 9, 11, 14.
    assert (mid.until, row.due_days, row.absent) == (date(2025, 10, 15), 6, 3)


def test_other_towns_and_unknown_months(db: Session, actor_of: Callable, october: None) -> None:
    tq = monthly_summary(db, actor=actor_of("tq_dispatcher"), month=OCTOBER)
    assert all(r.user_name.startswith("塘桥") for r in tq.rows)
    member = _row(tq, "塘桥网格员·沈浩")
    assert (member.days_checked_in, member.absent) == (0, WORKING)
    center = monthly_summary(db, actor=actor_of("center"), month=OCTOBER)
    members = db.execute(
        text("SELECT count(*) FROM user_role WHERE role_code = 'grid_member'")
    ).scalar()
    assert len(center.rows) == members  # every grid member of the district, checked in or not
    with pytest.raises(AttendanceRuleError, match="格式不正确"):
        monthly_summary(db, actor=actor_of("center"), month="2025-13")
    with pytest.raises(CalendarNotLoaded):
        monthly_summary(db, actor=actor_of("center"), month="2031-01")


def test_csv(db: Session, actor_of: Callable, october: None) -> None:
    summary = monthly_summary(
        db, actor=actor_of("ys_dispatcher"), month=OCTOBER, now=_at(date(2025, 11, 3))
    )
    lines = summary_csv(summary).splitlines()
    assert lines[0].startswith("\ufeff网格员,负责网格,本月工作日")
    [line] = [x for x in lines[1:] if x.startswith("杨舍网格员·周杰,")]
    assert len(lines) == 1 + len(summary.rows)
    assert line.split(",")[-1] == "80.0%"
    assert line.split(",")[4:9] == ["4", "1", "1", "2", "15"]


def _row(summary: Summary, name: str) -> SummaryRow:
    [row] = [r for r in summary.rows if r.user_name == name]
    return row
