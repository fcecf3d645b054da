"""Deadline arithmetic on the working-day calendar: properties (hypothesis) on the real
2025–2026 arrangements, and the Spring Festival / National Day 2026 examples by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from data.demo.holidays import ARRANGEMENTS
from geo.calendar.arithmetic import SHANGHAI, WorkingCalendar
from geo.calendar.errors import CalendarError, CalendarNotLoaded, NaiveDatetimeError


def _official(first: date, last: date) -> WorkingCalendar:
    holidays: set[date] = set()
    makeup: set[date] = set()
    for arrangement in ARRANGEMENTS.values():
        for h in arrangement.holidays:
            holidays |= {h.first + timedelta(i) for i in range((h.last - h.first).days + 1)}
        makeup |= {m.day for m in arrangement.makeup_workdays}
    return WorkingCalendar.weekdays(first, last, holidays=holidays, makeup_workdays=makeup)


CAL = _official(date(2025, 1, 1), date(2027, 12, 31))
DAY = CAL.day_length  # 7.5 h
H = timedelta(hours=1)


def at(y: int, mo: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, mo, d, hh, mm, tzinfo=SHANGHAI)


# Moments anywhere in 2025 – mid-2027, in zones the server might use (all must agree).
ZONES = st.sampled_from([SHANGHAI, UTC, ZoneInfo("America/New_York"), ZoneInfo("Europe/London")])
moments = st.datetimes(
    min_value=datetime(2025, 1, 2), max_value=datetime(2027, 6, 30), timezones=ZONES
)
days_n = st.integers(min_value=1, max_value=60)
durations = st.integers(min_value=0, max_value=60 * 24 * 20).map(lambda m: timedelta(minutes=m))


# ---- hand-checked examples ------------------------------------------------------------
def test_day_length_is_seven_and_a_half_hours() -> None:
    assert CAL.day_length == timedelta(hours=7, minutes=30)


def test_friday_afternoon_application_with_twenty_working_days() -> None:
    # Day of receipt never counts: Monday 29 June is day 1, Friday 24 July day 20.
    assert CAL.add_working_days(at(2026, 6, 26, 16), 20) == at(2026, 7, 24, 17, 30)
    # Received on the weekend: the same deadline.
    assert CAL.add_working_days(at(2026, 6, 27, 10), 20) == at(2026, 7, 24, 17, 30)


def test_spring_festival_2026() -> None:
    # Received Friday 13 Feb 10:00. Sat 14 Feb is a make-up working day (day 1),
    # 15–23 Feb is the holiday, Sat 28 Feb works again (day 6) → day 20 is Thu 19 March.
    assert CAL.add_working_days(at(2026, 2, 13, 10), 20) == at(2026, 3, 19, 17, 30)
    assert CAL.add_working_days(at(2026, 2, 13, 10), 1) == at(2026, 2, 14, 17, 30)
    assert CAL.add_working_days(at(2026, 2, 14, 9), 1) == at(2026, 2, 24, 17, 30)
    assert CAL.is_working_day(date(2026, 2, 28))
    assert not CAL.is_working_day(date(2026, 2, 23))  # a Monday inside the holiday


def test_national_day_2026() -> None:
    # Received Wed 30 Sep 15:00: 1–7 Oct off; Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13.
    assert CAL.add_working_days(at(2026, 9, 30, 15), 5) == at(2026, 10, 13, 17, 30)
    # Sunday 20 September is a make-up working day.
    assert CAL.add_working_days(at(2026, 9, 18, 16), 3) == at(2026, 9, 22, 17, 30)
    # 4 working hours from 30 Sep 16:00: 1.5 h that day, 2.5 h on 8 October.
    assert CAL.add_working_hours(at(2026, 9, 30, 16), 4) == at(2026, 10, 8, 11)
    # The same instant given in UTC computes in Shanghai time.
    utc = datetime(2026, 9, 30, 7, 0, tzinfo=UTC)
    assert CAL.add_working_days(utc, 5) == at(2026, 10, 13, 17, 30)


def test_remaining_with_an_expert_review_pause_by_hand() -> None:
    deadline = at(2026, 10, 13, 17, 30)
    now = at(2026, 10, 9, 9, 30)
    # 9 Oct from 09:30: 6.5 h; 10, 12, 13 Oct: 7.5 h each.
    assert CAL.remaining(deadline, now) == timedelta(hours=29)
    # Expert review 30 Sep 16:00 – 8 Oct 12:00: 1.5 h + 3.5 h of working time stopped.
    review = (at(2026, 9, 30, 16), at(2026, 10, 8, 12))
    assert CAL.remaining(deadline, now, [review]) == timedelta(hours=34)
    # A review still running (no end yet) stops the clock until now: all of 8 Oct (7.5 h)
    # and 9 Oct 08:30–09:30 (1 h).
    review_open = (at(2026, 10, 8, 8), None)
    assert CAL.remaining(deadline, now, [review_open]) == timedelta(hours=29 + 8.5)


def test_overdue_is_negative() -> None:
    deadline = at(2026, 10, 13, 17, 30)
    assert CAL.remaining(deadline, at(2026, 10, 14, 10)) == -timedelta(hours=1, minutes=30)
    assert CAL.remaining(deadline, at(2026, 10, 13, 17, 30)) == timedelta(0)


def test_lunch_break_and_evenings_do_not_count() -> None:
    assert CAL.working_time_between(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == 1.5 * H
    assert CAL.working_time_between(at(2026, 3, 2, 18), at(2026, 3, 3, 8)) == timedelta(0)
    # The earliest instant: exactly one hour ends at the lunch break, not after it.
    assert CAL.add_working_hours(at(2026, 3, 2, 11), 1) == at(2026, 3, 2, 12)
    assert CAL.add_working_hours(at(2026, 3, 2, 11), 1.5) == at(2026, 3, 2, 14)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match="缺少时区"):
        CAL.add_working_days(datetime(2026, 3, 2, 9), 1)
    with pytest.raises(NaiveDatetimeError):
        CAL.remaining(at(2026, 3, 3), datetime(2026, 3, 2, 9))


def test_days_outside_the_loaded_range_are_an_error_not_a_guess() -> None:
    small = _official(date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(CalendarNotLoaded, match="2027"):
        small.add_working_days(at(2026, 12, 30, 9), 5)
    with pytest.raises(CalendarNotLoaded):
        small.working_time_between(at(2025, 12, 31, 9), at(2026, 1, 5, 9))
    with pytest.raises(CalendarNotLoaded):
        small.add_working_hours(at(2026, 12, 31, 9), 100)


def test_invalid_arguments() -> None:
    with pytest.raises(CalendarError):
        CAL.add_working_days(at(2026, 3, 2), 0)
    with pytest.raises(CalendarError):
        CAL.add_working_hours(at(2026, 3, 2), -1)
    with pytest.raises(CalendarError, match="结束早于开始"):
        CAL.remaining(at(2026, 3, 9), at(2026, 3, 5), [(at(2026, 3, 3), at(2026, 3, 2))])
    with pytest.raises(CalendarError):
        WorkingCalendar.weekdays(
            date(2026, 1, 1), date(2026, 1, 31), periods=((time(13), time(17)), (time(8), time(12)))
        )


def test_working_hours_are_configurable() -> None:
    summer = WorkingCalendar.weekdays(
        date(2026, 7, 1), date(2026, 7, 31), periods=((time(8), time(12)), (time(14), time(18)))
    )
    assert summer.day_length == 8 * H
    assert summer.add_working_days(at(2026, 7, 3, 9), 1) == at(2026, 7, 6, 18)


# ---- properties ----------------------------------------------------------------------
@given(moments, days_n, days_n)
def test_adding_days_composes(m: datetime, a: int, b: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(m, a), b) == CAL.add_working_days(m, a + b)


@given(moments, days_n)
def test_deadline_is_closing_time_of_the_nth_working_day_after_the_moments_day(
    m: datetime, n: int
) -> None:
    deadline = CAL.add_working_days(m, n)
    day = m.astimezone(SHANGHAI).date()
    assert deadline.timetz().replace(tzinfo=None) == time(17, 30)
    assert CAL.is_working_day(deadline.date())
    counted = [
        day + timedelta(i)
        for i in range(1, (deadline.date() - day).days + 1)
        if CAL.is_working_day(day + timedelta(i))
    ]
    assert len(counted) == n


@given(moments, days_n)
def test_remaining_at_the_start_is_n_working_days_plus_the_rest_of_the_day(
    m: datetime, n: int
) -> None:
    local = m.astimezone(SHANGHAI)
    closing = datetime.combine(local.date(), time(17, 30), SHANGHAI)
    rest_of_day = CAL.working_time_between(local, max(closing, local))
    assert CAL.remaining(CAL.add_working_days(m, n), m) == n * DAY + rest_of_day
    # Received after closing time or on a day off: exactly n days of working hours.
    if local >= closing or not CAL.is_working_day(local.date()):
        assert rest_of_day == timedelta(0)


@given(moments, durations)
def test_adding_hours_is_the_inverse_of_measuring(m: datetime, d: timedelta) -> None:
    later = CAL.add_working_hours(m, d)
    assert later >= m
    assert CAL.working_time_between(m, later) == d
    assert CAL.remaining(later, m) == d


@given(moments, days_n, days_n)
def test_n_days_of_hours_from_a_deadline_is_n_more_days(m: datetime, k: int, n: int) -> None:
    deadline = CAL.add_working_days(m, k)
    assert CAL.add_working_hours(deadline, n * DAY) == CAL.add_working_days(deadline, n)


def _in_order(a: datetime, b: datetime) -> tuple[datetime, datetime]:
    """Earlier first, as instants: two datetimes of one zone compare by wall clock, which
    gets a DST fall-back hour (01:00 EDT vs 01:00 EST) wrong; UTC does not."""
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    return min(a, b), max(a, b)


@given(moments, moments, days_n, durations)
def test_monotone(m1: datetime, m2: datetime, n: int, d: timedelta) -> None:
    m1, m2 = _in_order(m1, m2)
    assert CAL.add_working_days(m1, n) <= CAL.add_working_days(m2, n)
    assert CAL.add_working_hours(m1, d) <= CAL.add_working_hours(m2, d)
    assert CAL.working_time_between(m1, m2) >= timedelta(0)
    deadline = CAL.add_working_days(m1, n)
    assert CAL.remaining(deadline, m1) >= CAL.remaining(deadline, m2)


@given(moments, moments, moments)
def test_working_time_is_additive_and_antisymmetric(a: datetime, b: datetime, c: datetime) -> None:
    assert CAL.working_time_between(a, c) == CAL.working_time_between(
        a, b
    ) + CAL.working_time_between(b, c)
    assert CAL.working_time_between(a, b) == -CAL.working_time_between(b, a)


@given(moments, days_n, moments, moments, moments)
def test_a_pause_adds_back_exactly_its_elapsed_working_time(
    m: datetime, n: int, now: datetime, p1: datetime, p2: datetime
) -> None:
    deadline = CAL.add_working_days(m, n)
    start, end = _in_order(p1, p2)
    elapsed = CAL.working_time_between(start, max(start, min(end, now)))
    base = CAL.remaining(deadline, now)
    assert CAL.remaining(deadline, now, [(start, end)]) == base + elapsed
    # The same window twice, or split in two overlapping halves, still counts once.
    mid = start + (end - start) / 2
    assert CAL.remaining(deadline, now, [(start, end), (start, end)]) == base + elapsed
    assert CAL.remaining(deadline, now, [(mid, end), (start, mid)]) == base + elapsed


@settings(max_examples=50)
@given(moments, days_n, durations)
def test_overdue_by_working_time_is_negative(m: datetime, n: int, late: timedelta) -> None:
    assume(late > timedelta(0))
    deadline = CAL.add_working_days(m, n)
    now = CAL.add_working_hours(deadline, late)
    assert CAL.remaining(deadline, now) == -late < timedelta(0)
