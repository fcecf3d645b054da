"""The review of daily reports: the workflow table, the guarded decision (two reviewers
at once: one wins), the reviewers' data scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.attendance import service
from geo.attendance.errors import AttendanceRuleError
from geo.attendance.schemas import CheckInCreate
from geo.attendance.workflow import TRANSITIONS, Action, Status, actions_from
from geo.calendar.arithmetic import SHANGHAI
from geo.core.db import get_engine
from geo.core.errors import Conflict, Forbidden, NotFound
from tests.geo.attendance.attendance_places import beyond, inside
from tests.geo.org.racing import actor_named, race

DAY = datetime(2025, 6, 11, 10, 0, tzinfo=SHANGHAI)  # a Wednesday, no demo check-ins
LATER = DAY + timedelta(days=1)


@pytest.fixture
def day_id(db: Session, actor_of: Callable) -> int:
    """ys_grid's report of DAY: two check-ins in the grid, one far outside it."""
    member = actor_of("ys_grid")
    for place in (inside(db, "ys_grid"), inside(db, "ys_grid"), beyond(db, "ys_grid", 400)):
        data = CheckInCreate(lon=place[0], lat=place[1], accuracy_m=10)
        got = service.check_in(db, actor=member, data=data, now=DAY)
    return got.day_id


def _review(db: Session, actor: object, day_id: int, action: str, expected: str, **kw: object):  # noqa: ANN202
    return service.review_day(
        db, actor=actor, day_id=day_id, action=action, expected_status=expected, now=LATER, **kw
    )


def test_the_workflow_table() -> None:
    assert {(s.value, a.value, t.target.value) for (s, a), t in TRANSITIONS.items()} == {
        ("pending", "approve", "approved"),
        ("pending", "reject", "rejected"),
        ("rejected", "approve", "approved"),
    }
    assert actions_from(Status.APPROVED) == []  # approval is final


def test_detail_has_the_points_and_the_members_grids(
    db: Session, actor_of: Callable, day_id: int
) -> None:
    detail = service.get_day(db, actor=actor_of("ys_dispatcher"), day_id=day_id, now=LATER)
    assert (detail.in_count, detail.out_count, detail.status) == (2, 1, Status.PENDING)
    verdicts = [f["properties"]["verdict"] for f in detail.check_ins["features"]]
    assert verdicts == ["in_grid", "in_grid", "out_of_grid"]
    assert all(f["geometry"]["type"] == "Point" for f in detail.check_ins["features"])
    assert [f["id"] for f in detail.grids["features"]] == [detail.grid_id]
    assert detail.grids["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert detail.actions == ["approve", "reject"]


def test_reject_then_re_review_then_final(db: Session, actor_of: Callable, day_id: int) -> None:
    reviewer = actor_of("ys_dispatcher")
    with pytest.raises(AttendanceRuleError, match="须填写审核意见"):
        _review(db, reviewer, day_id, "reject", "pending")
    rejected = _review(db, reviewer, day_id, "reject", "pending", opinion="下午不在网格")
    assert (rejected.status, rejected.opinion, rejected.reviewer_name) == (
        Status.REJECTED, "下午不在网格", reviewer.display_name,
    )  # fmt: skip
    assert rejected.actions == ["approve"]
    with pytest.raises(AttendanceRuleError, match="复核改判须填写审核意见"):
        _review(db, reviewer, day_id, "approve", "rejected")
    approved = _review(db, reviewer, day_id, "approve", "rejected", opinion="系外出处置工单")
    assert approved.status is Status.APPROVED and approved.actions == []
    with pytest.raises(Conflict, match="不能驳回"):
        _review(db, reviewer, day_id, "reject", "approved", opinion="再看看")
    audit = db.execute(
        text("SELECT action, before->>'status', after->>'status' FROM audit_log "
             "WHERE object_type = 'attendance_day' AND object_id = :id ORDER BY id"),
        {"id": str(day_id)},
    ).all()  # fmt: skip
    assert [tuple(a) for a in audit] == [
        ("attendance.reject", "pending", "rejected"),
        ("attendance.approve", "rejected", "approved"),
    ]


def test_a_stale_expected_status_is_a_conflict(
    db: Session, actor_of: Callable, day_id: int
) -> None:
    _review(db, actor_of("ys_dispatcher"), day_id, "approve", "pending")
    with pytest.raises(Conflict, match="当前状态为“已通过”"):
        _review(db, actor_of("center"), day_id, "reject", "pending", opinion="不同意")


def test_a_day_is_reviewed_once_it_is_over(db: Session, actor_of: Callable, day_id: int) -> None:
    with pytest.raises(AttendanceRuleError, match="次日起审核"):
        service.review_day(
            db, actor=actor_of("ys_dispatcher"), day_id=day_id, action="approve",
            expected_status="pending", now=DAY.replace(hour=18),
        )  # fmt: skip
    detail = service.get_day(db, actor=actor_of("ys_dispatcher"), day_id=day_id, now=DAY)
    assert detail.actions == []


def test_nobody_reviews_their_own_day(db: Session, actor_of: Callable, day_id: int) -> None:
    import dataclasses

    own = dataclasses.replace(actor_of("ys_grid"), permissions=frozenset({"attendance.review"}))
    with pytest.raises(Forbidden, match="本人"):
        _review(db, own, day_id, "approve", "pending")


# ---- scope -------------------------------------------------------------------------------
def test_a_reviewer_of_another_town_sees_nothing(
    db: Session, actor_of: Callable, day_id: int
) -> None:
    tq, ys = actor_of("tq_dispatcher"), actor_of("ys_dispatcher")
    with pytest.raises(NotFound):
        service.get_day(db, actor=tq, day_id=day_id)
    with pytest.raises(NotFound):
        _review(db, tq, day_id, "approve", "pending")
    assert day_id not in {d.id for d in service.list_days(db, actor=tq, limit=200).items}
    tq_names = {d.user_name for d in service.list_days(db, actor=tq, limit=200).items}
    # 塘桥's members only (the demo's tq_grid and the community members).
    assert "塘桥网格员·沈浩" in tq_names and all(n.startswith("塘桥") for n in tq_names)
    assert day_id in {d.id for d in service.list_days(db, actor=ys, work_day=DAY.date()).items}
    ys_town = db.execute(text("SELECT id FROM region WHERE code = '320582100000'")).scalar_one()
    with pytest.raises(NotFound):
        service.list_days(db, actor=tq, region_id=ys_town)


def test_filters_and_keyset_pages(db: Session, actor_of: Callable, day_id: int) -> None:
    center = actor_of("center")
    everything = service.list_days(db, actor=center, limit=200).items
    assert len(everything) >= 121  # 12 demo members × 10 days + this one
    pages, cursor = [], None
    while True:
        page = service.list_days(db, actor=center, limit=7, cursor=cursor)
        pages += [d.id for d in page.items]
        if not (cursor := page.next_cursor):
            break
    assert pages == [d.id for d in everything]
    days = [(d.work_day, d.id) for d in everything]
    assert days == sorted(days, reverse=True)
    pending = service.list_days(db, actor=center, status=Status.PENDING, limit=200).items
    assert day_id in {d.id for d in pending} and {d.status for d in pending} == {Status.PENDING}
    grid = service.get_day(db, actor=center, day_id=day_id).grid_id
    community = db.execute(text("SELECT parent_id FROM region WHERE id = :g"), {"g": grid}).scalar()
    in_community = service.list_days(db, actor=center, region_id=community, limit=200).items
    grids = {d.grid_id for d in in_community}
    parents = db.execute(
        text("SELECT DISTINCT parent_id FROM region WHERE id = ANY(:g)"), {"g": list(grids)}
    ).scalars()
    assert grid in grids and set(parents) == {community}
    with pytest.raises(AttendanceRuleError, match="游标无效"):
        service.list_days(db, actor=center, cursor="yesterday")


# ---- two reviewers at once (committed data, removed afterwards) --------------------------
RACE_DAY = datetime(2025, 6, 9, 9, 0, tzinfo=SHANGHAI)  # the Monday before DAY


@pytest.fixture
def committed_day(demo_area) -> Iterator[int]:  # noqa: ANN001
    member = actor_named("ys_grid")
    with Session(get_engine()) as session:
        lon, lat = inside(session, "ys_grid")
        got = service.check_in(
            session, actor=member, data=CheckInCreate(lon=lon, lat=lat, accuracy_m=10),
            now=RACE_DAY,
        )  # fmt: skip
        session.commit()
    try:
        yield got.day_id
    finally:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM attendance_day WHERE id = :id"), {"id": got.day_id})


def test_two_reviewers_at_once_one_wins(committed_day: int) -> None:
    ys, center = actor_named("ys_dispatcher"), actor_named("center")

    def approve(session: Session) -> object:
        return service.review_day(
            session, actor=ys, day_id=committed_day, action=Action.APPROVE,
            expected_status=Status.PENDING, now=LATER,
        )  # fmt: skip

    def reject(session: Session) -> object:
        return service.review_day(
            session, actor=center, day_id=committed_day, action=Action.REJECT,
            expected_status=Status.PENDING, opinion="轨迹不全", now=LATER,
        )  # fmt: skip

    outcome = race(approve, reject)
    assert isinstance(outcome, Conflict), outcome
    assert "已由杨舍分中心·孙晓审核" in outcome.detail and "已通过" in outcome.detail
    with get_engine().connect() as conn:
        status = conn.execute(
            text("SELECT status FROM attendance_day WHERE id = :id"), {"id": committed_day}
        ).scalar()
    assert status == "approved"
