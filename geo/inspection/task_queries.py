"""The SQL of inspection tasks (DR-8): each read is one query, whatever the page size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, aliased

from geo.core.actor import Actor
from geo.core.scope import readable
from geo.enterprise.models import Enterprise
from geo.file.models import StoredFile
from geo.inspection.models import (
    AssignmentOfficer,
    AssignmentPhoto,
    CheckContent,
    CheckResult,
    InspectionAssignment,
    InspectionItem,
    InspectionItemCategory,
    InspectionTask,
)
from geo.inspection.task_schemas import TeamMember
from geo.org.models import UserAccount
from geo.region.models import Region

A, T = InspectionAssignment, InspectionTask
Leader = aliased(UserAccount, name="leader")
Submitter = aliased(UserAccount, name="submitter")


# ---- one assignment ----------------------------------------------------------------------
def _first(result: Any) -> Row[Any] | None:
    row: Row[Any] | None = result.first()
    return row


def assignment_row(session: Session, *, assignment_id: int) -> Row[Any] | None:
    """The assignment with its task, category and the task's region path (no scope
    filter: the caller decides who may see it)."""
    return _first(session.execute(
        select(
            A.id, A.task_id, T.name.label("task_name"), T.start_date, T.end_date,
            T.item_category_id, InspectionItemCategory.name.label("item_category_name"),
            Region.path.label("region_path"), A.enterprise_id, A.status, A.leader_id,
            Leader.display_name.label("leader_name"), A.note, A.score, A.max_score, A.passed,
            A.confirmed_at, A.submitted_at, Submitter.display_name.label("submitted_by_name"),
        )
        .join(T, T.id == A.task_id)
        .join(InspectionItemCategory, InspectionItemCategory.id == T.item_category_id)
        .join(Leader, Leader.id == A.leader_id)
        .outerjoin(Submitter, Submitter.id == A.submitted_by)
        .outerjoin(Region, Region.id == T.region_id)
        .where(A.id == assignment_id)
    ))  # fmt: skip


def is_on_team(session: Session, *, assignment_id: int, user_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    AssignmentOfficer.assignment_id == assignment_id,
                    AssignmentOfficer.user_id == user_id,
                )
            )
        )
    )


def object_row(session: Session, *, enterprise_id: int) -> Row[Any]:
    result: Any = session.execute(
        select(
            Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.category,
            Enterprise.address, Enterprise.legal_representative, Enterprise.contact_phone,
            Region.name.label("region_name"), Enterprise.risk_list, Enterprise.draw_weight,
            Enterprise.pass_streak, Enterprise.fail_streak,
            func.ST_X(Enterprise.geom).label("lon"), func.ST_Y(Enterprise.geom).label("lat"),
        )
        .outerjoin(Region, Region.id == Enterprise.region_id)
        .where(Enterprise.id == enterprise_id)
    )  # fmt: skip
    row: Row[Any] = result.one()
    return row


def object_region_id(session: Session, *, enterprise_id: int) -> int | None:
    return session.scalar(select(Enterprise.region_id).where(Enterprise.id == enterprise_id))


def check_list_rows(session: Session, *, category_id: int, assignment_id: int) -> list[Row[Any]]:
    """The active items of the category with their contents and this assignment's saved
    results, in the order the form shows them."""
    return list(
        session.execute(
            select(
                InspectionItem.id.label("item_id"), InspectionItem.code, InspectionItem.name,
                InspectionItem.basis, InspectionItem.method, CheckContent.id.label("content_id"),
                CheckContent.seq, CheckContent.content, CheckContent.max_score,
                CheckContent.critical, CheckResult.score, CheckResult.passed, CheckResult.remark,
            )
            .join(CheckContent, CheckContent.item_id == InspectionItem.id)
            .outerjoin(
                CheckResult,
                and_(
                    CheckResult.content_id == CheckContent.id,
                    CheckResult.assignment_id == assignment_id,
                ),
            )
            .where(InspectionItem.category_id == category_id, InspectionItem.active.is_(True))
            .order_by(InspectionItem.sort_order, InspectionItem.id, CheckContent.seq)
        )
    )  # fmt: skip


def photo_rows(
    session: Session, *, assignment_id: int, photo_ids: Sequence[int] = ()
) -> list[Row[Any]]:
    query = (
        select(
            AssignmentPhoto.id, AssignmentPhoto.sha256, StoredFile.media_type, StoredFile.size,
            AssignmentPhoto.uploaded_by, UserAccount.display_name.label("uploaded_by_name"),
            AssignmentPhoto.at,
        )
        .join(StoredFile, StoredFile.sha256 == AssignmentPhoto.sha256)
        .join(UserAccount, UserAccount.id == AssignmentPhoto.uploaded_by)
        .where(AssignmentPhoto.assignment_id == assignment_id)
        .order_by(AssignmentPhoto.id)
    )  # fmt: skip
    if photo_ids:
        query = query.where(AssignmentPhoto.id.in_(photo_ids))
    return list(session.execute(query))


# ---- writes ------------------------------------------------------------------------------
def guarded_update(
    session: Session, *, assignment_id: int, source: str, values: dict[str, Any]
) -> bool:
    """The only writer of an assignment: succeeds only while it is still in `source`, and
    holds its row lock until the transaction ends (a second writer waits, then finds the
    status changed)."""
    result = session.execute(
        update(A)
        .where(A.id == assignment_id, A.status == source)
        .values(updated_at=func.now(), **values)
        .returning(A.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


def current_status(session: Session, *, assignment_id: int) -> str | None:
    return session.scalar(select(A.status).where(A.id == assignment_id))


def upsert_results(
    session: Session, *, assignment_id: int, lines: Sequence[dict[str, Any]]
) -> None:
    if not lines:
        return
    query = insert(CheckResult).values([{"assignment_id": assignment_id, **line} for line in lines])
    session.execute(
        query.on_conflict_do_update(
            index_elements=[CheckResult.assignment_id, CheckResult.content_id],
            set_={
                "score": query.excluded.score,
                "passed": query.excluded.passed,
                "remark": query.excluded.remark,
            },
        )
    )


# ---- lists -------------------------------------------------------------------------------
def _assignment_select() -> Any:
    return (
        select(
            A.id, A.task_id, T.name.label("task_name"), T.start_date, T.end_date,
            A.enterprise_id, Enterprise.name.label("enterprise_name"), Enterprise.address,
            Enterprise.risk_list, A.status, A.leader_id, Leader.display_name.label("leader_name"),
            A.score, A.max_score, A.passed, A.submitted_at,
        )
        .join(T, T.id == A.task_id)
        .join(Enterprise, Enterprise.id == A.enterprise_id)
        .join(Leader, Leader.id == A.leader_id)
    )  # fmt: skip


def my_assignment_rows(
    session: Session, *, user_id: int, statuses: Sequence[str], after_id: int | None, limit: int
) -> list[Row[Any]]:
    """Assignments whose team holds the user, newest first."""
    query = (
        _assignment_select()
        .join(
            AssignmentOfficer,
            and_(AssignmentOfficer.assignment_id == A.id, AssignmentOfficer.user_id == user_id),
        )
        .where(A.status.in_(statuses))
        .order_by(A.id.desc())
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(A.id < after_id)
    return list(session.execute(query))


def task_assignment_rows(session: Session, *, task_id: int) -> list[Row[Any]]:
    return list(session.execute(_assignment_select().where(A.task_id == task_id).order_by(A.id)))


def teams(session: Session, *, assignment_ids: Sequence[int]) -> dict[int, list[TeamMember]]:
    """The team of each assignment, leader first (one query for the whole page)."""
    out: dict[int, list[TeamMember]] = defaultdict(list)
    if not assignment_ids:
        return out
    rows = session.execute(
        select(
            AssignmentOfficer.assignment_id, AssignmentOfficer.user_id,
            UserAccount.display_name, AssignmentOfficer.is_leader,
        )
        .join(UserAccount, UserAccount.id == AssignmentOfficer.user_id)
        .where(AssignmentOfficer.assignment_id.in_(assignment_ids))
        .order_by(
            AssignmentOfficer.assignment_id, AssignmentOfficer.is_leader.desc(),
            AssignmentOfficer.user_id,
        )
    )  # fmt: skip
    for r in rows:
        out[r.assignment_id].append(
            TeamMember(user_id=r.user_id, display_name=r.display_name, is_leader=r.is_leader)
        )
    return out


def _task_select() -> Any:
    Creator = aliased(UserAccount, name="creator")
    return (
        select(
            T.id, T.name, T.item_category_id,
            InspectionItemCategory.name.label("item_category_name"), T.start_date, T.end_date,
            T.region_id, Region.name.label("region_name"), Region.path.label("region_path"),
            Creator.display_name.label("created_by_name"), T.created_at,
        )
        .join(InspectionItemCategory, InspectionItemCategory.id == T.item_category_id)
        .join(Creator, Creator.id == T.created_by)
        .outerjoin(Region, Region.id == T.region_id)
    )  # fmt: skip


def task_rows(
    session: Session, *, actor: Actor, keyword: str | None, after_id: int | None, limit: int
) -> list[Row[Any]]:
    query = _task_select().where(readable(actor, T.region_id)).order_by(T.id.desc()).limit(limit)
    if after_id is not None:
        query = query.where(T.id < after_id)
    if keyword:
        query = query.where(T.name.icontains(keyword, autoescape=True))
    return list(session.execute(query))


def task_row(session: Session, *, actor: Actor, task_id: int) -> Row[Any] | None:
    return _first(
        session.execute(_task_select().where(T.id == task_id, readable(actor, T.region_id)))
    )


def progress(session: Session, *, task_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Assignments per status (and passed / failed) of each task."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(
            A.task_id,
            func.count().label("total"),
            func.count().filter(A.status == "to_confirm").label("to_confirm"),
            func.count().filter(A.status == "confirmed").label("confirmed"),
            func.count().filter(A.status == "submitted").label("submitted"),
            func.count().filter(A.passed.is_(True)).label("passed"),
            func.count().filter(A.passed.is_(False)).label("failed"),
        )
        .where(A.task_id.in_(task_ids))
        .group_by(A.task_id)
    )
    return {r.task_id: {k: int(v) for k, v in r._mapping.items() if k != "task_id"} for r in rows}
