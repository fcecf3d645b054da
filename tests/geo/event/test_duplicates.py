"""Suspected duplicates (GIS-5): a report finds the open work orders of its category
within the region's distance and time window; a dispatcher merges one into another."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.event import dispatch, service
from geo.event.errors import EventRuleError
from geo.event.workflow import Status
from tests.conftest import scalar
from tests.geo.event.event_flow import grid_point


def _shift(db: Session, lon: float, lat: float, metres_east: float) -> tuple[float, float]:
    """The point `metres_east` metres east of (lon, lat), on the spheroid."""
    row = db.execute(
        text("""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Project(
                    ST_SetSRID(ST_MakePoint(:lon, :lat), 4490)::geography, :d, pi() / 2
                )::geometry AS p) AS q"""),
        {"lon": lon, "lat": lat, "d": metres_east},
    ).one()
    return float(row[0]), float(row[1])


def _candidates(db: Session, actor_of: Callable[[str], Actor], event_id: int) -> set[int]:
    detail = service.get_event(db, actor=actor_of("ys_dispatcher"), event_id=event_id)
    return {c.id for c in detail.duplicate_of_candidates}


def _candidates(db: Session, actor_of: Callable[[str], Actor], event_id: int) -> set[int]:
    detail = service.get_event(db, actor=actor_of("ys_dispatcher"), event_id=event_id)
    return {c.id for c in detail.duplicate_of_candidates}


def test_a_near_report_of_the_same_category_is_flagged(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int]
) -> None:
    lon, lat = grid_point(db)
    first = report()
    near = _shift(db, lon, lat, 30)
    second = report(lon=near[0], lat=near[1])
    detail = service.get_event(db, actor=actor_of("ys_dispatcher"), event_id=second)
    found = {c.id: c for c in detail.duplicate_of_candidates}
    assert first in found
    assert 25 < found[first].distance_m < 35
    assert detail.suspected_duplicate is True
    # The earlier report was not a duplicate of anything when it came in.
    assert _candidates(db, actor_of, first) == set()


def test_far_other_category_or_closed_work_orders_are_not_flagged(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int],
    at_status: Callable[[Status], int],
) -> None:  # fmt: skip
    lon, lat = grid_point(db)
    closed = at_status(Status.CLOSED)
    other = report(category_code="0102")
    far = _shift(db, lon, lat, 80)  # the default distance is 50 m
    far_one = report(lon=far[0], lat=far[1])
    twin = report()
    new = report()
    ids = _candidates(db, actor_of, new)
    assert twin in ids and not ids & {closed, other, far_one}


def test_the_region_parameters_set_the_distance_and_the_window(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int]
) -> None:
    lon, lat = grid_point(db)
    town = scalar(db, "SELECT id FROM region WHERE code = '320582100000'")
    db.execute(
        text("""INSERT INTO system_parameter (key, value, region_id) VALUES
                ('event.duplicate_distance_m', '100', :town),
                ('event.duplicate_window_hours', '1', :town)"""),
        {"town": town},
    )
    old = report()
    db.execute(
        text("UPDATE event SET reported_at = reported_at - interval '2 hours' WHERE id = :id"),
        {"id": old},
    )
    recent = report()
    far = _shift(db, lon, lat, 80)
    new = report(lon=far[0], lat=far[1])
    ids = _candidates(db, actor_of, new)
    assert recent in ids  # 80 m: inside the town's 100 m
    assert old not in ids  # two hours ago: outside the town's one-hour window


def test_merge_cancels_the_duplicate_and_writes_both_histories(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int]
) -> None:
    kept, duplicate = report(), report()
    merged = dispatch.merge(
        db, actor=actor_of("ys_dispatcher"), event_id=duplicate, into_id=kept, opinion="同一车辆"
    )
    assert merged.status is Status.CANCELLED and merged.merged_into_id == kept
    assert merged.closed_at is not None
    kept_detail = service.get_event(db, actor=actor_of("ys_dispatcher"), event_id=kept)
    assert kept_detail.status is Status.REPORTED
    for detail in (merged, kept_detail):
        last = detail.history[-1]
        assert last.action == "merge" and last.action_label == "合并"
        assert f"{merged.event_no} 合并到 {kept_detail.event_no}" in (last.opinion or "")
    audit = db.execute(
        text("""SELECT actor_name, after FROM audit_log
                WHERE action = 'event.merge' AND object_id = :id"""),
        {"id": str(duplicate)},
    ).one()
    assert audit.after["merged_into_id"] == kept
    # A cancelled work order no longer flags the kept one as having an open duplicate.
    with pytest.raises(Conflict):
        dispatch.merge(db, actor=actor_of("ys_dispatcher"), event_id=duplicate, into_id=kept)


def test_merge_refuses_a_closed_kept_one_itself_and_non_dispatchers(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int],
    at_status: Callable[[Status], int],
) -> None:  # fmt: skip
    closed, duplicate = at_status(Status.CLOSED), report()
    dispatcher = actor_of("ys_dispatcher")
    with pytest.raises(EventRuleError, match="不能作为合并的保留工单"):
        dispatch.merge(db, actor=dispatcher, event_id=duplicate, into_id=closed)
    with pytest.raises(EventRuleError, match="它自己"):
        dispatch.merge(db, actor=dispatcher, event_id=duplicate, into_id=duplicate)
    with pytest.raises(Forbidden):
        dispatch.merge(db, actor=actor_of("ys_grid"), event_id=duplicate, into_id=closed)
    assert service.get_event(db, actor=dispatcher, event_id=duplicate).status is Status.REPORTED


def test_merge_is_for_the_claimer_and_within_one_town(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int]
) -> None:
    kept, duplicate = report(), report()
    service.transition(db, actor=actor_of("center"), event_id=duplicate, action="claim")
    with pytest.raises(Forbidden, match="索取"):
        dispatch.merge(db, actor=actor_of("ys_dispatcher"), event_id=duplicate, into_id=kept)
    tq = report("tq_grid")
    with pytest.raises(NotFound):  # another town's work order is not even visible
        dispatch.merge(db, actor=actor_of("ys_dispatcher"), event_id=kept, into_id=tq)
    with pytest.raises(EventRuleError, match="同一镇街"):
        dispatch.merge(db, actor=actor_of("center"), event_id=kept, into_id=tq)
