"""All SQL of task dispatch: locating the grid of a point, task rows with the names the
screens show (one query, no N+1), keyset lists per view, the guarded status update, the
history, attachments and the people and squads a task may be sent to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    String,
    and_,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, aliased

from geo.case.models import CaseRecord
from geo.core.actor import Actor
from geo.core.models import Ltree, stored_point
from geo.core.scope import readable
from geo.file.models import StoredFile
from geo.org.holders import holds
from geo.org.models import Squad, UserAccount
from geo.region.models import Region
from geo.region.place import COMMUNITY, GRID, TOWN, with_place
from geo.task.models import EnforcementTask, TaskAction, TaskAttachment
from geo.task.schemas import TaskView

_assignee = aliased(UserAccount, name="assignee")
_creator = aliased(UserAccount, name="creator")
_leader = aliased(UserAccount, name="leader")
_region = aliased(Region, name="task_region")
TARGET_LIMIT = 200


def _all(rows: Any) -> list[Row[Any]]:
    return list(rows)


def _first(result: Any) -> Row[Any] | None:
    row: Row[Any] | None = result.first()
    return row


# ---- rows --------------------------------------------------------------------------------
def _task_select() -> Any:
    t = EnforcementTask
    query = select(
        t.id, t.number, t.title, t.description, t.source, t.address, t.deadline, t.status,
        func.ST_X(t.geom).label("lon"), func.ST_Y(t.geom).label("lat"), t.region_id,
        GRID.name.label("grid_name"), COMMUNITY.name.label("community_name"),
        TOWN.name.label("town_name"), _region.path.label("region_path"), t.squad_id,
        Squad.name.label("squad_name"), Squad.leader_id.label("squad_leader_id"),
        t.assignee_id, _assignee.display_name.label("assignee_name"), t.findings, t.case_id,
        CaseRecord.number.label("case_number"), t.created_by,
        _creator.display_name.label("created_by_name"), t.created_at, t.updated_at,
    )  # fmt: skip
    query = with_place(query.select_from(t), t.region_id)
    return (
        query.join(_region, _region.id == t.region_id)
        .join(_creator, _creator.id == t.created_by)
        .outerjoin(Squad, Squad.id == t.squad_id)
        .outerjoin(_assignee, _assignee.id == t.assignee_id)
        .outerjoin(CaseRecord, CaseRecord.id == t.case_id)
    )


def visible(actor: Actor) -> ColumnElement[bool]:
    """Tasks the actor may read: in the region subtree, and — unless they dispatch tasks —
    only those they registered, were sent, or that wait in a squad they lead."""
    t = EnforcementTask
    in_scope = readable(actor, t.region_id)
    if actor.can("task.dispatch"):
        return in_scope
    led = t.squad_id.in_(select(Squad.id).where(Squad.leader_id == actor.user_id))
    return and_(in_scope, or_(t.created_by == actor.user_id, t.assignee_id == actor.user_id, led))


def task_row(session: Session, *, actor: Actor, task_id: int) -> Row[Any] | None:
    return _first(
        session.execute(_task_select().where(EnforcementTask.id == task_id, visible(actor)))
    )


def _view_filter(actor: Actor, view: TaskView) -> ColumnElement[bool]:
    t = EnforcementTask
    if view is TaskView.REGISTERED_BY_ME:
        return t.created_by == actor.user_id
    if view is TaskView.MINE:
        return t.assignee_id == actor.user_id
    if view is TaskView.MY_SQUAD:
        return t.squad_id.in_(select(Squad.id).where(Squad.leader_id == actor.user_id))
    return true()


def task_rows(
    session: Session,
    *,
    actor: Actor,
    view: TaskView,
    statuses: list[str] | None,
    keyword: str | None,
    after_id: int | None,
    limit: int,
) -> list[Row[Any]]:
    """Newest first (ids grow with time), keyset-paged on the id."""
    t = EnforcementTask
    query = _task_select().where(visible(actor), _view_filter(actor, view))
    if statuses:
        query = query.where(t.status.in_(statuses))
    if keyword:
        like = f"%{keyword}%"
        query = query.where(or_(t.title.ilike(like), t.number.ilike(like), t.address.ilike(like)))
    if after_id is not None:
        query = query.where(t.id < after_id)
    return _all(session.execute(query.order_by(t.id.desc()).limit(limit)).all())


# ---- writing -----------------------------------------------------------------------------
def insert_task(session: Session, *, lon: float, lat: float, **values: Any) -> int:
    task = EnforcementTask(geom=stored_point(lon, lat), **values)
    session.add(task)
    session.flush()
    return task.id


def update_status(
    session: Session, *, task_id: int, source: str, target: str, changes: dict[str, Any]
) -> bool:
    """The guarded write: succeeds only while the task is still in `source`."""
    result = session.execute(
        update(EnforcementTask)
        .where(EnforcementTask.id == task_id, EnforcementTask.status == source)
        .values(status=target, updated_at=func.now(), **changes)
        .returning(EnforcementTask.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


def current_status(session: Session, *, task_id: int) -> str | None:
    return session.scalar(select(EnforcementTask.status).where(EnforcementTask.id == task_id))


def insert_action(session: Session, **values: Any) -> int:
    return int(
        session.execute(insert(TaskAction).values(**values).returning(TaskAction.id)).scalar_one()
    )


def history_rows(session: Session, *, task_id: int) -> list[Row[Any]]:
    return _all(
        session.execute(
            select(
                TaskAction.id,
                TaskAction.action,
                TaskAction.from_status,
                TaskAction.to_status,
                TaskAction.actor_id,
                UserAccount.display_name.label("actor_name"),
                TaskAction.note,
                TaskAction.at,
            )  # fmt: skip
            .join(UserAccount, UserAccount.id == TaskAction.actor_id)
            .where(TaskAction.task_id == task_id)
            .order_by(TaskAction.id)
        ).all()
    )


# ---- attachments -------------------------------------------------------------------------
def attachment_rows(session: Session, *, where: ColumnElement[bool]) -> list[Row[Any]]:
    return _all(
        session.execute(
            select(
                TaskAttachment.id,
                TaskAttachment.task_id,
                TaskAttachment.kind,
                TaskAttachment.filename,
                StoredFile.media_type,
                StoredFile.size,
                TaskAttachment.uploaded_by,
                UserAccount.display_name.label("uploaded_by_name"),
                TaskAttachment.at,
                TaskAttachment.sha256,
            )  # fmt: skip
            .join(StoredFile, StoredFile.sha256 == TaskAttachment.sha256)
            .join(UserAccount, UserAccount.id == TaskAttachment.uploaded_by)
            .where(where)
            .order_by(TaskAttachment.id)
        ).all()
    )


# ---- targets -----------------------------------------------------------------------------
def _covering(path_column: Any, region_path: str, actor: Actor) -> ColumnElement[bool]:
    """The region at `path_column` holds the task's region and lies in the actor's scope."""
    covers = path_column.op("@>")(cast(literal(region_path, String), Ltree))
    if actor.is_district_wide:
        return covers  # type: ignore[no-any-return]
    inside = path_column.op("<@")(cast(literal(actor.region_path, String), Ltree))
    return and_(covers, inside)


def officer_targets(
    session: Session, *, actor: Actor, region_path: str, squad_id: int | None
) -> list[Row[Any]]:
    """Active users who receive tasks, whose region holds the task's; `squad_id`: only
    that squad's members. The task's town first, then by name."""
    home = aliased(Squad, name="home_squad")
    query = (
        select(
            UserAccount.id,
            UserAccount.display_name,
            Region.name.label("region_name"),
            UserAccount.squad_id,
            home.name.label("squad_name"),
        )  # fmt: skip
        .join(Region, Region.id == UserAccount.region_id)
        .outerjoin(home, home.id == UserAccount.squad_id)
        .where(
            UserAccount.is_active.is_(True),
            _covering(Region.path, region_path, actor),
            holds("task.perform"),
            UserAccount.squad_id == squad_id if squad_id is not None else true(),
        )
        .order_by(func.nlevel(Region.path).desc(), UserAccount.display_name, UserAccount.id)
        .limit(TARGET_LIMIT)
    )
    return _all(session.execute(query).all())


def squad_targets(session: Session, *, actor: Actor, region_path: str) -> list[Row[Any]]:
    return _all(
        session.execute(
            select(
                Squad.id,
                Squad.name,
                Region.name.label("region_name"),
                Squad.leader_id,
                _leader.display_name.label("leader_name"),
            )  # fmt: skip
            .join(Region, Region.id == Squad.region_id)
            .outerjoin(_leader, _leader.id == Squad.leader_id)
            .where(_covering(Region.path, region_path, actor))
            .order_by(func.nlevel(Region.path).desc(), Squad.name, Squad.id)
            .limit(TARGET_LIMIT)
        ).all()
    )


def officer_target(session: Session, *, user_id: int) -> Row[Any] | None:
    """id, display_name, is_active, squad_id, region path, and whether they receive tasks."""
    return _first(
        session.execute(
            select(
                UserAccount.id,
                UserAccount.display_name,
                UserAccount.is_active,
                UserAccount.squad_id,
                Region.path.label("region_path"),
                holds("task.perform").label("can"),
            )  # fmt: skip
            .join(Region, Region.id == UserAccount.region_id)
            .where(UserAccount.id == user_id)
        )
    )


def squad_target(session: Session, *, squad_id: int) -> Row[Any] | None:
    return _first(
        session.execute(
            select(Squad.id, Squad.name, Squad.leader_id, Region.path.label("region_path"))
            .join(Region, Region.id == Squad.region_id)
            .where(Squad.id == squad_id)
        )
    )
