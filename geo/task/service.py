"""Use cases of task dispatch (任务下派, LE-9): register a matter at a place, list and read
tasks, whom a task may go to, and `transition` — the only writer of a status, reading what
is allowed from `geo.task.workflow.TRANSITIONS`. Every change writes a history row and an
audit row in the caller's transaction; converting a task registers its case in the same
transaction and links both ways (task.case_id, and the case's page finds its task)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.case.schemas import CaseCreate
from geo.case.service import register_case
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.core.geometry import checked_point
from geo.core.numbering import next_number
from geo.core.paging import after_id
from geo.core.scope import path_within, region_in_scope
from geo.region.place import grid_at
from geo.task import repository as repo
from geo.task.attachments import attachment_reads
from geo.task.errors import TaskRuleError
from geo.task.models import EnforcementTask, TaskAttachment
from geo.task.schemas import (
    MAX_PAGE,
    OfficerTarget,
    SquadTarget,
    TaskActionRead,
    TaskCreate,
    TaskDetail,
    TaskPage,
    TaskRead,
    TaskTargets,
    TaskView,
)
from geo.task.workflow import (
    ACTION_LABELS,
    ACTION_PERMISSIONS,
    STATUS_LABELS,
    TRANSITIONS,
    Action,
    Field,
    Holder,
    Status,
    Transition,
    actions_from,
    is_open,
)

__all__ = [
    "TASK_PREFIX",
    "get_task",
    "list_tasks",
    "register_task",
    "task_targets",
    "transition",
    "visible_task",
]

TASK_PREFIX = "RW"
REGISTER = "register"  # the history's first row: not a transition of the table
READERS = ("task.dispatch", "task.perform", "task.redispatch")


# ---- registering -------------------------------------------------------------------------
def register_task(session: Session, *, actor: Actor, data: TaskCreate) -> TaskDetail:
    """A matter at a point: the point's grid (inside the actor's area) is its region."""
    actor.require("task.dispatch")
    grid = _locate(session, actor=actor, lon=data.lon, lat=data.lat)
    today = datetime.now(SHANGHAI).date()
    if data.deadline is not None and data.deadline < today:
        raise TaskRuleError(f"办理期限 {data.deadline} 早于今天，请重新选择")
    number = next_number(session, prefix=TASK_PREFIX)
    task_id = repo.insert_task(
        session, lon=data.lon, lat=data.lat, number=number, title=data.title,
        description=data.description, source=data.source, address=data.address,
        deadline=data.deadline, status=Status.REGISTERED.value, region_id=grid.id,
        created_by=actor.user_id,
    )  # fmt: skip
    repo.insert_action(
        session, task_id=task_id, action=REGISTER, from_status=None,
        to_status=Status.REGISTERED.value, actor_id=actor.user_id, note=data.description,
    )  # fmt: skip
    record(
        session, action="task.register", object_type="enforcement_task", object_id=task_id,
        after={"number": number, "title": data.title, "source": data.source,
               "grid": grid.name, "lon": data.lon, "lat": data.lat, "deadline": data.deadline},
        region_path=grid.path, **actor.audit_fields(),
    )  # fmt: skip
    return get_task(session, actor=actor, task_id=task_id)


def _locate(session: Session, *, actor: Actor, lon: float, lat: float) -> Row[Any]:
    checked_point(session, lon, lat, error=TaskRuleError, prefix="任务位置无效")
    grid = grid_at(session, lon=lon, lat=lat)
    if grid is None:
        raise TaskRuleError(
            f"位置（经度 {lon}，纬度 {lat}）不在任何网格内，无法确定任务所属区域；请核对位置"
        )
    if not region_in_scope(session, actor, grid.id):
        raise TaskRuleError(f"该位置属于“{grid.name}”，不在您的管辖范围内，不能在此登记任务")
    return grid


# ---- reading -----------------------------------------------------------------------------
def _require_reader(actor: Actor) -> None:
    if not any(actor.can(p) for p in READERS):
        actor.require(READERS[0])


def visible_task(session: Session, *, actor: Actor, task_id: int) -> Row[Any]:
    _require_reader(actor)
    row = repo.task_row(session, actor=actor, task_id=task_id)
    if row is None:
        raise NotFound(f"未找到任务（编号 {task_id}），或不在您的管辖范围内")
    return row


def get_task(session: Session, *, actor: Actor, task_id: int) -> TaskDetail:
    row = visible_task(session, actor=actor, task_id=task_id)
    history = [_history_read(h) for h in repo.history_rows(session, task_id=task_id)]
    attachments = attachment_reads(session, TaskAttachment.task_id == task_id)
    return TaskDetail(**_read(actor, row).model_dump(), history=history, attachments=attachments)


def list_tasks(
    session: Session,
    *,
    actor: Actor,
    view: TaskView = TaskView.ALL,
    statuses: list[Status] | None = None,
    keyword: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> TaskPage:
    """Tasks of one view, newest first; `next_cursor` fetches the next page."""
    _require_reader(actor)
    if view is TaskView.ALL:
        actor.require("task.dispatch")
    if not 1 <= limit <= MAX_PAGE:
        raise TaskRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    rows = repo.task_rows(
        session, actor=actor, view=view, statuses=[s.value for s in statuses or ()] or None,
        keyword=(keyword or "").strip() or None, after_id=_after_id(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return TaskPage(
        items=[_read(actor, r) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def task_targets(session: Session, *, actor: Actor, task_id: int) -> TaskTargets:
    """Officers and squads the task may go to now: for a task waiting at a squad, the
    officers of that squad; otherwise every officer whose region holds the task."""
    row = visible_task(session, actor=actor, task_id=task_id)
    if not (actor.can("task.dispatch") or actor.can("task.redispatch")):
        raise Forbidden("您没有派发任务的权限，无需选择执法队员")
    at_squad = Status(row.status) is Status.AT_SQUAD
    officers = repo.officer_targets(
        session, actor=actor, region_path=row.region_path,
        squad_id=row.squad_id if at_squad else None,
    )  # fmt: skip
    squads = (
        [] if at_squad else repo.squad_targets(session, actor=actor, region_path=row.region_path)
    )
    return TaskTargets(
        officers=[OfficerTarget(**o._mapping) for o in officers],
        squads=[SquadTarget(**s._mapping) for s in squads],
    )


def _after_id(cursor: str | None) -> int | None:
    return after_id(cursor, error=TaskRuleError)


def _read(actor: Actor, row: Row[Any]) -> TaskRead:
    status = Status(row.status)
    values = {k: v for k, v in row._mapping.items() if k != "region_path"}
    return TaskRead(
        **values,
        status_label=STATUS_LABELS[status],
        is_open=is_open(status),
        actions=[a.value for a in actions_from(status) if _may(actor, row, a)],
    )


def _history_read(row: Row[Any]) -> TaskActionRead:
    label = "登记" if row.action == REGISTER else ACTION_LABELS[Action(row.action)]
    return TaskActionRead(
        **row._mapping, action_label=label, to_status_label=STATUS_LABELS[Status(row.to_status)]
    )


def _may(actor: Actor, row: Row[Any], action: Action) -> bool:
    t = TRANSITIONS.get((Status(row.status), action))
    return t is not None and actor.can(t.permission) and _holder_refusal(actor, row, t) is None


# ---- the process -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Given:
    user_id: int | None = None
    squad_id: int | None = None
    findings: str | None = None
    reason: str | None = None
    note: str | None = None
    case: CaseCreate | None = None


def transition(
    session: Session,
    *,
    actor: Actor,
    task_id: int,
    action: Action | str,
    expected_status: Status | str,
    user_id: int | None = None,
    squad_id: int | None = None,
    findings: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    case: CaseCreate | None = None,
) -> TaskDetail:
    """Move one task by `action`: the permission of the table, the data scope (404
    outside it), the holder (the squad's leader, the assignee), the required fields; then
    the guarded update — a task changed meanwhile answers 409 with its current status."""
    action = _action(action)
    actor.require(ACTION_PERMISSIONS[action])
    row = visible_task(session, actor=actor, task_id=task_id)
    current = Status(row.status)
    if Status(expected_status) is not current:
        raise _changed(current)
    t = TRANSITIONS.get((current, action))
    if t is None:
        raise _not_allowed(current, action)
    refusal = _holder_refusal(actor, row, t)
    if refusal:
        raise Forbidden(refusal)
    given = _Given(user_id, squad_id, findings, reason, note, case)
    changes, history_note = _check_fields(session, actor=actor, row=row, t=t, given=given)
    if t.action is Action.CONVERT:
        changes, history_note = _convert(session, actor=actor, row=row, data=given.case)
    _apply(session, actor=actor, row=row, t=t, changes=changes, note=history_note)
    return get_task(session, actor=actor, task_id=task_id)


def _action(action: Action | str) -> Action:
    try:
        return Action(action)
    except ValueError:
        raise NotFound(f"没有“{action}”这个任务操作") from None


def _changed(current: Status) -> Conflict:
    return Conflict(f"任务已被他人处理，当前状态为“{STATUS_LABELS[current]}”，请刷新后再操作")


def _not_allowed(current: Status, action: Action) -> Conflict:
    allowed = "、".join(ACTION_LABELS[a] for a in actions_from(current)) or "无（已办结）"
    return Conflict(
        f"任务当前状态为“{STATUS_LABELS[current]}”，不能{ACTION_LABELS[action]}；"
        f"此状态可进行的操作：{allowed}"
    )


def _holder_refusal(actor: Actor, row: Row[Any], t: Transition) -> str | None:
    """Why the actor, though permitted, may not act on this task (None: may act)."""
    what = ACTION_LABELS[t.action]
    if t.holder is Holder.SQUAD_LEADER:
        if row.squad_leader_id == actor.user_id or actor.is_district_wide:
            return None
        return f"该任务在“{row.squad_name}”待派发，只有该中队的中队长可以{what}"
    if t.holder is Holder.ASSIGNEE and row.assignee_id != actor.user_id:
        return f"该任务派给了{row.assignee_name or '其他队员'}，您不能{what}"
    return None


def _check_fields(
    session: Session, *, actor: Actor, row: Row[Any], t: Transition, given: _Given
) -> tuple[dict[str, Any], str | None]:
    """The columns the action changes and the note of its history row."""
    what = ACTION_LABELS[t.action]
    if Field.OFFICER not in t.required and given.user_id is not None:
        raise TaskRuleError(f"{what}不需要指定队员")
    if Field.SQUAD not in t.required and given.squad_id is not None:
        raise TaskRuleError(f"{what}不需要指定中队")
    if Field.OFFICER in t.required:
        name = _check_officer(session, actor=actor, row=row, t=t, user_id=given.user_id)
        return {"assignee_id": given.user_id}, _joined(f"派给{name}", given.note)
    if Field.SQUAD in t.required:
        name = _check_squad(session, actor=actor, row=row, squad_id=given.squad_id)
        return {"squad_id": given.squad_id, "assignee_id": None}, _joined(f"转{name}", given.note)
    if Field.FINDINGS in t.required:
        if not given.findings:
            raise TaskRuleError("反馈须填写现场核查情况")
        return {"findings": given.findings}, given.findings
    if Field.REASON in t.required:
        if not given.reason:
            raise TaskRuleError("撤销任务须填写原因")
        return {}, given.reason
    if Field.CASE in t.required and given.case is None:
        raise TaskRuleError("转为案件须填写案件信息（程序、案由、案情摘要）")
    return {}, given.note


def _joined(head: str, note: str | None) -> str:
    return f"{head}：{note}" if note else head


def _check_officer(
    session: Session, *, actor: Actor, row: Row[Any], t: Transition, user_id: int | None
) -> str:
    what = ACTION_LABELS[t.action]
    if user_id is None:
        raise TaskRuleError(f"{what}须指定一名执法队员")
    officer = repo.officer_target(session, user_id=user_id)
    if officer is None or not (
        actor.is_district_wide or path_within(officer.region_path, actor.region_path)
    ):
        raise NotFound(f"未找到人员（编号 {user_id}），或不在您的管辖范围内")
    if not officer.is_active:
        raise TaskRuleError(f"{officer.display_name} 的账号已停用，不能{what}给他")
    if not officer.can:
        raise TaskRuleError(f"{officer.display_name} 没有“接收与反馈任务”的权限，不能{what}给他")
    if not path_within(row.region_path, officer.region_path):
        raise TaskRuleError(f"{officer.display_name} 的辖区不含“{row.grid_name}”，不能{what}给他")
    if t.action is Action.REDISPATCH and officer.squad_id != row.squad_id:
        raise TaskRuleError(f"{officer.display_name} 不是“{row.squad_name}”的队员，不能转派给他")
    return str(officer.display_name)


def _check_squad(session: Session, *, actor: Actor, row: Row[Any], squad_id: int | None) -> str:
    if squad_id is None:
        raise TaskRuleError("转中队派发须指定一个中队")
    squad = repo.squad_target(session, squad_id=squad_id)
    if squad is None or not (
        actor.is_district_wide or path_within(squad.region_path, actor.region_path)
    ):
        raise NotFound(f"未找到中队（编号 {squad_id}），或不在您的管辖范围内")
    if not path_within(row.region_path, squad.region_path):
        raise TaskRuleError(f"“{squad.name}”的辖区不含“{row.grid_name}”，不能转给该中队")
    if squad.leader_id is None:
        raise TaskRuleError(f"“{squad.name}”还没有中队长，无人转派；请先在“部门与中队”中设置")
    return str(squad.name)


def _convert(
    session: Session, *, actor: Actor, row: Row[Any], data: CaseCreate | None
) -> tuple[dict[str, Any], str]:
    """Register the case of the task at its place; the task then points at it."""
    assert data is not None  # checked with the required fields
    geom = select(EnforcementTask.geom).where(EnforcementTask.id == row.id).scalar_subquery()
    case = register_case(
        session, actor=actor, data=data, geom=geom, region_id=row.region_id,
        region_path=row.region_path, address=row.address,
    )  # fmt: skip
    return {"case_id": case.id}, f"已立案：{case.number}（{case.title}）"


def _apply(
    session: Session,
    *,
    actor: Actor,
    row: Row[Any],
    t: Transition,
    changes: dict[str, Any],
    note: str | None,
) -> None:
    if not repo.update_status(
        session, task_id=row.id, source=t.source.value, target=t.target.value, changes=changes
    ):
        now = repo.current_status(session, task_id=row.id)
        raise _changed(Status(now)) if now else NotFound(f"任务（编号 {row.id}）已不存在")
    repo.insert_action(
        session, task_id=row.id, action=t.action.value, from_status=t.source.value,
        to_status=t.target.value, actor_id=actor.user_id, note=note,
    )  # fmt: skip
    record(
        session, action=f"task.{t.action.value}", object_type="enforcement_task",
        object_id=row.id,
        before={"status": t.source.value, **{k: getattr(row, k, None) for k in changes}},
        after={"status": t.target.value, **changes}, region_path=row.region_path,
        detail=note, **actor.audit_fields(),
    )  # fmt: skip
