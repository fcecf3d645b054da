"""The remaining time of work orders (GM-5): working hours to the deadline on the
calendar and its colour — green on time, yellow near (under 20 % of the allowed time or
under one working day left), red overdue. One calendar load for a whole page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import WorkingCalendar
from geo.calendar.errors import CalendarNotLoaded
from geo.event.deadlines import calendar_covering
from geo.event.schemas import TimeState
from geo.event.workflow import Status

NEAR_SHARE = 0.2  # yellow under this share of the allowed time


@dataclass(frozen=True)
class Timing:
    remaining_hours: float | None = None
    time_state: TimeState | None = None


NONE = Timing()


def timings(session: Session, rows: Sequence[Row[Any]], *, now: datetime) -> dict[int, Timing]:
    """Timing of each open work order with a deadline, by id (others are absent)."""
    running = [r for r in rows if r.deadline is not None and Status(r.status).is_open]
    if not running:
        return {}
    moments = [now, *(r.deadline for r in running), *(r.reported_at for r in running)]
    try:
        calendar = calendar_covering(session, moments)
    except CalendarNotLoaded:
        return {}  # a year not generated: the list still shows, without colours
    if calendar is None:
        return {}
    return {r.id: timing(calendar, r.reported_at, r.deadline, now=now) for r in running}


def timing(
    calendar: WorkingCalendar, reported_at: datetime, deadline: datetime, *, now: datetime
) -> Timing:
    left = calendar.working_time_between(now, deadline)
    allowed = calendar.working_time_between(reported_at, deadline)
    return Timing(
        round(left.total_seconds() / 3600, 2), state(left, allowed, calendar, now > deadline)
    )


def state(
    left: timedelta, allowed: timedelta, calendar: WorkingCalendar, overdue: bool
) -> TimeState:
    if overdue:
        return TimeState.RED
    if left < calendar.day_length or left < allowed * NEAR_SHARE:
        return TimeState.YELLOW
    return TimeState.GREEN
