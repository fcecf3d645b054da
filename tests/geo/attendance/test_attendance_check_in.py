"""Check-ins judged against the member's grids (GIS-7): tolerance, GPS accuracy and its
cap, fixes too vague to count, positions refused at the door, members without a grid."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.attendance import service
from geo.attendance.errors import AttendanceRuleError
from geo.attendance.models import Verdict
from geo.attendance.schemas import CheckInCreate
from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import Forbidden
from geo.parameter.service import set_parameter
from tests.geo.attendance.attendance_places import beyond, inside, member_grid

NOW = datetime(2025, 6, 10, 9, 30, tzinfo=SHANGHAI)  # a Tuesday, no demo check-ins
RULE = service.Rule(tolerance_m=30, accuracy_cap_m=50, max_accuracy_m=200)


def _check_in(db: Session, actor: Actor, lon: float, lat: float, accuracy: float, **more: object):  # noqa: ANN202
    data = CheckInCreate(lon=lon, lat=lat, accuracy_m=accuracy, **more)
    return service.check_in(db, actor=actor, data=data, now=NOW)


# ---- the rule itself ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("distance", "accuracy", "verdict", "allowance"),
    [
        (0, 5, Verdict.IN_GRID, 35),
        (35, 5, Verdict.IN_GRID, 35),  # exactly on the allowance: in
        (35.01, 5, Verdict.OUT_OF_GRID, 35),
        (60, 30, Verdict.IN_GRID, 60),  # the phone's uncertainty widens the allowance
        (81, 150, Verdict.OUT_OF_GRID, 80),  # … up to the cap of 50 m
        (80, 200, Verdict.IN_GRID, 80),  # 200 m is still counted
        (0, 200.5, Verdict.LOW_ACCURACY, 80),  # worse than that: recorded, not counted
    ],
)
def test_judge(distance: float, accuracy: float, verdict: Verdict, allowance: float) -> None:
    assert service.judge(distance_m=distance, accuracy_m=accuracy, rule=RULE) == (
        verdict,
        allowance,
    )


# ---- against the demo grid ---------------------------------------------------------------
def test_inside_the_grid_is_in_and_opens_the_day(db: Session, actor_of: Callable) -> None:
    member = actor_of("ys_grid")
    lon, lat = inside(db, "ys_grid")
    got = _check_in(db, member, lon, lat, 12, note="  巡查沿街商铺  ")
    assert (got.verdict, got.distance_m, got.allowance_m) == (Verdict.IN_GRID, 0, 42)
    assert got.grid_id == member_grid(db, "ys_grid")
    assert got.note == "巡查沿街商铺"
    mine = service.my_day(db, actor=member, now=NOW)
    assert mine.day is not None and mine.day.work_day == NOW.date()
    assert (mine.day.in_count, mine.day.out_count, mine.day.status) == (1, 0, "pending")
    assert [c.id for c in mine.check_ins] == [got.id]
    audit = db.execute(
        text("SELECT actor_name, after->>'verdict' FROM audit_log "
             "WHERE action = 'attendance.check_in' AND object_id = :id"),
        {"id": str(got.id)},
    ).one()  # fmt: skip
    assert tuple(audit) == (member.display_name, "in_grid")


@pytest.mark.parametrize(
    ("metres", "accuracy", "verdict"),
    [
        (20, 5, Verdict.IN_GRID),  # within the 30 m tolerance
        (50, 10, Verdict.OUT_OF_GRID),  # allowance 40
        (50, 25, Verdict.IN_GRID),  # allowance 55
        (100, 150, Verdict.OUT_OF_GRID),  # allowance capped at 80
        (300, 5, Verdict.OUT_OF_GRID),
    ],
)
def test_outside_the_grid_within_tolerance_and_accuracy(
    db: Session, actor_of: Callable, metres: float, accuracy: float, verdict: Verdict
) -> None:
    lon, lat = beyond(db, "ys_grid", metres)
    got = _check_in(db, actor_of("ys_grid"), lon, lat, accuracy)
    assert got.distance_m == pytest.approx(metres, abs=1)
    assert got.verdict is verdict


def test_a_vague_fix_is_recorded_but_not_counted(db: Session, actor_of: Callable) -> None:
    member = actor_of("ys_grid")
    lon, lat = inside(db, "ys_grid")
    got = _check_in(db, member, lon, lat, 250)
    assert got.verdict is Verdict.LOW_ACCURACY
    assert got.verdict_label == "精度不足，不计入"
    day = service.my_day(db, actor=member, now=NOW).day
    assert day is not None
    assert (day.in_count, day.out_count, day.low_accuracy_count, day.in_grid_rate) == (
        0, 0, 1, None,
    )  # fmt: skip


def test_counts_and_rate_add_up_over_the_day(db: Session, actor_of: Callable) -> None:
    member = actor_of("ys_grid")
    for metres, accuracy in ((0, 10), (0, 10), (0, 10), (400, 10)):
        lon, lat = beyond(db, "ys_grid", metres) if metres else inside(db, "ys_grid")
        _check_in(db, member, lon, lat, accuracy)
    day = service.my_day(db, actor=member, now=NOW).day
    assert day is not None
    assert (day.in_count, day.out_count, day.in_grid_rate) == (3, 1, 0.75)


def test_a_town_override_of_the_tolerance_applies(db: Session, actor_of: Callable) -> None:
    town = db.execute(text("SELECT id FROM region WHERE code = '320582100000'")).scalar_one()
    lon, lat = beyond(db, "ys_grid", 80)
    assert _check_in(db, actor_of("ys_grid"), lon, lat, 5).verdict is Verdict.OUT_OF_GRID
    set_parameter(db, key="attendance.tolerance_m", value=100, region_id=town)
    got = _check_in(db, actor_of("ys_grid"), lon, lat, 5)
    assert (got.verdict, got.allowance_m) == (Verdict.IN_GRID, 105)


def test_a_repeated_submission_is_not_counted_twice(db: Session, actor_of: Callable) -> None:
    member = actor_of("ys_grid")
    lon, lat = inside(db, "ys_grid")
    first = _check_in(db, member, lon, lat, 8, client_ref="phone-7f3a-0001")
    again = _check_in(db, member, lon, lat, 8, client_ref="phone-7f3a-0001")
    assert again.id == first.id
    day = service.my_day(db, actor=member, now=NOW).day
    assert day is not None and day.in_count == 1


# ---- refused at the door -----------------------------------------------------------------
def test_a_member_without_a_grid_gets_a_clear_refusal(db: Session, actor_of: Callable) -> None:
    officer = dataclasses.replace(
        actor_of("ys_officer"), permissions=frozenset({"attendance.check_in"})
    )
    lon, lat = inside(db, "ys_grid")
    with pytest.raises(AttendanceRuleError, match="还没有负责或协助的网格") as e:
        _check_in(db, officer, lon, lat, 10)
    assert e.value.status == 422


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("swapped", "经纬度顺序颠倒"),
        ("far", "不在辖区范围内"),
        ("nonsense", "坐标不是经纬度"),
    ],
)
def test_positions_are_checked_at_the_door(
    db: Session, actor_of: Callable, where: str, message: str
) -> None:
    lon, lat = inside(db, "ys_grid")
    position = {"swapped": (lat, lon), "far": (116.397, 39.909), "nonsense": (500.0, 31.0)}
    with pytest.raises(AttendanceRuleError, match=message):
        _check_in(db, actor_of("ys_grid"), *position[where], 10)


def test_accuracy_must_be_positive() -> None:
    for bad in (0, -5):
        with pytest.raises(ValueError, match="greater than 0"):
            CheckInCreate(lon=120.5, lat=31.8, accuracy_m=bad)


def test_only_members_with_the_permission_check_in(db: Session, actor_of: Callable) -> None:
    lon, lat = inside(db, "ys_grid")
    with pytest.raises(Forbidden):
        _check_in(db, actor_of("ys_dispatcher"), lon, lat, 10)
