"""Use cases of the inspection-item catalogue (检查事项配置, DR-5).

One catalogue for the whole district: categories (事项类别, what a draw is "for"),
items with their legal basis and method, and each item's check list — ordered lines
scored out of `max_score`, some critical (否决项). The check list is saved with its item
in one transaction, replacing the list; a line or an item that already has check results
cannot be deleted (409: deactivate the item instead), so past results keep their meaning.
`checklist` gives the task form and the phone app every active item of a category.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.inspection import item_repository as repo
from geo.inspection.item_schemas import (
    CheckContentRead,
    Checklist,
    ChecklistItem,
    ItemCategoryRead,
    ItemCategoryWrite,
    ItemDetail,
    ItemPage,
    ItemRead,
    ItemWrite,
)
from geo.inspection.models import InspectionItem, InspectionItemCategory
from geo.inspection.register_rules import (
    MAX_PAGE,
    VIEW,
    RegisterRuleError,
    ensure_global_editor,
)
from geo.org.rules import flush_unique

__all__ = [
    "checklist",
    "create_category",
    "create_item",
    "delete_category",
    "delete_item",
    "get_item",
    "list_categories",
    "list_items",
    "update_category",
    "update_item",
]

WHAT = "检查事项"
_GONE = "所选的事项类别已被删除，请刷新后重新选择"


# ---- categories ------------------------------------------------------------------------------
def list_categories(session: Session, *, actor: Actor) -> list[ItemCategoryRead]:
    actor.require(VIEW)
    return [ItemCategoryRead(**r._mapping) for r in repo.category_rows(session)]


def _category(session: Session, category_id: int) -> ItemCategoryRead:
    row = repo.category_row(session, category_id)
    if row is None:
        raise NotFound(f"未找到事项类别（编号 {category_id}）")
    return ItemCategoryRead(**row._mapping)


def _category_state(c: InspectionItemCategory) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "sort_order": c.sort_order}


def create_category(session: Session, *, actor: Actor, data: ItemCategoryWrite) -> ItemCategoryRead:
    ensure_global_editor(actor, WHAT)
    duplicate = f"事项类别编码“{data.code}”已存在，请换一个编码"
    if repo.category_code_taken(session, data.code, self_id=None):
        raise Conflict(duplicate)
    row = InspectionItemCategory(code=data.code, name=data.name.strip(), sort_order=data.sort_order)
    flush_unique(session, row, duplicate)
    record(
        session, action="inspection.item_category_create", object_type="inspection_item_category",
        object_id=row.id, after=_category_state(row), detail=f"新增事项类别“{row.name}”",
        **actor.audit_fields(),
    )  # fmt: skip
    return _category(session, row.id)


def _locked_category(session: Session, category_id: int) -> InspectionItemCategory:
    row = repo.lock_category(session, category_id)
    if row is None:
        raise NotFound(f"未找到事项类别（编号 {category_id}）")
    return row


def update_category(
    session: Session, *, actor: Actor, category_id: int, data: ItemCategoryWrite
) -> ItemCategoryRead:
    ensure_global_editor(actor, WHAT)
    row = _locked_category(session, category_id)
    duplicate = f"事项类别编码“{data.code}”已存在，请换一个编码"
    if repo.category_code_taken(session, data.code, self_id=row.id):
        raise Conflict(duplicate)
    before = _category_state(row)
    row.code, row.name, row.sort_order = data.code, data.name.strip(), data.sort_order
    flush_unique(session, row, duplicate)
    if _category_state(row) != before:
        record(
            session, action="inspection.item_category_update",
            object_type="inspection_item_category", object_id=row.id, before=before,
            after=_category_state(row), **actor.audit_fields(),
        )  # fmt: skip
    return _category(session, row.id)


def delete_category(session: Session, *, actor: Actor, category_id: int) -> None:
    ensure_global_editor(actor, WHAT)
    row = _locked_category(session, category_id)
    items, draws = repo.category_uses(session, category_id)
    if items:
        raise Conflict(f"事项类别“{row.name}”下还有 {items} 个检查事项，不能删除")
    if draws:
        raise Conflict(f"事项类别“{row.name}”已用于 {draws} 次抽取或抽查任务，不能删除")
    before = _category_state(row)
    session.delete(row)
    session.flush()
    record(
        session, action="inspection.item_category_delete", object_type="inspection_item_category",
        object_id=category_id, before=before, **actor.audit_fields(),
    )  # fmt: skip


# ---- items -------------------------------------------------------------------------------------
def _item_read(row: Row[Any]) -> ItemRead:
    return ItemRead(**{k: row._mapping[k] for k in ItemRead.model_fields})


def _contents(session: Session, item_ids: list[int]) -> dict[int, list[CheckContentRead]]:
    out: dict[int, list[CheckContentRead]] = defaultdict(list)
    for r in repo.content_rows(session, item_ids):
        out[r.item_id].append(
            CheckContentRead(**{k: r._mapping[k] for k in CheckContentRead.model_fields})
        )
    return out


def _cursor(cursor: str | None) -> tuple[int, int] | None:
    if not cursor:
        return None
    try:
        sort_order, item_id = (int(part) for part in cursor.split(":"))
    except ValueError:
        raise RegisterRuleError("翻页游标无效，请从第一页重新查询") from None
    if not (-(2**31) <= sort_order < 2**31 and 0 <= item_id < 2**62):
        raise RegisterRuleError("翻页游标无效，请从第一页重新查询")
    return sort_order, item_id


def list_items(
    session: Session,
    *,
    actor: Actor,
    category_id: int | None = None,
    keyword: str | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ItemPage:
    """Items by sort order; `next_cursor` fetches the next page."""
    actor.require(VIEW)
    if not 1 <= limit <= MAX_PAGE:
        raise RegisterRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    rows = repo.item_rows(
        session, category_id=category_id, keyword=(keyword or "").strip() or None,
        active=active, after=_cursor(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    last = page[-1] if page else None
    return ItemPage(
        items=[_item_read(r) for r in page],
        next_cursor=f"{last.sort_order}:{last.id}" if last and len(rows) > limit else None,
    )


def get_item(session: Session, *, actor: Actor, item_id: int) -> ItemDetail:
    actor.require(VIEW)
    row = repo.item_row(session, item_id)
    if row is None:
        raise NotFound(f"未找到检查事项（编号 {item_id}）")
    return ItemDetail(
        **_item_read(row).model_dump(), contents=_contents(session, [item_id])[item_id]
    )


def _item_state(item: InspectionItem, contents: list[CheckContentRead] | None) -> dict[str, Any]:
    state = {k: getattr(item, k) for k in ("category_id", "code", "name", "basis", "method",
                                            "sort_order", "active")}  # fmt: skip
    if contents is not None:
        state["contents"] = [c.model_dump(exclude={"in_use"}) for c in contents]
    return state


def _check_item(session: Session, data: ItemWrite, *, self_id: int | None) -> None:
    if session.get(InspectionItemCategory, data.category_id) is None:
        raise RegisterRuleError(f"事项类别（编号 {data.category_id}）不存在，请重新选择")
    if repo.item_code_taken(session, data.code, self_id=self_id):
        raise Conflict(f"事项编码“{data.code}”已存在，请换一个编码")
    if data.active and not data.contents:
        raise RegisterRuleError("启用的检查事项至少要有一条检查内容")
    ids = [c.id for c in data.contents if c.id is not None]
    if len(set(ids)) != len(ids):
        raise RegisterRuleError("检查内容中有重复的条目，请每条只列一次")


def _apply(item: InspectionItem, data: ItemWrite) -> None:
    item.category_id, item.code, item.name = data.category_id, data.code, data.name.strip()
    item.basis = (data.basis or "").strip() or None
    item.method = (data.method or "").strip() or None
    item.sort_order, item.active = data.sort_order, data.active


def _save_contents(session: Session, item_id: int, data: ItemWrite) -> None:
    """Replace the check list; lines with results may be edited but never removed."""
    existing = repo.content_texts(session, item_id)
    foreign = [c.id for c in data.contents if c.id is not None and c.id not in existing]
    if foreign:
        raise RegisterRuleError(f"检查内容（编号 {foreign[0]}）不属于该事项，请刷新后重新编辑")
    kept = {c.id for c in data.contents}
    removed = [cid for cid in existing if cid not in kept]
    used = repo.contents_in_use(session, removed)
    if used:
        text = existing[min(used)]
        short = text if len(text) <= 30 else text[:30] + "…"
        raise Conflict(f"检查内容“{short}”已有检查结果，不能删除；如不再使用，请停用该事项")
    repo.replace_contents(session, item_id=item_id, contents=data.contents, removed=removed)


def create_item(session: Session, *, actor: Actor, data: ItemWrite) -> ItemDetail:
    """A new item with its check list (audited 'inspection.item_create')."""
    ensure_global_editor(actor, WHAT)
    _check_item(session, data, self_id=None)
    if any(c.id is not None for c in data.contents):
        raise RegisterRuleError("新增事项的检查内容不能带编号")
    item = InspectionItem()
    _apply(item, data)
    flush_unique(session, item, f"事项编码“{data.code}”已存在，请换一个编码", gone=_GONE)
    _save_contents(session, item.id, data)
    saved = get_item(session, actor=actor, item_id=item.id)
    record(
        session, action="inspection.item_create", object_type="inspection_item",
        object_id=item.id, after=_item_state(item, saved.contents),
        detail=f"新增检查事项“{item.name}”", **actor.audit_fields(),
    )  # fmt: skip
    return saved


def _locked_item(session: Session, item_id: int) -> InspectionItem:
    item = repo.lock_item(session, item_id)
    if item is None:
        raise NotFound(f"未找到检查事项（编号 {item_id}）")
    return item


def update_item(session: Session, *, actor: Actor, item_id: int, data: ItemWrite) -> ItemDetail:
    """Replace the item and its whole check list in one transaction (audited
    'inspection.item_update'); 409 when a removed line already has results."""
    ensure_global_editor(actor, WHAT)
    item = _locked_item(session, item_id)
    _check_item(session, data, self_id=item.id)
    before = _item_state(item, get_item(session, actor=actor, item_id=item_id).contents)
    _apply(item, data)
    flush_unique(session, item, f"事项编码“{data.code}”已存在，请换一个编码", gone=_GONE)
    _save_contents(session, item.id, data)
    session.expire(item)
    saved = get_item(session, actor=actor, item_id=item.id)
    record(
        session, action="inspection.item_update", object_type="inspection_item",
        object_id=item.id, before=before, after=_item_state(item, saved.contents),
        detail=f"修改检查事项“{saved.name}”", **actor.audit_fields(),
    )  # fmt: skip
    return saved


def delete_item(session: Session, *, actor: Actor, item_id: int) -> None:
    """Delete an item that no check result uses (else 409: deactivate it instead)."""
    ensure_global_editor(actor, WHAT)
    item = _locked_item(session, item_id)
    if repo.item_in_use(session, item_id):
        raise Conflict(f"检查事项“{item.name}”已有检查结果，不能删除；请改为停用")
    before = _item_state(item, get_item(session, actor=actor, item_id=item_id).contents)
    session.delete(item)
    session.flush()
    record(
        session, action="inspection.item_delete", object_type="inspection_item",
        object_id=item_id, before=before, **actor.audit_fields(),
    )  # fmt: skip


# ---- the check list of a category ------------------------------------------------------------
def checklist(session: Session, *, actor: Actor, category_id: int) -> Checklist:
    """Every active item of the category with its check contents and the total score."""
    actor.require(VIEW)
    category = _category(session, category_id)
    rows = repo.active_item_rows(session, category_id)
    contents = _contents(session, [r.id for r in rows])
    items = [
        ChecklistItem(
            id=r.id,
            code=r.code,
            name=r.name,
            basis=r.basis,
            method=r.method,
            max_score=r.max_score,
            contents=contents[r.id],
        )  # fmt: skip
        for r in rows
    ]
    return Checklist(
        category=category, items=items, total_max_score=sum(i.max_score for i in items)
    )
