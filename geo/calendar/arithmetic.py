"""Deadline arithmetic on working days and working hours — pure, no database.

A `WorkingCalendar` is the set of working dates of one closed date range (loaded once by
`service.load_calendar`, or built directly in tests) plus the daily working periods
(default 08:30–12:00 and 13:30–17:30, 7.5 h a day) in a time zone (default Asia/Shanghai).
Every function takes and returns time-zone-aware datetimes and computes in the calendar's
zone, whatever the server's zone; naive datetimes are refused. Any date outside the
loaded range raises `CalendarNotLoaded` — whether people work that day is never assumed.

The deadline rule (`add_working_days`)
--------------------------------------
The deadline of "n working days from a moment" is the END of working hours (17:30) of the
n-th working day AFTER the moment's calendar day; the day of the moment itself never
counts, whatever the hour. This is the rule of Civil Code art. 201 (按日计算期间的，开始的
当日不计入，自下一日开始计算) applied to the Administrative Licensing Law's working-day
periods (art. 82: 以工作日计算，不含法定节假日). So an application received on Friday
26 June 2026 at 16:00 with 20 working days counts Monday 29 June as day 1 and is due on
Friday 24 July 2026 at 17:30; one received that Saturday or Sunday has the same deadline,
and one received on Friday 25 September 2026 (中秋节) runs from Monday 28 September. The rule
is predictable (a clerk can count it on a wall calendar), never shortens a period because
the paper arrived late in the day, and composes: adding a, then b days equals adding a+b
(the +10-day extension of art. 42 is `add_working_days(deadline, 10)`).

`remaining(deadline, now, pauses)` is the working time between now and the deadline
(negative once overdue) plus the working time of the pause windows already elapsed —
hearings, testing, expert review and the like do not count against the period (Licensing
Law art. 45): while the clock is stopped, the deadline effectively moves out.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from geo.calendar.errors import CalendarError, CalendarNotLoaded, NaiveDatetimeError

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(13, 30), time(17, 30)),
)
_ZERO = timedelta(0)
_MIDNIGHT = time(0)

Pause = tuple[datetime, datetime | None]  # (start, end); end None = still paused


def _seconds(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


@dataclass(frozen=True)
class WorkingCalendar:
    """The working dates of [first, last] and the working periods of a working day."""

    first: date
    last: date
    working_days: frozenset[date]
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    tz: ZoneInfo = SHANGHAI
    _sorted: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise CalendarError(f"日历范围无效：{self.first} 晚于 {self.last}")
        outside = [d for d in self.working_days if not self.first <= d <= self.last]
        if outside:
            raise CalendarError(f"工作日 {min(outside)} 不在日历范围 {self.first}～{self.last} 内")
        if not self.periods:
            raise CalendarError("至少需要一个工作时段")
        previous_end = _MIDNIGHT
        for i, (start, end) in enumerate(self.periods):
            if not start < end or (i and start < previous_end):
                raise CalendarError("工作时段必须按时间先后排列、互不重叠，且开始早于结束")
            previous_end = end
        object.__setattr__(self, "_sorted", tuple(sorted(self.working_days)))

    # ---- construction ------------------------------------------------------------------
    @classmethod
    def weekdays(
        cls,
        first: date,
        last: date,
        *,
        holidays: Iterable[date] = (),
        makeup_workdays: Iterable[date] = (),
        periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS,
        tz: ZoneInfo = SHANGHAI,
    ) -> WorkingCalendar:
        """Mon–Fri working, minus holidays, plus make-up working days (tests, tools)."""
        days = {first + timedelta(i) for i in range((last - first).days + 1)}
        working = {d for d in days if d.weekday() < 5} - set(holidays) | set(makeup_workdays)
        return cls(first, last, frozenset(working & days), periods, tz)

    # ---- queries -----------------------------------------------------------------------
    @property
    def day_length(self) -> timedelta:
        """Working time of one working day (7.5 h by default)."""
        return sum((_seconds(e) - _seconds(s) for s, e in self.periods), _ZERO)

    @property
    def closing_time(self) -> time:
        return self.periods[-1][1]

    def is_working_day(self, day: date) -> bool:
        self._check(day)
        return day in self.working_days

    def local(self, moment: datetime) -> datetime:
        """The moment in the calendar's zone; refuses naive datetimes."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise NaiveDatetimeError(f"时间 {moment.isoformat()} 缺少时区，无法计算期限")
        local = moment.astimezone(self.tz)
        self._check(local.date())
        return local

    # ---- arithmetic --------------------------------------------------------------------
    def add_working_days(self, moment: datetime, n: int) -> datetime:
        """End of working hours of the n-th working day after the moment's day (n ≥ 1)."""
        if n < 1:
            raise CalendarError(f"期限天数必须是正整数，收到 {n}")
        day = self.local(moment).date()
        index = bisect.bisect_right(self._sorted, day) + n - 1
        if index >= len(self._sorted):
            raise CalendarNotLoaded(
                f"自 {day} 起第 {n} 个工作日超出已加载的日历（至 {self.last}），"
                f"请先生成 {self.last.year + 1} 年日历"
            )
        return datetime.combine(self._sorted[index], self.closing_time, self.tz)

    def add_working_hours(self, moment: datetime, hours: float | timedelta) -> datetime:
        """The earliest moment by which `hours` of working time have passed since `moment`."""
        left = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if left < _ZERO:
            raise CalendarError("工作时长不能为负数")
        local = self.local(moment)
        if left == _ZERO:
            return local
        day, clock = local.date(), _seconds(local.timetz().replace(tzinfo=None))
        while True:
            self._check(day)
            if day in self.working_days:
                for start, end in self.periods:
                    begin = max(_seconds(start), clock)
                    available = _seconds(end) - begin
                    if available <= _ZERO:
                        continue
                    if left <= available:
                        return datetime.combine(day, _MIDNIGHT, self.tz) + begin + left
                    left -= available
            day, clock = day + timedelta(1), _ZERO

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from start to end; negative when end is before start."""
        a, b = self.local(start), self.local(end)
        if b < a:
            return -self.working_time_between(end, start)
        if a.date() == b.date():
            return self._within_day(a.date(), _clock(a), _clock(b))
        whole_days = self._working_days_between(a.date() + timedelta(1), b.date())
        return (
            self._within_day(a.date(), _clock(a), timedelta(days=1))
            + whole_days * self.day_length
            + self._within_day(b.date(), _ZERO, _clock(b))
        )

    def remaining(
        self, deadline: datetime, now: datetime, pauses: Sequence[Pause] = ()
    ) -> timedelta:
        """Working time left until the deadline (negative when overdue), the clock stopped
        during the pause windows elapsed so far (overlapping windows count once)."""
        left = self.working_time_between(now, deadline)
        for start, stop in _merged(self, pauses, now):
            left += self.working_time_between(start, stop)
        return left

    # ---- internals ---------------------------------------------------------------------
    def _check(self, day: date) -> None:
        if not self.first <= day <= self.last:
            raise CalendarNotLoaded(
                f"{day} 不在已加载的工作日历范围（{self.first}～{self.last}）内，"
                f"请先生成 {day.year} 年日历"
            )

    def _working_days_between(self, first: date, last: date) -> int:
        """Working days in [first, last) — both within the range."""
        return bisect.bisect_left(self._sorted, last) - bisect.bisect_left(self._sorted, first)

    def _within_day(self, day: date, since: timedelta, until: timedelta) -> timedelta:
        if day not in self.working_days:
            return _ZERO
        total = _ZERO
        for start, end in self.periods:
            overlap = min(until, _seconds(end)) - max(since, _seconds(start))
            if overlap > _ZERO:
                total += overlap
        return total


def _clock(local: datetime) -> timedelta:
    return local - datetime.combine(local.date(), _MIDNIGHT, local.tzinfo)


def _merged(
    cal: WorkingCalendar, pauses: Sequence[Pause], now: datetime
) -> list[tuple[datetime, datetime]]:
    """Pause windows clipped to `now` (an open pause runs until now), sorted and merged."""
    now = cal.local(now)
    clipped: list[tuple[datetime, datetime]] = []
    for start, stop in pauses:
        begin = cal.local(start)
        end = None if stop is None else cal.local(stop)
        if end is not None and end < begin:
            raise CalendarError(f"暂停时段 {begin.isoformat()} 的结束早于开始")
        end = now if end is None else min(end, now)
        if begin < end:
            clipped.append((begin, end))
    clipped.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in clipped:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged
