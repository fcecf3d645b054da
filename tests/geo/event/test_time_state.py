"""The remaining time of work orders (GM-5): working hours to the deadline on the
calendar, negative once overdue, coloured green / yellow / red."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.event import service
from geo.event.deadlines import after_working_days, after_working_hours
from geo.event.schemas import TimeState
from geo.event.workflow import Status


def _set(db: Session, event_id: int, *, reported_at: datetime, deadline: datetime) -> None:
    db.execute(
        text("UPDATE event SET reported_at = :r, deadline = :d WHERE id = :id"),
        {"r": reported_at, "d": deadline, "id": event_id},
    )


def test_colours_follow_the_share_of_time_left_and_the_overdue(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int]
) -> None:
    now = datetime.now(SHANGHAI)
    green, yellow_day, yellow_share, red = report(), report(), report(), report()
    _set(db, green, reported_at=now, deadline=after_working_days(db, start=now, days=5))
    _set(db, yellow_day, reported_at=now, deadline=after_working_hours(db, start=now, hours=3))
    # 30 working days allowed, 4 left: under 20 % though more than a day.
    start = now - timedelta(days=40)
    _set(db, yellow_share, reported_at=start,
         deadline=after_working_days(db, start=now, days=4))  # fmt: skip
    _set(db, red, reported_at=now - timedelta(days=10), deadline=now - timedelta(days=3))
    dispatcher = actor_of("ys_dispatcher")
    page = service.list_events(db, actor=dispatcher, limit=20)
    by_id = {e.id: e for e in page.items}
    assert by_id[green].time_state is TimeState.GREEN and by_id[green].remaining_hours > 7.5
    assert by_id[yellow_day].time_state is TimeState.YELLOW
    assert 0 < by_id[yellow_day].remaining_hours <= 3
    assert by_id[yellow_share].time_state is TimeState.YELLOW
    assert by_id[red].time_state is TimeState.RED and by_id[red].remaining_hours < 0
    detail = service.get_event(db, actor=dispatcher, event_id=red)
    assert detail.time_state is TimeState.RED
    assert detail.remaining_hours == by_id[red].remaining_hours


def test_finished_work_orders_have_no_remaining_time(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    closed = service.get_event(
        db, actor=actor_of("ys_dispatcher"), event_id=at_status(Status.CLOSED)
    )
    assert closed.remaining_hours is None and closed.time_state is None
