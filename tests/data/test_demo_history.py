"""The demo's work-order history is one the process could have produced: every event's
actions are a path of TRANSITIONS ending at its status, taken by users allowed to take
them, leaving the holders the event row shows, with deadlines from the calendar."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text

from geo.calendar.arithmetic import SHANGHAI
from geo.event.deadlines import after_working_days
from geo.event.workflow import TRANSITIONS, Action, Holder, Status

REPORT, EXTEND = "report", "extend"


@pytest.fixture
def demo_events(demo_area: dict[str, int]) -> int:
    """The demo's events are the first ids of the freshly migrated test database; other
    tests commit work orders of their own after them."""
    return demo_area["event"]


@pytest.fixture
def histories(db, demo_events: int) -> dict[int, list[Any]]:  # noqa: ANN001
    out: dict[int, list[Any]] = defaultdict(list)
    for row in db.execute(
        text("""SELECT event_id, action, from_status, to_status, actor_id, at,
                       target_user_id, target_department_id
                FROM event_action WHERE event_id <= :n ORDER BY event_id, id"""),
        {"n": demo_events},
    ):
        out[row.event_id].append(row)
    return out


@pytest.fixture
def events(db, demo_events: int) -> dict[int, Any]:  # noqa: ANN001
    rows = db.execute(
        text("""SELECT e.*, g.path::text AS grid_path, c.default_days
                FROM event e JOIN region g ON g.id = e.region_id
                JOIN event_category c ON c.code = e.category_code
                WHERE e.id <= :n"""),
        {"n": demo_events},
    )
    found = {r.id: r for r in rows}
    assert len(found) == demo_events
    return found


@pytest.fixture
def users(db) -> dict[int, Any]:  # noqa: ANN001
    rows = db.execute(
        text("""SELECT u.id, u.department_id, r.path::text AS path, r.level,
                       array_agg(DISTINCT p.permission) FILTER (WHERE p.permission IS NOT NULL)
                           AS permissions,
                       bool_or(ro.is_superuser) AS superuser
                FROM user_account u JOIN region r ON r.id = u.region_id
                JOIN user_role ur ON ur.user_id = u.id JOIN role ro ON ro.code = ur.role_code
                LEFT JOIN role_permission p ON p.role_code = ur.role_code
                GROUP BY u.id, r.path, r.level""")
    )
    return {r.id: r for r in rows}


def test_every_history_is_a_path_of_the_table_ending_at_the_event_status(
    events: dict[int, Any], histories: dict[int, list[Any]]
) -> None:
    assert set(histories) == set(events)
    for event_id, rows in histories.items():
        first, *moves = rows
        assert (first.action, first.from_status, first.to_status) == (REPORT, None, "reported")
        status = Status.REPORTED
        for row in moves:
            assert row.from_status == status.value, f"event {event_id}: {row.action} from {status}"
            if row.action == EXTEND:
                assert row.to_status == status.value
                continue
            t = TRANSITIONS.get((status, Action(row.action)))
            assert t is not None, f"event {event_id}: no {row.action} from {status}"
            assert row.to_status == t.target.value
            status = t.target
        assert events[event_id].status == status.value, f"event {event_id}"


def test_times_run_forward_and_closing_is_the_last_step(
    events: dict[int, Any], histories: dict[int, list[Any]]
) -> None:
    for event_id, rows in histories.items():
        e = events[event_id]
        times = [r.at for r in rows]
        assert times == sorted(times), f"event {event_id}"
        assert times[0] == e.reported_at
        if Status(e.status).is_open:
            assert e.closed_at is None
        else:
            assert e.closed_at == times[-1], f"event {event_id}"


def test_holders_are_those_the_history_leaves(
    events: dict[int, Any], histories: dict[int, list[Any]]
) -> None:
    """Replays the holder changes of geo.event.service on each history."""
    for event_id, rows in histories.items():
        held: dict[str, int | None] = dict.fromkeys(
            ("claimed_by_id", "assignee_user_id", "assignee_department_id", "verifier_id")
        )
        for row in rows:
            if row.action == Action.CLAIM:
                held["claimed_by_id"] = row.actor_id
            elif row.action == Action.RETURN_TO_DISTRICT:
                held["claimed_by_id"] = None
            elif row.action == Action.DISPATCH:
                if row.from_status == Status.RETURNED:
                    held["claimed_by_id"] = row.actor_id
                held["assignee_user_id"] = row.target_user_id
                held["assignee_department_id"] = row.target_department_id
                held["verifier_id"] = None
            elif row.action == Action.VERIFY_TASK:
                held["verifier_id"] = row.target_user_id
        e = events[event_id]
        assert held == {k: getattr(e, k) for k in held}, f"event {event_id}"


def test_each_step_is_taken_by_someone_allowed_to_take_it(
    events: dict[int, Any], histories: dict[int, list[Any]], users: dict[int, Any]
) -> None:
    def within(path: str, scope: str) -> bool:
        return path == scope or path.startswith(scope + ".")

    for event_id, rows in histories.items():
        e = events[event_id]
        claimer = assignee_user = assignee_department = verifier = None
        for row in rows[1:]:
            if row.action == EXTEND:
                continue
            t = TRANSITIONS[Status(row.from_status), Action(row.action)]
            actor = users[row.actor_id]
            where = f"event {event_id} {row.action}"
            assert actor.superuser or t.permission in actor.permissions, where
            assert within(e.grid_path, actor.path), where
            district = actor.level == "district"
            if t.holder is Holder.CLAIMER:
                assert district or row.actor_id == claimer, where
            elif t.holder is Holder.DISTRICT:
                assert district, where
            elif t.holder is Holder.ASSIGNEE:
                assert row.actor_id == assignee_user or (
                    assignee_department is not None and actor.department_id == assignee_department
                ), where
            elif t.holder is Holder.VERIFIER:
                assert row.actor_id == verifier, where
            if t.action is Action.CLAIM or (t.action is Action.DISPATCH and district):
                claimer = row.actor_id
            if t.action is Action.DISPATCH:
                assignee_user, assignee_department = row.target_user_id, row.target_department_id
                if assignee_user is not None:
                    target = users[assignee_user]
                    assert "event.handle" in target.permissions, where
                    assert within(e.grid_path, target.path), where
            if t.action is Action.VERIFY_TASK:
                verifier = row.target_user_id
                assert within(e.grid_path, users[verifier].path), where


def test_deadlines_count_the_category_working_days_on_the_calendar(
    db, events: dict[int, Any]
) -> None:  # noqa: ANN001
    extended = {
        r.event_id: r
        for r in db.execute(text("SELECT * FROM event_extension WHERE status = 'approved'"))
    }
    assert extended
    sample = sorted(events)[::20] + list(extended)
    for event_id in sample:
        e = events[event_id]
        first = after_working_days(db, start=e.reported_at, days=e.default_days)
        if event_id in extended:
            x = extended[event_id]
            assert x.old_deadline == first
            assert x.new_deadline == after_working_days(db, start=first, days=x.days)
            assert e.deadline == x.new_deadline
        else:
            assert e.deadline == first, f"event {event_id}"


def test_extensions_come_from_the_assignee_and_show_in_the_history(
    db, events: dict[int, Any], histories: dict[int, list[Any]], users: dict[int, Any]
) -> None:  # noqa: ANN001
    rows = [r for r in db.execute(text("SELECT * FROM event_extension")) if r.event_id in events]
    assert {r.status for r in rows} >= {"approved", "rejected"}
    for x in rows:
        e, history = events[x.event_id], histories[x.event_id]
        receive = next(r for r in history if r.action == Action.RECEIVE)
        assert x.requested_by_id == receive.actor_id
        assert receive.at <= x.requested_at
        if x.status in ("requested", "first_approved"):
            assert e.status in ("dispatched", "handling", "rework")
        if x.second_reviewed_at is not None:
            assert users[x.second_reviewer_id].level == "district"
            assert x.first_reviewed_at <= x.second_reviewed_at
        extend = [r for r in history if r.action == EXTEND]
        assert len(extend) == (x.status == "approved")


def test_supervisions_reach_the_current_holder_of_an_overdue_work_order(
    db, events: dict[int, Any]
) -> None:  # noqa: ANN001
    rows = [r for r in db.execute(text("SELECT * FROM event_supervision")) if r.event_id in events]
    assert rows
    assert any(r.reply for r in rows)
    for s in rows:
        e = events[s.event_id]
        assert e.deadline < s.sent_at <= s.reply_deadline
        if e.status in ("dispatched", "handling", "rework"):
            assert (s.receiver_user_id, s.receiver_department_id) == (
                e.assignee_user_id,
                e.assignee_department_id,
            )
        else:
            assert (s.receiver_user_id, s.receiver_department_id) == (e.claimed_by_id, None)


def test_the_history_shows_every_desk(db, events: dict[int, Any]) -> None:  # noqa: ANN001
    statuses = Counter(e.status for e in events.values())
    assert set(statuses) == {s.value for s in Status}
    now = datetime.now(SHANGHAI)
    overdue = [e for e in events.values() if Status(e.status).is_open and e.deadline < now]
    assert overdue
    # Claims take the most urgent first: what still waits in the pool is ordinary.
    pool = [e for e in events.values() if e.status == Status.REPORTED]
    assert pool and all(e.urgency == 1 for e in pool)
    verified = db.execute(
        text("SELECT count(*) FROM event_action WHERE action = 'verify' AND event_id <= :n"),
        {"n": len(events)},
    ).scalar_one()
    assert verified > 0
    # The manual's example is in the dictionary, with a time limit, and in the demo.
    vehicle = db.execute(
        text("SELECT parent_code, default_days FROM event_category WHERE name = '疑似废弃车辆'")
    ).one()
    assert vehicle.parent_code == "04" and vehicle.default_days > 0
    assert any(e.category_code == "0406" for e in events.values())
