"""General query (GM-9): each filter, the scope, keyset paging in both sorts, and the map
cells agreeing with the count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.calendar.service import load_calendar
from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.event import query, time_sql
from geo.event.deadlines import after_working_days, after_working_hours
from geo.event.errors import EventRuleError
from geo.event.models import EventSource
from geo.event.query import EventFilters, QuerySort
from geo.event.schemas import TimeState
from geo.event.time_sql import TimeStateFilter
from geo.event.workflow import Status
from tests.conftest import scalar
from tests.geo.event.event_flow import grid_point, user_id

YS_TOWN = "320582100000"
TQ_TOWN = "320582101000"


def _region(db: Session, code: str) -> int:
    return int(scalar(db, "SELECT id FROM region WHERE code = :c", c=code))  # type: ignore[arg-type]


def _ids(db: Session, actor: Actor, **filters: object) -> set[int]:
    """Every id the query finds (all pages)."""
    found: set[int] = set()
    cursor = None
    while True:
        page = query.query_events(
            db, actor=actor, filters=EventFilters(**filters), cursor=cursor, limit=200
        )  # type: ignore[arg-type]
        found |= {e.id for e in page.items}
        cursor = page.next_cursor
        if cursor is None:
            return found


def _update(db: Session, event_id: int, **values: object) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in values)
    db.execute(text(f"UPDATE event SET {sets} WHERE id = :id"), {**values, "id": event_id})


@pytest.fixture
def ys(actor_of: Callable[[str], Actor]) -> Actor:
    return actor_of("ys_dispatcher")


def test_keyword_searches_number_title_and_address(
    db: Session, ys: Actor, report: Callable[..., int]
) -> None:
    by_title = report(title="井盖缺失_甲乙丙")
    by_address = report(address="人民路 88% 号")
    other = report()
    number = scalar(db, "SELECT event_no FROM event WHERE id = :id", id=other)
    assert _ids(db, ys, keyword="甲乙丙") == {by_title}
    assert by_address in _ids(db, ys, keyword="88% 号")
    assert _ids(db, ys, keyword="8%号") == set()  # the % typed is a character, not a wildcard
    assert _ids(db, ys, keyword=str(number).lower()) == {other}


def test_status_category_severity_urgency_source(
    db: Session, ys: Actor, report: Callable[..., int], at_status: Callable[[Status], int]
) -> None:
    closed = at_status(Status.CLOSED)
    fresh = report(category_code="0201", severity=3, urgency=2, source="hotline")
    mine = {closed, fresh}
    assert _ids(db, ys, statuses=(Status.CLOSED,)) & mine == {closed}
    assert _ids(db, ys, statuses=(Status.REPORTED, Status.CLOSED)) & mine == mine
    assert _ids(db, ys, category="02") & mine == {fresh}  # with its sub-categories
    assert _ids(db, ys, category="0101") & mine == {closed}
    assert _ids(db, ys, severities=(3,)) & mine == {fresh}
    assert _ids(db, ys, urgencies=(1,)) & mine == {closed}
    assert _ids(db, ys, sources=(EventSource.HOTLINE,)) & mine == {fresh}
    assert _ids(db, ys, sources=(EventSource.PUBLIC,)) & mine == set()


def test_region_subtree_and_bbox(db: Session, ys: Actor, report: Callable[..., int]) -> None:
    event_id = report()
    grid = int(scalar(db, "SELECT region_id FROM event WHERE id = :id", id=event_id))  # type: ignore[arg-type]
    community = int(scalar(db, "SELECT parent_id FROM region WHERE id = :g", g=grid))  # type: ignore[arg-type]
    for region in (grid, community, _region(db, YS_TOWN)):
        assert event_id in _ids(db, ys, region_id=region)
    sibling = scalar(
        db, "SELECT id FROM region WHERE parent_id = :c AND id <> :g LIMIT 1", c=community, g=grid
    )
    assert event_id not in _ids(db, ys, region_id=sibling)
    lon, lat = grid_point(db)
    assert event_id in _ids(db, ys, bbox=(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001))
    assert event_id not in _ids(db, ys, bbox=(lon + 0.001, lat, lon + 0.002, lat + 0.001))


def test_reported_and_closed_day_ranges(
    db: Session, ys: Actor, at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.CLOSED)
    _update(
        db, event_id,
        reported_at=datetime(2026, 3, 2, 23, 50, tzinfo=SHANGHAI),
        closed_at=datetime(2026, 3, 10, 0, 10, tzinfo=SHANGHAI),
    )  # fmt: skip
    day = date
    assert event_id in _ids(db, ys, reported_from=day(2026, 3, 2), reported_to=day(2026, 3, 2))
    assert event_id not in _ids(db, ys, reported_from=day(2026, 3, 3))
    assert event_id not in _ids(db, ys, reported_to=day(2026, 3, 1))
    assert event_id in _ids(db, ys, closed_from=day(2026, 3, 10), closed_to=day(2026, 3, 10))
    assert event_id not in _ids(db, ys, closed_to=day(2026, 3, 9))
    with pytest.raises(EventRuleError, match="晚于"):
        _ids(db, ys, closed_from=day(2026, 3, 10), closed_to=day(2026, 3, 9))


def test_time_states_agree_with_the_colours(
    db: Session, ys: Actor, report: Callable[..., int], at_status: Callable[[Status], int]
) -> None:
    now = datetime.now(SHANGHAI)
    green, near_day, near_share, red = report(), report(), report(), report()
    _update(db, green, reported_at=now, deadline=after_working_days(db, start=now, days=5))
    _update(db, near_day, reported_at=now,
            deadline=after_working_hours(db, start=now, hours=3))  # fmt: skip
    _update(db, near_share, reported_at=now - timedelta(days=40),
            deadline=after_working_days(db, start=now, days=4))  # fmt: skip
    _update(db, red, reported_at=now - timedelta(days=10), deadline=now - timedelta(days=3))
    late, in_time = at_status(Status.CLOSED), at_status(Status.CLOSED)
    _update(db, late, deadline=now - timedelta(days=20))  # closed after its deadline
    _update(db, in_time, deadline=now + timedelta(days=20))
    mine = {green, near_day, near_share, red, late, in_time}

    def state(s: TimeStateFilter) -> set[int]:
        return _ids(db, ys, time_state=s) & mine

    assert state(TimeStateFilter.OVERDUE) == {red, late}
    assert state(TimeStateFilter.NEAR) == {near_day, near_share}
    assert state(TimeStateFilter.ON_TIME) == {green, in_time}
    # Every row a state finds wears that state's colour in the table.
    for wanted, colour in ((TimeStateFilter.OVERDUE, TimeState.RED),
                           (TimeStateFilter.NEAR, TimeState.YELLOW),
                           (TimeStateFilter.ON_TIME, TimeState.GREEN)):  # fmt: skip
        rows = query.query_events(
            db, actor=ys, filters=EventFilters(time_state=wanted, statuses=(Status.REPORTED,))
        ).items
        assert rows and {e.time_state for e in rows} == {colour}


def test_working_seconds_in_sql_equal_the_calendar(db: Session) -> None:
    start = datetime(2026, 9, 25, 10, 15, tzinfo=SHANGHAI)  # Friday before 中秋 / 国庆
    calendar = load_calendar(db, first=date(2026, 9, 20), last=date(2026, 10, 20))
    for end in (
        start + timedelta(hours=1),
        datetime(2026, 9, 25, 20, 0, tzinfo=SHANGHAI),
        datetime(2026, 10, 9, 9, 0, tzinfo=SHANGHAI),
        datetime(2026, 10, 14, 17, 30, tzinfo=SHANGHAI),
    ):
        seconds = db.scalar(select(time_sql.working_seconds(start, end)))
        assert seconds == calendar.working_time_between(start, end).total_seconds()


def test_assignee_department_and_reporter(
    db: Session, ys: Actor, report: Callable[..., int], at_status: Callable[[Status], int]
) -> None:
    dispatched = at_status(Status.DISPATCHED)  # to ys_handler
    to_department = report()
    department = int(
        scalar(db, "SELECT id FROM department ORDER BY id LIMIT 1")  # type: ignore[arg-type]
    )
    _update(db, to_department, assignee_department_id=department, status="dispatched")
    handler, grid_member = user_id(db, "ys_handler"), user_id(db, "ys_grid")
    mine = {dispatched, to_department}
    assert _ids(db, ys, assignee_id=handler) & mine == {dispatched}
    assert _ids(db, ys, department_id=department) & mine == {to_department}
    assert _ids(db, ys, reporter_id=grid_member) & mine == mine
    assert _ids(db, ys, reporter_id=handler) & mine == set()


def test_scope_isolation(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int]
) -> None:
    ys_event, tq_event = report("ys_grid"), report("tq_grid")
    ys, tq = actor_of("ys_dispatcher"), actor_of("tq_dispatcher")
    seen_by_ys, seen_by_tq = _ids(db, ys), _ids(db, tq)
    assert ys_event in seen_by_ys and tq_event not in seen_by_ys
    assert tq_event in seen_by_tq and ys_event not in seen_by_tq
    assert not seen_by_ys & seen_by_tq
    outside = [
        int(r)
        for r in db.scalars(
            text("SELECT e.id FROM event e JOIN region r ON r.id = e.region_id "
                 "WHERE r.path::text NOT LIKE :ys"),
            {"ys": f"%{YS_TOWN}%"},
        )
    ]  # fmt: skip
    assert outside and not seen_by_ys & set(outside)
    with pytest.raises(NotFound):
        _ids(db, ys, region_id=_region(db, TQ_TOWN))
    total = query.count_events(db, actor=ys, filters=EventFilters())
    assert total == len(seen_by_ys)


def _all_pages(db: Session, actor: Actor, sort: QuerySort, limit: int) -> list[int]:
    out: list[int] = []
    cursor = None
    while True:
        page = query.query_events(
            db, actor=actor, filters=EventFilters(), sort=sort, cursor=cursor, limit=limit
        )
        out += [e.id for e in page.items]
        if page.next_cursor is None:
            return out
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", list(QuerySort))
def test_keyset_pages_have_no_duplicates_or_gaps(
    db: Session, ys: Actor, report: Callable[..., int], sort: QuerySort
) -> None:
    now = datetime.now(SHANGHAI)
    same = [report() for _ in range(5)]  # ties on both sort keys: the id decides
    for event_id in same:
        _update(db, event_id, reported_at=now, deadline=now + timedelta(days=3))
    order = (
        "e.deadline ASC NULLS LAST, e.id ASC"
        if sort is QuerySort.DEADLINE_ASC
        else "e.reported_at DESC, e.id DESC"
    )
    expected = [
        int(r)
        for r in db.scalars(
            text(f"SELECT e.id FROM event e JOIN region r ON r.id = e.region_id "
                 f"WHERE r.path <@ CAST(:p AS ltree) ORDER BY {order}"),
            {"p": ys.region_path},
        )
    ]  # fmt: skip
    assert len(expected) > 200
    pages = _all_pages(db, ys, sort, limit=97)
    assert pages == expected


def test_a_forged_cursor_is_refused(db: Session, ys: Actor) -> None:
    with pytest.raises(EventRuleError, match="游标"):
        query.query_events(db, actor=ys, filters=EventFilters(), cursor="not-a-cursor")


def test_map_cells_add_up_to_the_count_and_points_are_capped(
    db: Session, ys: Actor, report: Callable[..., int], at_status: Callable[[Status], int]
) -> None:
    report()
    overdue = report()
    _update(db, overdue, deadline=datetime.now(SHANGHAI) - timedelta(days=1))
    view = (120.0, 31.0, 121.5, 32.5)
    for filters in (
        EventFilters(),
        EventFilters(statuses=(Status.CLOSED,)),
        EventFilters(category="01", severities=(1, 2)),
    ):
        count = query.count_events(db, actor=ys, filters=replace(filters, bbox=view))
        assert count > 0
        cells = query.map_events(db, actor=ys, filters=filters, bbox=view, zoom=12)
        assert cells.mode == "cells" and len(cells.cells) > 1
        assert sum(c.count for c in cells.cells) == cells.total == count
        points = query.map_events(db, actor=ys, filters=filters, bbox=view, zoom=16)
        assert points.mode == "points" and points.total == count
        assert len(points.points) == min(count, query.MAX_POINTS)
        assert points.truncated is (count > query.MAX_POINTS)
    reported = query.map_events(
        db, actor=ys, filters=EventFilters(statuses=(Status.REPORTED,)), bbox=view, zoom=16
    )
    flags = {p.id: p.overdue for p in reported.points}
    assert flags[overdue] is True and not all(flags.values())


def test_map_points_stay_in_scope(db: Session, actor_of: Callable[[str], Actor]) -> None:
    view = (120.0, 31.0, 121.5, 32.5)
    tq = actor_of("tq_dispatcher")
    ids = {p.id for p in query.map_events(db, actor=tq, filters=EventFilters(), bbox=view,
                                          zoom=16).points}  # fmt: skip
    assert ids == _ids(db, tq, bbox=view)
    with pytest.raises(EventRuleError, match="bbox"):
        query.map_events(db, actor=tq, filters=EventFilters(), bbox=(121, 31, 120, 32), zoom=12)
