"""The work-order history of the demo events: each event's actions walk
`geo.event.workflow.TRANSITIONS` from the report to its status, acted by the demo users
who may take them (the town's sub-centre dispatcher, the district centre, the assignee —
a grid member, the 城管办 handler or the 城管办 itself — and the grid member verifying).

Python decides, per event, its status, a plan (one path of the table ending there, drawn
by the likelihood of each branch) and who holds it; PostgreSQL expands the plans into
history rows, extension requests and supervision messages in a few set-based statements,
so scale 20 costs seconds, not minutes.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, text

from data.demo.accounts import TOWNS
from geo.calendar.arithmetic import SHANGHAI, WorkingCalendar
from geo.calendar.service import load_calendar
from geo.event.workflow import TRANSITIONS, Action, Holder, Status, Transition

# How often a desk takes each branch: a plan's weight is the product over its steps.
ACTION_WEIGHTS = {
    Action.CLAIM: 1.0,
    Action.SIGN: 1.0,
    Action.DISPATCH: 1.0,
    Action.RETURN_TO_DISTRICT: 0.01,
    Action.RECEIVE: 1.0,
    Action.FEEDBACK: 1.0,
    Action.VERIFY_TASK: 0.3,
    Action.VERIFY: 1.0,
    Action.REWORK: 0.05,
    Action.CLOSE: 1.0,
    Action.CANCEL: 0.03,
}
MAX_USES = 2  # a transition at most twice on one path: one rework or re-check round
MAX_STEPS = 12

# Statuses of the year's history: old work orders are mostly finished, recent ones spread
# over the desks (some sit at a desk long past their deadline: the red ones).
OLD_STATUSES = {"closed": 90, "cancelled": 4, "to_close": 2, "handling": 2, "rework": 1,
                "verifying": 1}  # fmt: skip
RECENT_STATUSES = {"reported": 3, "claimed": 1, "accepted": 1, "returned": 0.5,
                   "dispatched": 2, "handling": 3, "to_close": 2, "verifying": 0.5,
                   "rework": 0.5, "closed": 4, "cancelled": 0.3}  # fmt: skip
RECENT_DAYS = 20

OPINIONS = {
    Action.SIGN: "请处理",
    Action.DISPATCH: "请按时限处置并反馈",
    Action.RETURN_TO_DISTRICT: "经核实不属于本镇管辖范围，退回区指挥中心",
    Action.FEEDBACK: "已到场处置完毕，现场已恢复，附处置后照片",
    Action.VERIFY: "现场核查，问题已整改到位，情况属实",
    Action.REWORK: "处置不到位，请重新处置并补充照片",
    Action.CLOSE: "处置完毕，同意结案",
    Action.CANCEL: "重复上报或不属于受理范围，予以作废",
}


class Role(StrEnum):
    """Who acts on a step, resolved to a user per event."""

    REPORTER = "reporter"
    DISPATCHER = "dispatcher"  # the town's sub-centre dispatcher
    CENTRE = "centre"  # the district command centre
    ASSIGNEE = "assignee"  # the assigned user, or the handler of the assigned department
    VERIFIER = "verifier"


@dataclass(frozen=True)
class Step:
    transition: Transition
    actor: Role
    target: Role | None  # whom a dispatch or a verification task names


@dataclass(frozen=True)
class Plan:
    """One path of the table from the report; the holders it leaves behind."""

    id: int
    steps: tuple[Step, ...]
    weight: float
    claimer: Role | None
    dispatched: bool
    verified: bool

    @property
    def status(self) -> Status:
        return self.steps[-1].transition.target if self.steps else Status.REPORTED


def _walk() -> list[tuple[Transition, ...]]:
    """Every path of the table from REPORTED, each transition used at most MAX_USES times."""
    by_source: dict[Status, list[Transition]] = defaultdict(list)
    for t in TRANSITIONS.values():
        by_source[t.source].append(t)
    paths: list[tuple[Transition, ...]] = []

    def extend(status: Status, path: tuple[Transition, ...], uses: Counter[Transition]) -> None:
        paths.append(path)
        if len(path) == MAX_STEPS:
            return
        for t in by_source[status]:
            if uses[t] < MAX_USES:
                extend(t.target, (*path, t), uses + Counter([t]))

    extend(Status.REPORTED, (), Counter())
    return paths


def _roles(path: tuple[Transition, ...]) -> Plan:
    """Who acts on each step, by the table's holder of each transition; the holder
    changes follow geo.event.service (a claim takes the work order, a return gives it
    up, the district centre's dispatch of a returned one makes it the claimer)."""
    claimer: Role | None = None
    dispatched = verified = False
    steps = []
    for t in path:
        if t.holder is Holder.DISTRICT:
            actor = Role.CENTRE
        elif t.holder is Holder.ASSIGNEE:
            actor = Role.ASSIGNEE
        elif t.holder is Holder.VERIFIER:
            actor = Role.VERIFIER
        else:  # the claimer, or anyone of the town's desk
            actor = claimer or Role.DISPATCHER
        target = None
        if t.action is Action.CLAIM:
            claimer = actor
        elif t.action is Action.RETURN_TO_DISTRICT:
            claimer = None
        elif t.action is Action.DISPATCH:
            claimer, target, dispatched, verified = claimer or actor, Role.ASSIGNEE, True, False
        elif t.action is Action.VERIFY_TASK:
            target, verified = Role.VERIFIER, True
        steps.append(Step(t, actor, target))
    weight = 1.0
    for t in path:
        weight *= ACTION_WEIGHTS[t.action]
    return Plan(0, tuple(steps), weight, claimer, dispatched, verified)


def all_plans() -> list[Plan]:
    plans = [_roles(p) for p in _walk()]
    return [
        Plan(i, p.steps, p.weight, p.claimer, p.dispatched, p.verified)
        for i, p in enumerate(plans, start=1)
    ]


# ---- the people of the desks -------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    id: int
    name: str
    department_id: int | None = None


@dataclass(frozen=True)
class TownDesk:
    dispatcher: Person
    handler: Person  # of the town's 城管办, the department work orders are dispatched to


@dataclass(frozen=True)
class WorkOrder:
    """The holder columns of one event row, and its plan for the expansion in SQL."""

    reporter: Person | None
    claimed_by_id: int | None
    assignee_user_id: int | None
    assignee_department_id: int | None
    verifier_id: int | None
    closed_at: datetime | None
    deadline: datetime
    status: Status
    staged: tuple  # a row of demo_work_order


@dataclass
class Desks:
    """The demo users who act on work orders, the category time limits and the calendar;
    read once after the accounts and the calendar are written."""

    towns: dict[str, TownDesk]  # by town code
    centre: Person
    members: dict[int, Person]  # the responsible grid member by grid id
    days: dict[str, int]  # category code → working days
    calendar: WorkingCalendar
    anchor_end: datetime
    plans: list[Plan] = field(default_factory=all_plans)

    def __post_init__(self) -> None:
        self._choices: dict[tuple[Status, bool], tuple[list[Plan], list[float]]] = {}
        for with_member in (False, True):
            for status in Status:
                fit = [
                    p for p in self.plans if p.status is status and (with_member or not p.verified)
                ]
                if fit:
                    self._choices[status, with_member] = (fit, [p.weight for p in fit])

    def work_order(
        self,
        rng: random.Random,
        *,
        event_no: str,
        town_code: str,
        grid_id: int,
        category: str,
        source: str,
        reported: datetime,
        days_ago: int,
    ) -> WorkOrder:
        member = self.members.get(grid_id)
        status = _status(rng, days_ago)
        if (status, member is not None) not in self._choices:
            status = Status.TO_CLOSE  # nobody to verify in this grid: still at the desk
        plans, weights = self._choices[status, member is not None]
        plan = rng.choices(plans, weights)[0]
        desk = self.towns[town_code]
        assignee_user, department, acting = self._assignee(rng, desk, member, plan)
        span = self._span(rng, plan, reported, days_ago)
        claimer = {Role.DISPATCHER: desk.dispatcher.id, Role.CENTRE: self.centre.id}
        finished = not plan.status.is_open
        return WorkOrder(
            reporter=member if source == "grid_member" else None,
            claimed_by_id=claimer.get(plan.claimer) if plan.claimer else None,
            assignee_user_id=assignee_user,
            assignee_department_id=department,
            verifier_id=member.id if plan.verified and member else None,
            closed_at=reported + timedelta(seconds=span) if finished else None,
            deadline=self.calendar.add_working_days(reported, self.days[category]),
            status=plan.status,
            staged=(event_no, plan.id, span, desk.dispatcher.id, self.centre.id, acting,
                    assignee_user, department),
        )  # fmt: skip

    def _assignee(
        self, rng: random.Random, desk: TownDesk, member: Person | None, plan: Plan
    ) -> tuple[int | None, int | None, int | None]:
        """(assignee user, assignee department, who acts for the assignee)."""
        if not plan.dispatched:
            return None, None, None
        draw = rng.random()
        if member is not None and draw < 0.35:
            return member.id, None, member.id
        if draw < 0.6:
            return desk.handler.id, None, desk.handler.id
        return None, desk.handler.department_id, desk.handler.id

    def _span(self, rng: random.Random, plan: Plan, reported: datetime, days_ago: int) -> int:
        """Seconds from the report to the plan's last step, never past the anchor's end."""
        room = max(0.0, (self.anchor_end - reported).total_seconds())
        if not plan.status.is_open:
            hours = rng.uniform(1, 24 * min(10, days_ago + 1))
            return int(min(room, hours * 3600))
        # Each desk acts within hours or a day or two; then the work order waits where it is.
        return int(min(room * rng.uniform(0.2, 0.9), len(plan.steps) * rng.uniform(1, 20) * 3600))


def _status(rng: random.Random, days_ago: int) -> Status:
    table = OLD_STATUSES if days_ago > RECENT_DAYS else RECENT_STATUSES
    return Status(rng.choices(list(table), list(table.values()))[0])


def load_desks(conn: Connection, *, anchor_end: datetime) -> Desks:
    users = {
        r.username: r
        for r in conn.execute(
            text("SELECT id, username, display_name, department_id FROM user_account")
        )
    }

    def person(username: str) -> Person:
        u = users[username]
        return Person(u.id, u.display_name, u.department_id)

    towns = {
        code: TownDesk(person(f"{prefix}_dispatcher"), person(f"{prefix}_handler"))
        for code, prefix, _ in TOWNS
    }
    members = {
        r.grid_id: Person(r.user_id, r.display_name)
        for r in conn.execute(
            text("""SELECT m.grid_id, m.user_id, u.display_name FROM grid_member m
                    JOIN user_account u ON u.id = m.user_id WHERE m.is_responsible""")
        )
    }
    days: dict[str, int] = dict(
        conn.execute(
            text("SELECT code, default_days FROM event_category WHERE default_days IS NOT NULL")
        ).all()
    )
    first, last = conn.execute(text("SELECT min(day), max(day) FROM calendar_day")).one()
    calendar = load_calendar(conn, first=first, last=last)
    return Desks(towns, person("center"), members, days, calendar, anchor_end)


def anchor_end_of(anchor: date) -> datetime:
    """The latest moment of the demo's history: 18:00 on the anchor day."""
    return datetime.combine(anchor, datetime.min.time(), SHANGHAI) + timedelta(hours=18)


# ---- the expansion in SQL ----------------------------------------------------------------
STAGED_COLUMNS = (
    "event_no, plan_id, span_s, dispatcher_id, centre_id, assignee_actor_id, "
    "target_user_id, target_department_id"
)


def stage(conn: Connection, desks: Desks) -> None:
    """Temporary tables of the plans' steps and of each event's plan (dropped at commit)."""
    conn.execute(
        text("""CREATE TEMP TABLE demo_plan_step (
                    plan_id int, seq int, steps int, action text, from_status text,
                    to_status text, actor text, target text, opinion text) ON COMMIT DROP""")
    )
    conn.execute(
        text("""CREATE TEMP TABLE demo_work_order (
                    event_no text PRIMARY KEY, plan_id int, span_s int, dispatcher_id bigint,
                    centre_id bigint, assignee_actor_id bigint, target_user_id bigint,
                    target_department_id bigint) ON COMMIT DROP""")
    )
    rows = [
        {"plan": p.id, "seq": seq, "steps": len(p.steps), "action": s.transition.action.value,
         "src": s.transition.source.value, "dst": s.transition.target.value,
         "actor": s.actor.value, "target": s.target.value if s.target else None,
         "opinion": OPINIONS.get(s.transition.action)}
        for p in desks.plans
        for seq, s in enumerate(p.steps, start=1)
    ]  # fmt: skip
    conn.execute(
        text("""INSERT INTO demo_plan_step VALUES (:plan, :seq, :steps, :action, :src, :dst,
                :actor, :target, :opinion)"""),
        rows,
    )


def expand(conn: Connection, *, anchor_end: datetime) -> dict[str, int]:
    """History rows, extension requests and supervision messages from the staged plans;
    returns rows per table."""
    params: dict[str, Any] = {"anchor_end": anchor_end}
    conn.execute(text("ANALYZE demo_work_order"))  # temporary tables have no statistics
    conn.execute(text(_STEPS), params)
    conn.execute(text("CREATE INDEX ON demo_step (event_id, seq)"))
    conn.execute(text("ANALYZE demo_step"))
    for sql in (_EXTENSIONS, _EXTENDED_DEADLINES, _EXTEND_ROWS):
        conn.execute(text(sql), params)
    counts = {"event_action": conn.execute(text(_HISTORY), params).rowcount}
    counts["event_supervision"] = conn.execute(text(_SUPERVISIONS), params).rowcount
    counts["event_extension"] = conn.execute(
        text("SELECT count(*) FROM event_extension")
    ).scalar_one()
    return counts


# Step times: the last step at report + span exactly (closed_at); the others each inside
# its own slice of the span, at a point drawn from the event id (deterministic).
_STEPS = """
CREATE TEMP TABLE demo_step ON COMMIT DROP AS
SELECT e.id AS event_id, 0::numeric AS seq, 'report' AS action, NULL AS from_status,
       'reported' AS to_status, e.reporter_id AS actor_id, e.reporter_name AS actor_name,
       e.reported_at AS at, e.description AS opinion, NULL::bigint AS target_user_id,
       NULL::bigint AS target_department_id
FROM event e
UNION ALL
SELECT e.id, s.seq, s.action, s.from_status, s.to_status, a.id, a.display_name,
       e.reported_at + make_interval(secs => w.span_s) * CASE WHEN s.seq = s.steps THEN 1
           ELSE (s.seq - 1 + 0.1 + 0.8 * ((e.id * 7919 + s.seq * 104729) % 1000) / 1000.0)
                / s.steps END,
       s.opinion,
       CASE s.target WHEN 'assignee' THEN w.target_user_id WHEN 'verifier' THEN e.verifier_id
       END,
       CASE s.target WHEN 'assignee' THEN w.target_department_id END
FROM demo_work_order w
JOIN event e ON e.event_no = w.event_no
JOIN demo_plan_step s ON s.plan_id = w.plan_id
JOIN user_account a ON a.id = CASE s.actor
    WHEN 'dispatcher' THEN w.dispatcher_id WHEN 'centre' THEN w.centre_id
    WHEN 'assignee' THEN w.assignee_actor_id WHEN 'verifier' THEN e.verifier_id END
"""

# About one work order in 25 that reached a handler asked for more time after receiving
# it: decided (approved or rejected) when it moved on since, else possibly under review.
_EXTENSIONS = """
INSERT INTO event_extension (event_id, days, reason, status, requested_by_id,
    requested_by_name, requested_at, first_reviewer_id, first_reviewer_name, first_opinion,
    first_reviewed_at, second_reviewer_id, second_reviewer_name, second_opinion,
    second_reviewed_at, old_deadline)
SELECT x.event_id, x.days, '涉及产权单位和多个部门协调，现场处置需要更多时间',
       x.status, x.actor_id, x.actor_name, x.t0 + x.gap * 0.2,
       CASE WHEN x.status <> 'requested' THEN d.id END,
       CASE WHEN x.status <> 'requested' THEN d.display_name END,
       CASE WHEN x.status <> 'requested' THEN '情况属实，同意延期，报区中心审核' END,
       CASE WHEN x.status <> 'requested' THEN x.t0 + x.gap * 0.4 END,
       CASE WHEN x.status IN ('approved', 'rejected') THEN c.id END,
       CASE WHEN x.status IN ('approved', 'rejected') THEN c.display_name END,
       CASE x.status WHEN 'approved' THEN '同意延期' WHEN 'rejected'
            THEN '理由不充分，请按原时限办结' END,
       CASE WHEN x.status IN ('approved', 'rejected') THEN x.t0 + x.gap * 0.6 END,
       e.deadline
FROM (
    SELECT r.event_id, r.actor_id, r.actor_name, r.at AS t0,
           coalesce(n.at, :anchor_end) - r.at AS gap, 1 + r.event_id / 25 % 5 AS days,
           CASE WHEN n.event_id IS NOT NULL
                THEN CASE WHEN r.event_id % 4 = 0 THEN 'rejected' ELSE 'approved' END
                ELSE (ARRAY['requested', 'first_approved', 'approved', 'rejected'])
                     [1 + r.event_id % 4] END AS status
    FROM (SELECT event_id, min(seq) AS seq FROM demo_step
          WHERE action = 'receive' AND event_id % 25 = 3 GROUP BY event_id) f
    JOIN demo_step r ON r.event_id = f.event_id AND r.seq = f.seq
    LEFT JOIN demo_step n ON n.event_id = f.event_id AND n.seq = f.seq + 1
) x
JOIN event e ON e.id = x.event_id
JOIN demo_work_order w ON w.event_no = e.event_no
JOIN user_account d ON d.id = w.dispatcher_id
JOIN user_account c ON c.id = w.centre_id
"""

# An approved request moves the deadline N working days on from the old one (17:30 of
# that working day, as geo.calendar.arithmetic.WorkingCalendar.add_working_days does).
_EXTENDED_DEADLINES = """
WITH moved AS (
    UPDATE event_extension x
       SET new_deadline = ((SELECT c.day FROM calendar_day c
                            WHERE c.day > (x.old_deadline AT TIME ZONE 'Asia/Shanghai')::date
                              AND c.is_working ORDER BY c.day OFFSET x.days - 1 LIMIT 1)
                           + time '17:30') AT TIME ZONE 'Asia/Shanghai'
     WHERE x.status = 'approved'
    RETURNING x.event_id, x.new_deadline
)
UPDATE event e SET deadline = m.new_deadline FROM moved m WHERE e.id = m.event_id
"""

_EXTEND_ROWS = """
INSERT INTO demo_step
SELECT x.event_id, s.seq + 0.5, 'extend', s.to_status, s.to_status, x.second_reviewer_id,
       x.second_reviewer_name, x.second_reviewed_at,
       '延期 ' || x.days || ' 个工作日，期限延至 '
       || to_char(x.new_deadline AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')
       || '；申请理由：' || x.reason || '；审核意见：' || x.second_opinion, NULL, NULL
FROM event_extension x
JOIN (SELECT event_id, min(seq) AS seq FROM demo_step WHERE action = 'receive'
      GROUP BY event_id) f ON f.event_id = x.event_id
JOIN demo_step s ON s.event_id = f.event_id AND s.seq = f.seq
WHERE x.status = 'approved'
"""

_HISTORY = """
INSERT INTO event_action (event_id, action, from_status, to_status, actor_id, actor_name, at,
                          opinion, target_user_id, target_department_id)
SELECT event_id, action, from_status, to_status, actor_id, actor_name, at, opinion,
       target_user_id, target_department_id
FROM demo_step ORDER BY event_id, seq
"""

# The district centre presses about one in six overdue work orders held at a desk; the
# holder answered about half of them.
_SUPERVISIONS = """
INSERT INTO event_supervision (event_id, sender_id, sender_name, message, sent_at,
    reply_unit, reply_amount, reply_deadline, receiver_user_id, receiver_department_id,
    reply, replied_at, replied_by_id, replied_by_name)
SELECT y.event_id, y.centre_id, y.centre_name, '该工单已超期，请抓紧处置并回复进展',
       y.sent_at, 'days', y.amount, y.reply_deadline, y.receiver_user_id,
       y.receiver_department_id,
       CASE WHEN y.answered THEN '已安排人员处理，预计近期办结' END,
       CASE WHEN y.answered
            THEN y.sent_at + (least(y.reply_deadline, :anchor_end) - y.sent_at) * 0.5 END,
       CASE WHEN y.answered THEN y.replier_id END,
       CASE WHEN y.answered THEN y.replier_name END
FROM (
    SELECT x.*, ((SELECT c.day FROM calendar_day c
                  WHERE c.day > (x.sent_at AT TIME ZONE 'Asia/Shanghai')::date
                    AND c.is_working ORDER BY c.day OFFSET x.amount - 1 LIMIT 1)
                 + time '17:30') AT TIME ZONE 'Asia/Shanghai' AS reply_deadline
    FROM (
        SELECT e.id AS event_id, w.centre_id, c.display_name AS centre_name,
               1 + e.id / 6 % 2 AS amount, e.id % 12 = 0 AS answered,
               t.last_at + (:anchor_end - t.last_at) * 0.3 AS sent_at,
               CASE WHEN e.status IN ('dispatched', 'handling', 'rework')
                    THEN e.assignee_user_id ELSE e.claimed_by_id END AS receiver_user_id,
               CASE WHEN e.status IN ('dispatched', 'handling', 'rework')
                    THEN e.assignee_department_id END AS receiver_department_id,
               r.id AS replier_id, r.display_name AS replier_name
        FROM event e
        JOIN demo_work_order w ON w.event_no = e.event_no
        JOIN user_account c ON c.id = w.centre_id
        JOIN (SELECT event_id, max(at) AS last_at FROM demo_step GROUP BY event_id) t
          ON t.event_id = e.id
        JOIN user_account r ON r.id = CASE
            WHEN e.status IN ('dispatched', 'handling', 'rework') THEN w.assignee_actor_id
            ELSE e.claimed_by_id END
        WHERE e.status IN ('claimed', 'accepted', 'to_close', 'verifying', 'dispatched',
                           'handling', 'rework')
          AND e.deadline < :anchor_end AND e.id % 6 = 0
    ) x
) y
"""
