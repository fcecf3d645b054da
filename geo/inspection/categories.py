"""Use cases of the supervision-category tree (监管类别, DR-1): read it, add, change,
move and delete categories.

The tree is district-wide configuration: every holder of inspection.view reads it, only
district-wide holders of inspection.configure change it. A category never moves under
itself or one of its descendants (422), and is deleted only once no sub-category and no
supervised object — of any town — uses it (409 with the counts). Every change is audited.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.inspection import category_repository as repo
from geo.inspection.category_schemas import (
    SupervisionCategoryCreate,
    SupervisionCategoryNode,
    SupervisionCategoryRead,
    SupervisionCategoryUpdate,
)
from geo.inspection.models import SupervisionCategory
from geo.inspection.register_errors import RegisterRuleError
from geo.org.rules import database_refusals

__all__ = [
    "create_category",
    "delete_category",
    "get_category",
    "list_category_tree",
    "update_category",
]

VIEW, CONFIGURE = "inspection.view", "inspection.configure"
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_GONE = "所选的上级类别已被删除，请刷新后重新选择"


# ---- reading ----------------------------------------------------------------------------
def _read(row: Row[Any]) -> SupervisionCategoryRead:
    return SupervisionCategoryRead(
        **{k: getattr(row, k) for k in SupervisionCategoryRead.model_fields}
    )


def list_category_tree(session: Session, *, actor: Actor) -> list[SupervisionCategoryNode]:
    """The whole tree, roots first; siblings by sort order, then name (the query's order)."""
    actor.require(VIEW)
    rows = repo.category_rows(session, actor=actor)
    nodes = {r.id: SupervisionCategoryNode(**_read(r).model_dump()) for r in rows}
    children: dict[int | None, list[SupervisionCategoryNode]] = defaultdict(list)
    for r in rows:
        children[r.parent_id if r.parent_id in nodes else None].append(nodes[r.id])
    for node in nodes.values():
        node.children = children[node.id]
    return children[None]


def get_category(session: Session, *, actor: Actor, category_id: int) -> SupervisionCategoryRead:
    actor.require(VIEW)
    rows = repo.category_rows(session, actor=actor, ids=[category_id])
    if not rows:
        raise _not_found(category_id)
    return _read(rows[0])


def _not_found(category_id: int) -> NotFound:
    return NotFound(f"未找到监管类别（编号 {category_id}），可能已被删除")


# ---- checks -----------------------------------------------------------------------------
def _ensure_configurer(actor: Actor) -> None:
    actor.require(CONFIGURE)
    if not actor.is_district_wide:
        raise Forbidden("监管类别是全区统一的配置，只能由区级人员维护")


def _code(raw: str) -> str:
    code = raw.strip()
    if not _CODE.fullmatch(code):
        raise RegisterRuleError(
            "类别编码应为 1～32 位字母、数字或 - _ .，且以字母或数字开头（如 FOOD-01）"
        )
    return code


def _name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise RegisterRuleError("类别名称不能为空")
    return name


def _check_code(session: Session, code: str, *, self_id: int | None) -> None:
    if repo.code_taken(session, code, self_id=self_id):
        raise Conflict(f"类别编码“{code}”已被其他类别使用")


def _check_parent(session: Session, parent_id: int, *, self_id: int | None) -> None:
    if session.get(SupervisionCategory, parent_id) is None:
        raise RegisterRuleError(f"上级类别（编号 {parent_id}）不存在，请刷新后重新选择")
    if self_id is not None and repo.is_ancestor_or_self(session, candidate=parent_id, of=self_id):
        raise RegisterRuleError("不能把类别移到它自己或它的下级类别之下")


def _check_sibling_name(
    session: Session, name: str, *, parent_id: int | None, self_id: int | None
) -> None:
    c = SupervisionCategory
    query = select(c.id).where(c.name == name)
    query = query.where(c.parent_id.is_(None) if parent_id is None else c.parent_id == parent_id)
    if self_id is not None:
        query = query.where(c.id != self_id)
    if session.scalar(query) is not None:
        raise Conflict(f"同一上级下已有名为“{name}”的类别")


def _snapshot(c: SupervisionCategory) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "parent_id": c.parent_id,
        "sort_order": c.sort_order,
        "description": c.description,
    }


def _save(session: Session, category: SupervisionCategory) -> None:
    """Flush under a savepoint: a concurrent duplicate code, or a parent deleted
    meanwhile, becomes a 409 rather than a failed transaction."""
    duplicate = f"类别编码“{category.code}”已被其他类别使用"
    with database_refusals(duplicate, gone=_GONE), session.begin_nested():
        session.add(category)
        session.flush()


def _blank_to_none(raw: str | None) -> str | None:
    return (raw or "").strip() or None


# ---- changes ----------------------------------------------------------------------------
def create_category(
    session: Session, *, actor: Actor, data: SupervisionCategoryCreate
) -> SupervisionCategoryRead:
    _ensure_configurer(actor)
    code, name = _code(data.code), _name(data.name)
    repo.lock_tree(session)
    if data.parent_id is not None:
        _check_parent(session, data.parent_id, self_id=None)
    _check_code(session, code, self_id=None)
    _check_sibling_name(session, name, parent_id=data.parent_id, self_id=None)
    category = SupervisionCategory(
        code=code,
        name=name,
        parent_id=data.parent_id,
        sort_order=data.sort_order,
        description=_blank_to_none(data.description),
    )
    _save(session, category)
    record(
        session, action="inspection.category_create", object_type="supervision_category",
        object_id=category.id, after=_snapshot(category), **actor.audit_fields(),
    )  # fmt: skip
    return get_category(session, actor=actor, category_id=category.id)


def _locked(session: Session, category_id: int) -> SupervisionCategory:
    category = session.scalar(
        select(SupervisionCategory)
        .where(SupervisionCategory.id == category_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if category is None:
        raise _not_found(category_id)
    return category


def update_category(
    session: Session, *, actor: Actor, category_id: int, changes: SupervisionCategoryUpdate
) -> SupervisionCategoryRead:
    """Only the fields sent change; everything is checked before anything is written."""
    _ensure_configurer(actor)
    sent = changes.model_fields_set
    repo.lock_tree(session)
    category = _locked(session, category_id)
    before = _snapshot(category)
    code = _code(changes.code) if "code" in sent and changes.code is not None else category.code
    name = _name(changes.name) if "name" in sent and changes.name is not None else category.name
    parent_id = changes.parent_id if "parent_id" in sent else category.parent_id
    if parent_id is not None and parent_id != category.parent_id:
        _check_parent(session, parent_id, self_id=category.id)
    if code != category.code:
        _check_code(session, code, self_id=category.id)
    if name != category.name or parent_id != category.parent_id:
        _check_sibling_name(session, name, parent_id=parent_id, self_id=category.id)
    category.code, category.name, category.parent_id = code, name, parent_id
    if "sort_order" in sent and changes.sort_order is not None:
        category.sort_order = changes.sort_order
    if "description" in sent:
        category.description = _blank_to_none(changes.description)
    _save(session, category)
    after = _snapshot(category)
    if after != before:
        record(
            session, action="inspection.category_update", object_type="supervision_category",
            object_id=category.id, before=before, after=after, **actor.audit_fields(),
        )  # fmt: skip
    return get_category(session, actor=actor, category_id=category.id)


def delete_category(session: Session, *, actor: Actor, category_id: int) -> None:
    _ensure_configurer(actor)
    repo.lock_tree(session)
    category = _locked(session, category_id)
    children, objects = repo.usage(session, category_id)
    if children or objects:
        busy = "、".join(
            text
            for n, text in (
                (children, f"{children} 个下级类别"),
                (objects, f"{objects} 个监管对象"),
            )
            if n
        )
        raise Conflict(f"类别“{category.name}”下还有{busy}，不能删除")
    before = _snapshot(category)
    in_use = f"类别“{category.name}”刚被使用，不能删除，请刷新后重试"
    with database_refusals(in_use, gone=in_use), session.begin_nested():
        session.delete(category)
        session.flush()
    record(
        session, action="inspection.category_delete", object_type="supervision_category",
        object_id=category_id, before=before, **actor.audit_fields(),
    )  # fmt: skip
