"""The working-day calendar in PostGIS: generating years, editing days, the official 2026
arrangement in the demo data, and loading a calendar for deadline arithmetic."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from data.demo.holidays import ARRANGEMENTS
from geo.calendar.arithmetic import SHANGHAI
from geo.calendar.errors import CalendarError, CalendarNotLoaded
from geo.calendar.service import (
    Arrangement,
    Holiday,
    MakeupWorkday,
    generate_year,
    load_calendar,
    load_holidays,
    set_day,
)
from tests.conftest import scalar

FREE_YEAR = 2031  # far from the demo's years: nothing generated yet


def _day(db, day: date) -> tuple[str, bool, str | None]:
    return tuple(
        db.execute(
            text("SELECT kind, is_working, name FROM calendar_day WHERE day = :d"), {"d": day}
        ).one()
    )


def test_generate_year_creates_every_day_once(db) -> None:
    assert generate_year(db, year=FREE_YEAR) == 365
    assert generate_year(db, year=FREE_YEAR) == 0
    assert generate_year(db, year=2032) == 366  # leap year
    rows = db.execute(
        text("""
            SELECT kind, is_working, count(*) FROM calendar_day
            WHERE extract(year FROM day) = :y GROUP BY 1, 2 ORDER BY 1"""),
        {"y": FREE_YEAR},
    ).all()
    assert [tuple(r) for r in rows] == [("weekend", False, 104), ("workday", True, 261)]
    assert _day(db, date(2031, 1, 1)) == ("workday", True, None)  # a Wednesday
    assert _day(db, date(2031, 1, 4)) == ("weekend", False, None)  # a Saturday


def test_generate_year_never_overwrites_an_edited_day(db) -> None:
    generate_year(db, year=FREE_YEAR)
    set_day(db, day=date(2031, 1, 1), kind="holiday", name="元旦")
    set_day(db, day=date(2031, 1, 4), kind="makeup_workday", name="元旦调休")
    assert generate_year(db, year=FREE_YEAR) == 0
    assert _day(db, date(2031, 1, 1)) == ("holiday", False, "元旦")
    assert _day(db, date(2031, 1, 4)) == ("makeup_workday", True, "元旦调休")


def test_set_day_returns_the_row_and_resets_ordinary_days(db) -> None:
    generate_year(db, year=FREE_YEAR)
    row = set_day(db, day=date(2031, 1, 1), kind="holiday", name=" 元旦 ")
    assert (row.day, row.kind, row.is_working, row.name) == (
        date(2031, 1, 1),
        "holiday",
        False,
        "元旦",
    )
    row = set_day(db, day=date(2031, 1, 1), kind="workday", name="ignored")
    assert (row.kind, row.is_working, row.name) == ("workday", True, None)


@pytest.mark.parametrize(
    "day,kind,name,message",
    [
        (date(2031, 1, 6), "makeup_workday", "调休", "不是周末"),  # a Monday
        (date(2031, 1, 1), "holiday", None, "必须填写节日名称"),
        (date(2031, 1, 1), "holiday", "  ", "必须填写节日名称"),
        (date(2031, 1, 1), "weekend", None, "不是周六或周日"),
        (date(2031, 1, 4), "workday", None, "调休上班日"),
        (date(2031, 1, 1), "day_off", None, "日期类型"),
    ],
)
def test_set_day_validations(db, day: date, kind: str, name: str | None, message: str) -> None:
    generate_year(db, year=FREE_YEAR)
    with pytest.raises(CalendarError, match=message):
        set_day(db, day=day, kind=kind, name=name)
    assert _day(db, day)[2] is None  # nothing changed


def test_set_day_on_a_year_not_generated_is_refused(db) -> None:
    with pytest.raises(CalendarNotLoaded, match="2040 年的日历尚未生成"):
        set_day(db, day=date(2040, 1, 1), kind="holiday", name="元旦")


@pytest.mark.parametrize(
    "kind,is_working", [("holiday", True), ("makeup_workday", False), ("nap", True)]
)
def test_the_database_refuses_an_inconsistent_day(db, kind: str, is_working: bool) -> None:
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(
            text("INSERT INTO calendar_day (day, kind, is_working, name) VALUES "
                 "('2041-01-05', :k, :w, 'x')"),
            {"k": kind, "w": is_working},
        )  # fmt: skip


def test_load_holidays_applies_an_arrangement_and_is_idempotent(db) -> None:
    arrangement = Arrangement(
        year=FREE_YEAR,
        source="test",
        holidays=(Holiday("元旦", date(2031, 1, 1), date(2031, 1, 3)),),
        makeup_workdays=(MakeupWorkday(date(2031, 1, 4), "元旦调休"),),
    )
    assert load_holidays(db, year=FREE_YEAR, arrangement=arrangement) == 4  # generates too
    assert load_holidays(db, year=FREE_YEAR, arrangement=arrangement) == 4
    assert _day(db, date(2031, 1, 3)) == ("holiday", False, "元旦")
    assert _day(db, date(2031, 1, 4)) == ("makeup_workday", True, "元旦调休")
    assert scalar(db, "SELECT count(*) FROM calendar_day WHERE day BETWEEN "
                      "'2031-01-01' AND '2031-12-31'") == 365  # fmt: skip
    with pytest.raises(CalendarError, match="不能用于"):
        load_holidays(db, year=2032, arrangement=arrangement)


def test_the_demo_holds_the_official_2026_arrangement(demo_area, db) -> None:
    assert demo_area["calendar_day"] >= 3 * 365
    assert _day(db, date(2026, 10, 1)) == ("holiday", False, "国庆节")
    assert _day(db, date(2026, 2, 17)) == ("holiday", False, "春节")
    for saturday_or_sunday in ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09",
                               "2026-09-20", "2026-10-10"]:  # fmt: skip
        kind, working, _ = _day(db, date.fromisoformat(saturday_or_sunday))
        assert (kind, working) == ("makeup_workday", True), saturday_or_sunday
    counts = dict(
        db.execute(
            text("""SELECT kind, count(*) FROM calendar_day
                    WHERE day BETWEEN '2026-01-01' AND '2026-12-31' GROUP BY kind""")
        ).all()
    )
    # 3 + 9 + 3 + 5 + 3 + 3 + 7 holiday days; six make-up working days.
    assert counts["holiday"] == 33
    assert counts["makeup_workday"] == 6
    assert sum(counts.values()) == 365
    # 2026 has 261 Mon–Fri days; 19 holiday days fall on them (元旦 2, 春节 6, 清明 1,
    # 劳动节 3, 端午 1, 中秋 1, 国庆 5) → 242 ordinary workdays + 6 make-up = 248 working days.
    assert counts["workday"] == 261 - 19
    assert scalar(db, "SELECT count(*) FROM calendar_day WHERE is_working "
                      "AND day BETWEEN '2026-01-01' AND '2026-12-31'") == 248  # fmt: skip
    for year, arrangement in ARRANGEMENTS.items():
        assert arrangement.year == year


def test_load_calendar_for_deadlines_from_the_database(db) -> None:
    cal = load_calendar(db, first=date(2026, 1, 1), last=date(2026, 12, 31))
    received = datetime(2026, 2, 13, 10, tzinfo=SHANGHAI)
    assert cal.add_working_days(received, 20) == datetime(2026, 3, 19, 17, 30, tzinfo=SHANGHAI)
    assert cal.is_working_day(date(2026, 10, 10))
    assert not cal.is_working_day(date(2026, 10, 5))


def test_load_calendar_names_the_missing_years(db) -> None:
    generate_year(db, year=FREE_YEAR)
    with pytest.raises(CalendarNotLoaded, match="2033、2034 年"):
        load_calendar(db, first=date(2031, 6, 1), last=date(2034, 1, 31))
