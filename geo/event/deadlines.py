"""Working-time arithmetic of work orders on the calendar (SYS-9): deadlines of n working
days or hours from a moment, and the working time left until a deadline."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI, WorkingCalendar
from geo.calendar.errors import CalendarNotLoaded
from geo.calendar.service import load_calendar
from geo.event import repository as repo

# Working hours of a day (08:30–12:00, 13:30–17:30): how many days an hours deadline spans.
_DAY_HOURS = 7.5


def _last_working_day(session: Session, *, after: date, n: int) -> date:
    last = repo.nth_working_day_after(session, day=after, n=n)
    if last is None:
        raise CalendarNotLoaded(f"{after.year} 年之后的工作日历尚未生成，无法计算期限")
    return last


def after_working_days(session: Session, *, start: datetime, days: int) -> datetime:
    """End of working hours of the `days`-th working day after the start's day."""
    first = start.astimezone(SHANGHAI).date()
    calendar = load_calendar(
        session, first=first, last=_last_working_day(session, after=first, n=days)
    )
    return calendar.add_working_days(start, days)


def after_working_hours(session: Session, *, start: datetime, hours: int) -> datetime:
    """The moment `hours` of working time after the start (evenings and days off skipped)."""
    first = start.astimezone(SHANGHAI).date()
    days = math.ceil(hours / _DAY_HOURS) + 1
    calendar = load_calendar(
        session, first=first, last=_last_working_day(session, after=first, n=days)
    )
    return calendar.add_working_hours(start, hours)


def calendar_covering(session: Session, moments: Iterable[datetime]) -> WorkingCalendar | None:
    """One calendar spanning every moment (None when there is none)."""
    days = [m.astimezone(SHANGHAI).date() for m in moments]
    if not days:
        return None
    return load_calendar(session, first=min(days), last=max(days))


def working_hours_left(calendar: WorkingCalendar, *, deadline: datetime, now: datetime) -> float:
    """Working hours until the deadline, negative once it has passed (two decimals)."""
    left: timedelta = calendar.working_time_between(now, deadline)
    return round(left.total_seconds() / 3600, 2)
