"""The SQL of the inspection-item catalogue (DR-5): categories, items with their score
totals, check contents and which of them already carry check results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from geo.core.paging import like_pattern
from geo.inspection.item_schemas import CheckContentIn
from geo.inspection.models import (
    CheckContent,
    CheckResult,
    InspectionDraw,
    InspectionItem,
    InspectionItemCategory,
    InspectionTask,
)

Category = InspectionItemCategory
Item = InspectionItem


# ---- categories ------------------------------------------------------------------------------
def _category_select() -> Select:
    items = select(func.count()).where(Item.category_id == Category.id).scalar_subquery()
    active = (
        select(func.count())
        .where(Item.category_id == Category.id, Item.active.is_(True))
        .scalar_subquery()
    )
    return select(
        Category.id, Category.code, Category.name, Category.sort_order,
        items.label("item_count"), active.label("active_item_count"),
    ).order_by(Category.sort_order, Category.code)  # fmt: skip


def category_rows(session: Session) -> Sequence[Row]:
    return session.execute(_category_select()).all()


def category_row(session: Session, category_id: int) -> Row | None:
    return session.execute(_category_select().where(Category.id == category_id)).first()


def lock_category(session: Session, category_id: int) -> Category | None:
    return session.scalar(select(Category).where(Category.id == category_id).with_for_update())


def category_code_taken(session: Session, code: str, *, self_id: int | None) -> bool:
    stmt = select(Category.id).where(Category.code == code)
    if self_id is not None:
        stmt = stmt.where(Category.id != self_id)
    return session.scalar(stmt) is not None


def category_uses(session: Session, category_id: int) -> tuple[int, int]:
    """(items, draws and tasks) that refer to the category."""
    items = session.scalar(select(func.count()).where(Item.category_id == category_id)) or 0
    draws = (
        session.scalar(select(func.count()).where(InspectionDraw.item_category_id == category_id))
        or 0
    )
    tasks = (
        session.scalar(select(func.count()).where(InspectionTask.item_category_id == category_id))
        or 0
    )
    return items, draws + tasks


# ---- items -------------------------------------------------------------------------------------
def _item_select() -> Select:
    count = select(func.count()).where(CheckContent.item_id == Item.id).scalar_subquery()
    total = (
        select(func.coalesce(func.sum(CheckContent.max_score), 0))
        .where(CheckContent.item_id == Item.id)
        .scalar_subquery()
    )
    return select(
        Item.id, Item.category_id, Category.name.label("category_name"), Item.code, Item.name,
        Item.basis, Item.method, Item.sort_order, Item.active,
        count.label("content_count"), total.label("max_score"), Item.updated_at,
    ).join(Category, Category.id == Item.category_id)  # fmt: skip


def item_rows(
    session: Session,
    *,
    category_id: int | None,
    keyword: str | None,
    active: bool | None,
    after: tuple[int, int] | None,
    limit: int,
) -> Sequence[Row]:
    """Items in (sort_order, id) order; keyset: `after` = (sort_order, id) of the last row."""
    conditions: list[ColumnElement[bool]] = []
    if category_id is not None:
        conditions.append(Item.category_id == category_id)
    if keyword:
        pattern = like_pattern(keyword)
        conditions.append(
            or_(Item.name.ilike(pattern, escape="\\"), Item.code.ilike(pattern, escape="\\"))
        )
    if active is not None:
        conditions.append(Item.active.is_(active))
    if after is not None:
        conditions.append(tuple_(Item.sort_order, Item.id) > tuple_(*after))
    stmt = _item_select().order_by(Item.sort_order, Item.id).limit(limit)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return session.execute(stmt).all()


def item_row(session: Session, item_id: int) -> Row | None:
    return session.execute(_item_select().where(Item.id == item_id)).first()


def active_item_rows(session: Session, category_id: int) -> Sequence[Row]:
    stmt = _item_select().where(Item.category_id == category_id, Item.active.is_(True))
    return session.execute(stmt.order_by(Item.sort_order, Item.code)).all()


def lock_item(session: Session, item_id: int) -> Item | None:
    return session.scalar(select(Item).where(Item.id == item_id).with_for_update())


def item_code_taken(session: Session, code: str, *, self_id: int | None) -> bool:
    stmt = select(Item.id).where(Item.code == code)
    if self_id is not None:
        stmt = stmt.where(Item.id != self_id)
    return session.scalar(stmt) is not None


# ---- check contents ------------------------------------------------------------------------------
def content_rows(session: Session, item_ids: Iterable[int]) -> Sequence[Row]:
    """The contents of the items in list order, each with whether results use it."""
    in_use = select(CheckResult.content_id).where(CheckResult.content_id == CheckContent.id)
    return session.execute(
        select(
            CheckContent.id, CheckContent.item_id, CheckContent.seq, CheckContent.content,
            CheckContent.max_score, CheckContent.critical, in_use.exists().label("in_use"),
        )
        .where(CheckContent.item_id.in_(list(item_ids)))
        .order_by(CheckContent.item_id, CheckContent.seq)
    ).all()  # fmt: skip


def content_texts(session: Session, item_id: int) -> dict[int, str]:
    rows = session.execute(
        select(CheckContent.id, CheckContent.content).where(CheckContent.item_id == item_id)
    )
    return {r.id: r.content for r in rows}


def contents_in_use(session: Session, content_ids: Iterable[int]) -> set[int]:
    ids = list(content_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(CheckResult.content_id).where(CheckResult.content_id.in_(ids)).distinct()
        )
    )


def item_in_use(session: Session, item_id: int) -> bool:
    used = (
        select(CheckResult.content_id)
        .join(CheckContent, CheckContent.id == CheckResult.content_id)
        .where(CheckContent.item_id == item_id)
    )
    return bool(session.scalar(select(used.exists())))


def replace_contents(
    session: Session, *, item_id: int, contents: Sequence[CheckContentIn], removed: Iterable[int]
) -> None:
    """The item's check list becomes `contents`, in that order (seq 1, 2, …): listed ids are
    updated, new lines inserted, `removed` deleted. The kept lines first move to negative
    seq so the renumbering never collides with the (item, seq) uniqueness."""
    removed_ids = list(removed)
    if removed_ids:
        session.execute(delete(CheckContent).where(CheckContent.id.in_(removed_ids)))
    session.execute(
        update(CheckContent).where(CheckContent.item_id == item_id).values(seq=-CheckContent.seq)
    )
    for seq, c in enumerate(contents, start=1):
        values = {"seq": seq, "content": c.content.strip(), "max_score": c.max_score,
                  "critical": c.critical}  # fmt: skip
        if c.id is None:
            session.execute(insert(CheckContent).values(item_id=item_id, **values))
        else:
            session.execute(
                update(CheckContent)
                .where(CheckContent.id == c.id, CheckContent.item_id == item_id)
                .values(**values)
            )
