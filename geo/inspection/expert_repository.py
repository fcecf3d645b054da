"""The SQL of the expert register (DR-4): experts with the items they cover, matched by
item or by item category, inside the actor's region subtree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import (
    JSON,
    ColumnElement,
    Row,
    Select,
    and_,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.paging import like_pattern
from geo.core.scope import readable
from geo.inspection.models import Expert, ExpertItem, InspectionItem
from geo.org.models import UserAccount
from geo.region.models import Region

Item = InspectionItem


def _expert_select(actor: Actor) -> Select:
    entry = func.json_build_object(
        "id", Item.id, "code", Item.code, "name", Item.name, "category_id", Item.category_id
    )
    items = (
        select(func.coalesce(func.json_agg(aggregate_order_by(entry, Item.code)),
                             cast(literal("[]"), JSON)))
        .select_from(ExpertItem)
        .join(Item, Item.id == ExpertItem.item_id)
        .where(ExpertItem.expert_id == Expert.id)
        .scalar_subquery()
    )  # fmt: skip
    return (
        select(
            Expert.id, Expert.name, Expert.user_id, UserAccount.username, Expert.region_id,
            Region.name.label("region_name"), Expert.organisation, Expert.title,
            Expert.speciality, Expert.mobile, Expert.active, items.label("items"),
            Expert.updated_at,
        )
        .outerjoin(UserAccount, UserAccount.id == Expert.user_id)
        .outerjoin(Region, Region.id == Expert.region_id)
        .where(readable(actor, Expert.region_id))
    )  # fmt: skip


def expert_rows(
    session: Session,
    *,
    actor: Actor,
    keyword: str | None,
    item_id: int | None,
    item_category_id: int | None,
    active: bool | None,
    after_id: int | None,
    limit: int,
) -> Sequence[Row]:
    """Experts of the actor's scope by id; `item_id` keeps those covering that item,
    `item_category_id` those covering any item of that category."""
    conditions: list[ColumnElement[bool]] = []
    if keyword:
        pattern = like_pattern(keyword)
        conditions.append(
            or_(
                Expert.name.ilike(pattern, escape="\\"),
                Expert.organisation.ilike(pattern, escape="\\"),
                Expert.speciality.ilike(pattern, escape="\\"),
            )
        )
    if item_id is not None:
        conditions.append(
            exists().where(ExpertItem.expert_id == Expert.id, ExpertItem.item_id == item_id)
        )
    if item_category_id is not None:
        conditions.append(
            exists().where(
                ExpertItem.expert_id == Expert.id,
                ExpertItem.item_id == Item.id,
                Item.category_id == item_category_id,
            )
        )
    if active is not None:
        conditions.append(Expert.active.is_(active))
    if after_id is not None:
        conditions.append(Expert.id > after_id)
    stmt = _expert_select(actor).order_by(Expert.id).limit(limit)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return session.execute(stmt).all()


def expert_row(session: Session, *, actor: Actor, expert_id: int) -> Row | None:
    return session.execute(_expert_select(actor).where(Expert.id == expert_id)).first()


def lock_expert(session: Session, *, actor: Actor, expert_id: int) -> Expert | None:
    return session.scalar(
        select(Expert)
        .where(Expert.id == expert_id, readable(actor, Expert.region_id))
        .with_for_update(of=Expert)
        .execution_options(populate_existing=True)
    )


def expert_of_user(session: Session, user_id: int, *, self_id: int | None) -> int | None:
    stmt = select(Expert.id).where(Expert.user_id == user_id)
    if self_id is not None:
        stmt = stmt.where(Expert.id != self_id)
    return session.scalar(stmt)


def existing_items(session: Session, item_ids: Iterable[int]) -> set[int]:
    ids = list(item_ids)
    return set(session.scalars(select(Item.id).where(Item.id.in_(ids)))) if ids else set()


def item_ids_of(session: Session, expert_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ExpertItem.item_id)
            .where(ExpertItem.expert_id == expert_id)
            .order_by(ExpertItem.item_id)
        )
    )


def replace_items(session: Session, *, expert_id: int, item_ids: Sequence[int]) -> None:
    session.execute(delete(ExpertItem).where(ExpertItem.expert_id == expert_id))
    if item_ids:
        session.execute(
            insert(ExpertItem), [{"expert_id": expert_id, "item_id": i} for i in item_ids]
        )
