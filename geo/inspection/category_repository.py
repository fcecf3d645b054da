"""The SQL of the supervision-category tree (监管类别, DR-1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, exists, func, select, text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import readable
from geo.enterprise.models import Enterprise
from geo.inspection.models import EnterpriseSupervision, SupervisionCategory

__all__ = [
    "category_rows",
    "code_taken",
    "is_ancestor_or_self",
    "lock_tree",
    "subtree_ids",
    "usage",
]

# Tree edits take this transaction lock: two moves checked at once could otherwise
# each pass the cycle check and together close a loop.
_TREE_LOCK = 4490_0601


def lock_tree(session: Session) -> None:
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _TREE_LOCK})


def category_rows(
    session: Session, *, actor: Actor, ids: list[int] | None = None
) -> list[Row[Any]]:
    """Categories with their number of sub-categories and of readable objects filed
    directly under them. The tree is district-wide configuration: a few hundred rows."""
    children = (
        select(SupervisionCategory.parent_id.label("id"), func.count().label("n"))
        .where(SupervisionCategory.parent_id.is_not(None))
        .group_by(SupervisionCategory.parent_id)
        .subquery()
    )
    objects = (
        select(EnterpriseSupervision.category_id.label("id"), func.count().label("n"))
        .join(Enterprise, Enterprise.id == EnterpriseSupervision.enterprise_id)
        .where(readable(actor, Enterprise.region_id))
        .group_by(EnterpriseSupervision.category_id)
        .subquery()
    )
    c = SupervisionCategory
    query = (
        select(
            c.id, c.code, c.name, c.parent_id, c.sort_order, c.description, c.updated_at,
            func.coalesce(children.c.n, 0).label("child_count"),
            func.coalesce(objects.c.n, 0).label("object_count"),
        )
        .outerjoin(children, children.c.id == c.id)
        .outerjoin(objects, objects.c.id == c.id)
        .order_by(c.sort_order, c.name, c.id)
    )  # fmt: skip
    if ids is not None:
        query = query.where(c.id.in_(ids))
    return list(session.execute(query).all())


def subtree_ids(root_id: int) -> Select[Any]:
    """The ids of a category and of every category below it (a recursive CTE, usable in
    `IN (...)`): filtering objects by a category includes its descendants."""
    c = SupervisionCategory
    down = select(c.id).where(c.id == root_id).cte("category_subtree", recursive=True)
    down = down.union(select(c.id).join(down, c.parent_id == down.c.id))
    return select(down.c.id)


def is_ancestor_or_self(session: Session, *, candidate: int, of: int) -> bool:
    """Whether `of` is `candidate` or lies above it: putting `of` under `candidate`
    would then close a loop. UNION (not UNION ALL) ends the walk even on a bad tree."""
    c = SupervisionCategory
    up = select(c.id, c.parent_id).where(c.id == candidate).cte("category_up", recursive=True)
    up = up.union(select(c.id, c.parent_id).join(up, c.id == up.c.parent_id))
    return bool(session.scalar(select(exists().where(up.c.id == of))))


def usage(session: Session, category_id: int) -> tuple[int, int]:
    """(sub-categories, objects of any region) that keep a category from being deleted."""
    children = select(func.count()).where(SupervisionCategory.parent_id == category_id)
    objects = select(func.count()).where(EnterpriseSupervision.category_id == category_id)
    return int(session.scalar(children) or 0), int(session.scalar(objects) or 0)


def code_taken(session: Session, code: str, *, self_id: int | None) -> bool:
    query = select(SupervisionCategory.id).where(SupervisionCategory.code == code)
    if self_id is not None:
        query = query.where(SupervisionCategory.id != self_id)
    return session.scalar(query) is not None
