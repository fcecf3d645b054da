"""Use cases of the work-order process (GM-1, GM-2, GM-4, GM-5, GIS-5).

`report_event` locates the point's grid and opens a work order in the town's pool;
`claim_events` takes work orders from the pool; `transition` is the only writer of a
status, reading what is allowed from `geo.event.workflow.TRANSITIONS`. Each change writes
a history row and an audit row in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from geoalchemy2.elements import WKTElement
from sqlalchemy import Row, func
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.calendar.errors import CalendarNotLoaded
from geo.calendar.service import load_calendar
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.core.paging import after_id
from geo.core.scope import path_within, region_in_scope
from geo.core.srid import STORAGE_SRID
from geo.event import repository as repo
from geo.event.errors import EventRuleError
from geo.event.locate import TO_DISTRICT, place_report
from geo.event.models import Event, EventCategory
from geo.event.schemas import (
    MAX_CLAIM,
    MAX_PAGE,
    ClaimResult,
    DuplicateCandidate,
    EventActionRead,
    EventCreate,
    EventDetail,
    EventPage,
    EventRead,
    EventTargets,
    TargetDepartment,
    TargetUser,
    TimeState,
    WorkBox,
)
from geo.event.timing import NONE, Timing, timings
from geo.event.workflow import (
    ACTION_LABELS,
    ACTION_PERMISSIONS,
    Action,
    Field,
    Holder,
    Status,
    Transition,
    actions_from,
    find_transition,
)
from geo.grid.members import responsible_member_id
from geo.parameter.service import get_parameter

__all__ = [
    "claim_events",
    "event_targets",
    "get_event",
    "leaf_category",
    "list_events",
    "open_work_order",
    "pool_count",
    "report_event",
    "transition",
]

REPORT = "report"  # the history's first row: not a transition of the table
EXTEND = "extend"  # an approved extension moved the deadline (geo.event.extension)
MERGE = "merge"  # a duplicate merged into a kept work order (geo.event.dispatch)
# History rows that are not transitions of the table.
OTHER_LABELS = {REPORT: "上报", EXTEND: "延期", MERGE: "合并"}
HANDLE = "event.handle"


# ---- reporting ---------------------------------------------------------------------------
def report_event(session: Session, *, actor: Actor, data: EventCreate) -> EventDetail:
    """Open a work order at a point: its grid (and so community and town) is found by
    point-in-polygon; it enters the pool of that town with a deadline of the category's
    working days. A dispatcher's point outside every grid goes to the district pool."""
    actor.require("event.report")
    category = leaf_category(session, data.category_code)
    place = _locate(session, actor=actor, lon=data.lon, lat=data.lat)
    reporter = Reporter(user_id=actor.user_id, name=actor.display_name, ip=actor.ip)
    event = open_work_order(session, data=data, category=category, place=place, reporter=reporter)
    return reporter_view(session, actor=actor, event_id=event.id)


def reporter_view(session: Session, *, actor: Actor, event_id: int) -> EventDetail:
    """A work order as its reporter sees it right after reporting it."""
    region = repo.event_region(session, event_id=event_id)
    if not region_in_scope(session, actor, region.id):
        # A town dispatcher's report sent up to the district pool: they see what they
        # reported once — not the district's actions, nor other towns' work orders nearby.
        reader = replace(
            actor, region_id=region.id, region_path=region.path, region_level="district"
        )
        detail = get_event(session, actor=reader, event_id=event_id)
        return detail.model_copy(update={"actions": [], "duplicate_of_candidates": []})
    return get_event(session, actor=actor, event_id=event_id)


@dataclass(frozen=True)
class Reporter:
    """Who a report is attributed to in the history and the audit log: a user, or a
    client without a user account (an Open311 client: no `user_id`, named by its key)."""

    user_id: int | None
    name: str
    ip: str | None = None


@dataclass(frozen=True)
class Place:
    """Where a report goes: its grid (or the district), the grid's outline version and
    responsible member at report time, and a note for the history when sent up."""

    region: Row[Any]
    boundary_id: int | None = None
    responsible_id: int | None = None
    note: str | None = None


def place_in_grid(session: Session, grid: Row[Any]) -> Place:
    """A report in `grid` (a `repo.locate_grid` row): its current outline and member."""
    return Place(
        region=grid,
        boundary_id=grid.boundary_id,
        responsible_id=responsible_member_id(session, grid_id=grid.id),
    )


def leaf_category(session: Session, code: str) -> EventCategory:
    """The category a report is filed under: it must exist and be a leaf (a 小类)."""
    category = repo.get_category(session, code)
    if category is None:
        raise EventRuleError(f"事件分类 {code} 不存在，请从分类字典中选择")
    if category.default_days is None:
        raise EventRuleError(f"“{category.name}”是大类，请选择其下的具体小类")
    return category


def open_work_order(
    session: Session, *, data: EventCreate, category: EventCategory, place: Place,
    reporter: Reporter,
) -> Event:  # fmt: skip
    """The work order of a located report, in the pool of its region (the caller checked
    the category with `leaf_category` and that the reporter may report into `place`)."""
    assert category.default_days is not None
    grid = place.region
    now = datetime.now(SHANGHAI)
    serial = repo.next_event_number(session, day=now.date())
    event = Event(
        event_no=f"SJ{now:%Y%m%d}{serial:05d}",
        title=data.title.strip(),
        description=(data.description or "").strip() or None,
        category_code=category.code,
        status=Status.REPORTED.value,
        source=data.source.value,
        severity=data.severity,
        urgency=data.urgency,
        address=(data.address or "").strip() or None,
        reporter_name=(data.reporter_name or "").strip() or reporter.name,
        reporter_id=reporter.user_id,
        client_ref=data.client_ref if reporter.user_id is not None else None,
        reported_at=now,
        deadline=_deadline(session, start=now, working_days=category.default_days),
        geom=WKTElement(f"POINT({data.lon} {data.lat})", srid=STORAGE_SRID),
        region_id=grid.id,
        grid_boundary_id=place.boundary_id,
        responsible_member_id=place.responsible_id,
    )
    session.add(event)
    session.flush()
    note = f"{place.note}{event.description or ''}" if place.note else event.description
    repo.insert_action(
        session, event_id=event.id, action=REPORT, from_status=None,
        to_status=Status.REPORTED.value, actor_id=reporter.user_id,
        actor_name=reporter.name, opinion=note,
    )  # fmt: skip
    record(
        session, action="event.report", object_type="event", object_id=event.id,
        after={"event_no": event.event_no, "status": event.status, "grid": grid.name,
               "grid_boundary_id": place.boundary_id,
               "responsible_member_id": place.responsible_id,
               "category": category.code, "deadline": event.deadline},
        region_path=grid.path, detail=place.note, actor_id=reporter.user_id,
        actor_name=reporter.name, ip=reporter.ip,
    )  # fmt: skip
    _flag_duplicates(session, event=event, grid_id=grid.id, now=now)
    return event


def _flag_duplicates(session: Session, *, event: Event, grid_id: int, now: datetime) -> None:
    """Store the open work orders of the same category reported within the region's
    distance and time window (parameters event.duplicate_*): the dispatcher sees them."""
    distance = get_parameter(session, key="event.duplicate_distance_m", region_id=grid_id)
    hours = get_parameter(session, key="event.duplicate_window_hours", region_id=grid_id)
    found = repo.nearby_open_events(
        session, event_id=event.id, category_code=event.category_code,
        since=now - timedelta(hours=hours), distance_m=distance,
    )  # fmt: skip
    repo.insert_duplicates(session, event_id=event.id, found=found)


def _locate(session: Session, *, actor: Actor, lon: float, lat: float) -> Place:
    placement = place_report(session, actor=actor, lon=lon, lat=lat)
    if placement.refusal is not None:
        raise EventRuleError(placement.refusal)
    if placement.district is not None:
        return Place(region=placement.district, note=TO_DISTRICT)
    assert placement.grid is not None  # neither refused nor sent up: in a grid
    return place_in_grid(session, placement.grid)


def _deadline(session: Session, *, start: datetime, working_days: int) -> datetime:
    """End of working hours of the n-th working day after the report (calendar SYS-9)."""
    last = repo.nth_working_day_after(session, day=start.date(), n=working_days)
    if last is None:
        raise CalendarNotLoaded(f"{start.year} 年之后的工作日历尚未生成，无法计算处置期限")
    calendar = load_calendar(session, first=start.date(), last=last)
    return calendar.add_working_days(start, working_days)


# ---- reading -----------------------------------------------------------------------------
def get_event(session: Session, *, actor: Actor, event_id: int) -> EventDetail:
    row = _visible(session, actor=actor, event_id=event_id)
    history = [_history_read(h) for h in repo.history_rows(session, event_id=event_id)]
    duplicates = [
        DuplicateCandidate(**d._mapping)
        for d in repo.duplicate_rows(session, actor=actor, event_id=event_id)
    ]
    suggested = repo.suggested_department(
        session, category_code=row.category_code, grid_path=row.region_path
    )
    return EventDetail(
        **_reads(session, actor, [row])[0].model_dump(),
        history=history,
        duplicate_of_candidates=duplicates,
        suggested_department_id=suggested.id if suggested else None,
        suggested_department_name=suggested.name if suggested else None,
    )


def list_events(
    session: Session,
    *,
    actor: Actor,
    statuses: list[Status] | None = None,
    category: str | None = None,
    region_id: int | None = None,
    mine: bool = False,
    bbox: tuple[float, float, float, float] | None = None,
    box: WorkBox | None = None,
    keyword: str | None = None,
    time_state: TimeState | None = None,
    dispatched_by_me: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> EventPage:
    """Work orders of the actor's scope, newest first; `next_cursor` fetches the next page.
    `box`: one tab of the desks; `keyword`: in the title, number or address;
    `time_state`: open work orders of that remaining-time colour; `dispatched_by_me`:
    only those the actor dispatched (the workbench's 已派遣)."""
    actor.require("event.view")
    if not 1 <= limit <= MAX_PAGE:
        raise EventRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    under = None
    if region_id is not None:
        if not region_in_scope(session, actor, region_id):
            raise NotFound(f"未找到区划（编号 {region_id}），或不在您的管辖范围内")
        under = repo.region_path(session, region_id)
    if bbox is not None and not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
        raise EventRuleError("范围（bbox）应为 最小经度,最小纬度,最大经度,最大纬度")
    rows = repo.event_rows(
        session, actor=actor,
        statuses=[s.value for s in statuses or ()] or None, category=category or None,
        under_path=under, mine=mine, bbox=bbox, box=box,
        keyword=(keyword or "").strip() or None, colour=time_state,
        dispatched_by=actor.user_id if dispatched_by_me else None,
        after_id=_after_id(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return EventPage(
        items=_reads(session, actor, page),
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def event_targets(session: Session, *, actor: Actor, event_id: int) -> EventTargets:
    """Whom the actor may dispatch the work order to, or send to verify it: people who
    may sign and feed back, and departments, whose region covers its grid."""
    if not (actor.can("event.dispatch") or actor.can("event.close")):
        raise Forbidden("您的角色没有派遣或结案的权限，无需选择处置人员")
    row = _visible(session, actor=actor, event_id=event_id)
    users = repo.target_users(
        session, actor=actor, grid_id=row.grid_id, grid_path=row.region_path, permission=HANDLE
    )
    departments = repo.target_departments(session, actor=actor, grid_path=row.region_path)
    suggested = repo.suggested_department(
        session, category_code=row.category_code, grid_path=row.region_path
    )
    return EventTargets(
        users=[
            TargetUser(
                **{k: v for k, v in u._mapping.items() if k != "is_responsible"},
                grid_role=_grid_role(u.is_responsible),
            )
            for u in users
        ],
        departments=[TargetDepartment(**d._mapping) for d in departments],
        suggested_department_id=suggested.id if suggested else None,
    )


def _grid_role(is_responsible: bool | None) -> str | None:
    if is_responsible is None:
        return None
    return "责任网格员" if is_responsible else "协助网格员"


def pool_count(session: Session, *, actor: Actor) -> int:
    """Unclaimed work orders of the actor's scope (the number beside “索取工单”)."""
    actor.require("event.dispatch")
    return repo.pool_count(session, actor=actor)


def _after_id(cursor: str | None) -> int | None:
    return after_id(cursor, error=EventRuleError)


def _visible(session: Session, *, actor: Actor, event_id: int) -> Row[Any]:
    actor.require("event.view")
    row = repo.event_row(session, actor=actor, event_id=event_id)
    if row is None:
        raise NotFound(f"未找到工单（编号 {event_id}），或不在您的管辖范围内")
    return row


def _reads(session: Session, actor: Actor, rows: Sequence[Row[Any]]) -> list[EventRead]:
    """Rows as the desks show them, with the remaining time (one calendar load)."""
    times = timings(session, rows, now=datetime.now(SHANGHAI))
    return [_read(actor, r, times.get(r.id, NONE)) for r in rows]


def _read(actor: Actor, row: Row[Any], timing: Timing) -> EventRead:
    status = Status(row.status)
    values = {k: v for k, v in row._mapping.items() if k != "region_path"}
    return EventRead(
        **values,
        status_label=status.label,
        is_open=status.is_open,
        actions=[a.value for a in actions_from(status) if _may(actor, row, a)],
        remaining_hours=timing.remaining_hours,
        time_state=timing.time_state,
    )


def _history_read(row: Row[Any]) -> EventActionRead:
    label = OTHER_LABELS.get(row.action) or ACTION_LABELS[Action(row.action)]
    return EventActionRead(
        **row._mapping, action_label=label, to_status_label=Status(row.to_status).label
    )


def _may(actor: Actor, row: Row[Any], action: Action) -> bool:
    t = find_transition(Status(row.status), action)
    return t is not None and actor.can(t.permission) and _holder_refusal(actor, row, t) is None


# ---- the process -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    user_id: int | None = None
    department_id: int | None = None


def transition(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    action: Action | str,
    expected_status: Status | str | None = None,
    opinion: str | None = None,
    user_id: int | None = None,
    department_id: int | None = None,
) -> EventDetail:
    """Move one work order by `action`: the permission of the table, the data scope (404
    outside it), the holder (the claimer, the assignee, the verifier…), the required
    fields; then the guarded update — a work order changed meanwhile answers 409 with
    its current status. History and audit rows are written in the same transaction."""
    action = _action(action)
    actor.require(ACTION_PERMISSIONS[action])
    row = _visible(session, actor=actor, event_id=event_id)
    current = Status(row.status)
    if expected_status is not None and Status(expected_status) is not current:
        raise _changed(current)
    t = find_transition(current, action)
    if t is None:
        raise _not_allowed(current, action)
    refusal = _holder_refusal(actor, row, t)
    if refusal:
        raise Forbidden(refusal)
    opinion = (opinion or "").strip() or None
    given = _Target(user_id, department_id)
    target = _check_fields(session, actor=actor, row=row, t=t, opinion=opinion, given=given)
    _apply(session, actor=actor, row=row, t=t, opinion=opinion, target=target)
    return get_event(session, actor=actor, event_id=event_id)


def claim_events(session: Session, *, actor: Actor, count: int) -> ClaimResult:
    """Take up to `count` work orders from the pool of the actor's scope (索取工单).
    Concurrent claims skip each other's rows: no work order is claimed twice."""
    actor.require(ACTION_PERMISSIONS[Action.CLAIM])
    if not 1 <= count <= MAX_CLAIM:
        raise EventRuleError(f"一次索取的工单数应在 1～{MAX_CLAIM} 之间")
    t = find_transition(Status.REPORTED, Action.CLAIM)
    assert t is not None
    ids = repo.claimable_ids(session, actor=actor, limit=count)
    for row in repo.event_rows_by_id(session, actor=actor, ids=ids):
        _apply(session, actor=actor, row=row, t=t, opinion=None, target=_Target())
    rows = repo.event_rows_by_id(session, actor=actor, ids=ids)
    return ClaimResult(
        claimed=_reads(session, actor, rows), pool_left=repo.pool_count(session, actor=actor)
    )


def _action(action: Action | str) -> Action:
    try:
        return Action(action)
    except ValueError:
        raise NotFound(f"没有“{action}”这个工单操作") from None


def _changed(current: Status) -> Conflict:
    return Conflict(f"工单已被他人处理，当前状态为“{current.label}”，请刷新后再操作")


def _not_allowed(current: Status, action: Action) -> Conflict:
    allowed = "、".join(ACTION_LABELS[a] for a in actions_from(current)) or "无（已办结）"
    return Conflict(
        f"工单当前状态为“{current.label}”，不能{ACTION_LABELS[action]}；此状态可进行的操作：{allowed}"
    )


def _holder_refusal(actor: Actor, row: Row[Any], t: Transition) -> str | None:
    """Why the actor, though permitted, may not act on this work order (None: may act)."""
    what = ACTION_LABELS[t.action]
    if t.holder is Holder.CLAIMER:
        if actor.is_district_wide or row.claimed_by_id == actor.user_id:
            if t.action is Action.RETURN_TO_DISTRICT and actor.is_district_wide:
                return "区指挥中心不能把工单退回给自己，请直接派遣或作废"
            return None
        return f"该工单由{row.claimed_by_name or '其他派遣员'}索取，只有索取人可以{what}"
    if t.holder is Holder.ASSIGNEE:
        if row.assignee_user_id == actor.user_id or (
            row.assignee_department_id is not None
            and row.assignee_department_id == actor.department_id
        ):
            return None
        who = row.assignee_user_name or row.assignee_department_name or "其他人员"
        return f"该工单派给了{who}，您不能{what}"
    if t.holder is Holder.VERIFIER:
        if row.verifier_id == actor.user_id:
            return None
        return f"该工单的核查任务派给了{row.verifier_name or '其他人员'}，您不能{what}"
    if t.holder is Holder.DISTRICT and not actor.is_district_wide:
        return f"该工单已退回区指挥中心，只有区指挥中心可以{what}"
    return None


def _check_fields(
    session: Session,
    *,
    actor: Actor,
    row: Row[Any],
    t: Transition,
    opinion: str | None,
    given: _Target,
) -> _Target:
    what = ACTION_LABELS[t.action]
    if Field.OPINION in t.required and not opinion:
        raise EventRuleError(f"{what}须填写意见（或反馈、核查结果）")
    if Field.TARGET in t.required:
        if (given.user_id is None) == (given.department_id is None):
            raise EventRuleError(f"{what}须指定一名处置人员或一个责任部门（二者选一）")
        if given.user_id is not None:
            _check_user(session, actor=actor, row=row, user_id=given.user_id, what=what)
        else:
            assert given.department_id is not None
            _check_department(session, actor=actor, row=row, department_id=given.department_id)
        return given
    if Field.VERIFIER in t.required:
        if given.user_id is None or given.department_id is not None:
            raise EventRuleError(f"{what}须指定一名核查人员（网格员）")
        _check_user(session, actor=actor, row=row, user_id=given.user_id, what=what)
        return _Target(user_id=given.user_id)
    if given.user_id is not None or given.department_id is not None:
        raise EventRuleError(f"{what}不需要指定人员或部门")
    return _Target()


def _check_user(session: Session, *, actor: Actor, row: Row[Any], user_id: int, what: str) -> None:
    user = repo.user_target(session, user_id=user_id, permission=HANDLE)
    if user is None or not _in_actor_scope(actor, user.region_path):
        raise NotFound(f"未找到人员（编号 {user_id}），或不在您的管辖范围内")
    if not user.is_active:
        raise EventRuleError(f"{user.display_name} 的账号已停用，不能{what}给他")
    if not user.can:
        raise EventRuleError(f"{user.display_name} 没有“签收与处置反馈”的权限，不能{what}给他")
    if not path_within(row.region_path, user.region_path):
        raise EventRuleError(f"{user.display_name} 的管辖范围不含“{row.grid_name}”，不能{what}给他")


def _check_department(session: Session, *, actor: Actor, row: Row[Any], department_id: int) -> None:
    department = repo.department_target(session, department_id=department_id)
    if department is None or not _in_actor_scope(actor, department.region_path):
        raise NotFound(f"未找到部门（编号 {department_id}），或不在您的管辖范围内")
    if not path_within(row.region_path, department.region_path):
        raise EventRuleError(f"{department.name} 的辖区不含“{row.grid_name}”，不能派遣给该部门")


def _in_actor_scope(actor: Actor, path: str) -> bool:
    return actor.is_district_wide or path_within(path, actor.region_path)


def _changes(actor: Actor, t: Transition, target: _Target) -> dict[str, Any]:
    """Who holds the work order after the move."""
    if t.action is Action.CLAIM:
        return {"claimed_by_id": actor.user_id}
    if t.action is Action.RETURN_TO_DISTRICT:
        return {"claimed_by_id": None}
    if t.action is Action.DISPATCH:
        held = {"claimed_by_id": actor.user_id} if t.source is Status.RETURNED else {}
        return {
            **held,
            "assignee_user_id": target.user_id,
            "assignee_department_id": target.department_id,
            "verifier_id": None,
        }
    if t.action is Action.VERIFY_TASK:
        return {"verifier_id": target.user_id}
    if t.target in (Status.CLOSED, Status.CANCELLED):
        # Never before the report, whichever clock stamped it (ck_event_closed).
        return {"closed_at": func.greatest(func.clock_timestamp(), Event.reported_at)}
    return {}


def _apply(
    session: Session,
    *,
    actor: Actor,
    row: Row[Any],
    t: Transition,
    opinion: str | None,
    target: _Target,
) -> None:
    changes = _changes(actor, t, target)
    if not repo.update_status(
        session, event_id=row.id, source=t.source.value, target=t.target.value, changes=changes
    ):
        now = repo.current_status(session, event_id=row.id)
        raise _changed(Status(now)) if now else NotFound(f"工单（编号 {row.id}）已不存在")
    repo.insert_action(
        session, event_id=row.id, action=t.action.value, from_status=t.source.value,
        to_status=t.target.value, actor_id=actor.user_id, actor_name=actor.display_name,
        opinion=opinion, target_user_id=target.user_id,
        target_department_id=target.department_id,
    )  # fmt: skip
    shown = {k: v for k, v in changes.items() if k != "closed_at"}
    record(
        session, action=f"event.{t.action.value}", object_type="event", object_id=row.id,
        before={"status": t.source.value, **{k: getattr(row, k) for k in shown}},
        after={"status": t.target.value, **shown}, region_path=row.region_path,
        detail=opinion, **actor.audit_fields(),
    )  # fmt: skip
