"""The remaining-time colours in SQL (GM-8): on time, near the deadline, overdue — the same
verdicts as `geo.event.timing` reaches in Python on the working-day calendar, so lists can
filter on them in the database instead of reading rows to sort them out."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Date,
    Time,
    and_,
    cast,
    column,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    values,
)
from sqlalchemy.sql.elements import ColumnElement

from geo.calendar.arithmetic import DEFAULT_PERIODS
from geo.calendar.models import CalendarDay
from geo.event.models import Event
from geo.event.schemas import TimeState
from geo.event.timing import NEAR_SHARE
from geo.event.workflow import Status

ZONE = "Asia/Shanghai"
_OPEN = tuple(s.value for s in Status if s.is_open)
_DAY_SECONDS = sum(
    (datetime.combine(date.min, e) - datetime.combine(date.min, s)).seconds
    for s, e in DEFAULT_PERIODS
)


class TimeStateFilter(StrEnum):
    ON_TIME = "on_time"  # 正常：未到期，或按期办结
    NEAR = "near"  # 临期：剩余不足一个工作日或不足允许时间的 20 %
    OVERDUE = "overdue"  # 超期：未办结且已过期限，或办结晚于期限


def _is_open() -> ColumnElement[bool]:
    return Event.status.in_(_OPEN)


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(_is_open(), Event.deadline < now),
        and_(not_(_is_open()), Event.closed_at > Event.deadline),
    )


def _near(now: datetime) -> ColumnElement[bool]:
    """Open, not yet due, and under a working day or under 20 % of the allowed time left."""
    left = working_seconds(literal(now), Event.deadline)
    allowed = working_seconds(Event.reported_at, Event.deadline)
    return and_(
        _is_open(),
        Event.deadline >= now,
        left < func.greatest(_DAY_SECONDS, NEAR_SHARE * allowed),
    )


def time_state_condition(state: TimeStateFilter, *, now: datetime) -> ColumnElement[bool]:
    if state is TimeStateFilter.OVERDUE:
        return overdue_condition(now)
    if state is TimeStateFilter.NEAR:
        return _near(now)
    running = and_(_is_open(), Event.deadline >= now, not_(_near(now)))
    finished = and_(
        not_(_is_open()),
        Event.deadline.is_not(None),
        or_(Event.closed_at.is_(None), Event.closed_at <= Event.deadline),
    )
    return or_(running, finished)


def working_seconds(start: Any, end: Any) -> ColumnElement[float]:
    """Working seconds between two moments on the calendar (SYS-9), the same sum as
    `WorkingCalendar.working_time_between` for start ≤ end: each working day's periods
    (08:30–12:00, 13:30–17:30 in Asia/Shanghai) clipped to [start, end]."""
    period = values(column("opens", Time), column("closes", Time), name="working_period").data(
        list(DEFAULT_PERIODS)
    )
    opens = func.timezone(ZONE, CalendarDay.day + period.c.opens)
    closes = func.timezone(ZONE, CalendarDay.day + period.c.closes)
    overlap = func.extract("epoch", func.least(end, closes) - func.greatest(start, opens))
    first = cast(func.timezone(ZONE, start), Date)
    last = cast(func.timezone(ZONE, end), Date)
    return (
        select(func.coalesce(func.sum(func.greatest(overlap, 0)), 0))
        .select_from(CalendarDay)
        .join(period, true())
        .where(CalendarDay.is_working, CalendarDay.day.between(first, last))
        .scalar_subquery()
    )


def colour_condition(colour: TimeState, *, now: datetime) -> ColumnElement[bool]:
    """Open work orders showing that colour on the desks."""
    if colour is TimeState.RED:
        return and_(_is_open(), Event.deadline < now)
    if colour is TimeState.YELLOW:
        return _near(now)
    return and_(_is_open(), Event.deadline >= now, not_(_near(now)))
