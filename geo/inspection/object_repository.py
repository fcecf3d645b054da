"""The SQL of the supervised-object register (监管对象, DR-2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    String,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.models import Ltree
from geo.core.scope import readable
from geo.enterprise.models import Enterprise
from geo.inspection.category_repository import subtree_ids
from geo.inspection.models import (
    BusinessLicence,
    EnterpriseSupervision,
    ResponsiblePerson,
    SupervisionCategory,
)
from geo.region.models import Region
from geo.region.place import COMMUNITY, GRID, TOWN, with_place

__all__ = [
    "ObjectFilters",
    "existing_category_ids",
    "licence_rows",
    "lock_object",
    "object_row",
    "object_rows",
    "person_rows",
    "replace_categories",
    "uscc_taken",
]


@dataclass(frozen=True)
class ObjectFilters:
    supervision_category_id: int | None = None  # with its descendants
    keyword: str | None = None  # name, USCC or address
    category: str | None = None  # enterprise category
    risk_list: str | None = None
    region_path: str | None = None  # a town, community or grid: its subtree


def _categories_of(enterprise_id: Any) -> Any:
    """The object's supervision categories as a JSON array, in tree order."""
    c = SupervisionCategory
    item = func.json_build_object("id", c.id, "code", c.code, "name", c.name)
    return (
        select(
            func.coalesce(
                func.json_agg(aggregate_order_by(item, c.sort_order, c.name)),
                literal_column("'[]'::json"),
            )
        )
        .select_from(EnterpriseSupervision)
        .join(c, c.id == EnterpriseSupervision.category_id)
        .where(EnterpriseSupervision.enterprise_id == enterprise_id)
        .scalar_subquery()
    )


def _select() -> Any:
    e = Enterprise
    query = select(
        e.id, e.name, e.uscc, e.category, e.address, e.legal_representative, e.contact_phone,
        e.risk_list, e.draw_weight, e.pass_streak, e.fail_streak, e.region_id,
        e.created_at, e.updated_at,
        func.ST_X(e.geom).label("lon"), func.ST_Y(e.geom).label("lat"),
        GRID.name.label("grid_name"), COMMUNITY.name.label("community_name"),
        TOWN.name.label("town_name"),
        _categories_of(e.id).label("supervision_categories"),
    )  # fmt: skip
    return with_place(query, e.region_id)


def _conditions(actor: Actor, f: ObjectFilters) -> list[ColumnElement[bool]]:
    e = Enterprise
    out: list[ColumnElement[bool]] = [readable(actor, e.region_id)]
    if f.supervision_category_id is not None:
        es = EnterpriseSupervision
        out.append(
            exists().where(
                es.enterprise_id == e.id,
                es.category_id.in_(subtree_ids(f.supervision_category_id)),
            )
        )
    if f.keyword:
        out.append(
            or_(
                e.name.icontains(f.keyword, autoescape=True),
                e.uscc.icontains(f.keyword, autoescape=True),
                e.address.icontains(f.keyword, autoescape=True),
            )
        )
    if f.category is not None:
        out.append(e.category == f.category)
    if f.risk_list is not None:
        out.append(e.risk_list == f.risk_list)
    if f.region_path is not None:
        under = select(Region.id).where(
            Region.path.op("<@")(cast(literal(f.region_path, String), Ltree))
        )
        out.append(e.region_id.in_(under))
    return out


def object_rows(
    session: Session,
    *,
    actor: Actor,
    filters: ObjectFilters,
    after: tuple[str, int] | None,
    limit: int,
) -> list[Row[Any]]:
    """Objects of the actor's scope by name (then id), keyset-paged on (name, id)."""
    e = Enterprise
    query = _select().where(*_conditions(actor, filters))
    if after is not None:
        query = query.where(tuple_(e.name, e.id) > tuple_(literal(after[0]), literal(after[1])))
    return list(session.execute(query.order_by(e.name, e.id).limit(limit)).all())


def object_row(session: Session, *, actor: Actor, enterprise_id: int) -> Row[Any] | None:
    query = _select().where(Enterprise.id == enterprise_id, readable(actor, Enterprise.region_id))
    return session.execute(query).first()


def lock_object(session: Session, *, actor: Actor, enterprise_id: int) -> Enterprise | None:
    """The row, locked for the change to come, if it lies in the actor's scope. One
    statement: a row moved out of the scope while we waited is not found."""
    return session.scalar(
        select(Enterprise)
        .where(Enterprise.id == enterprise_id, readable(actor, Enterprise.region_id))
        .with_for_update(of=Enterprise)
        .execution_options(populate_existing=True)
    )


def region_path(session: Session, region_id: int | None) -> str | None:
    if region_id is None:
        return None
    return session.scalar(select(func.ltree2text(Region.path)).where(Region.id == region_id))


def point_of(session: Session, enterprise_id: int) -> tuple[float, float]:
    e = Enterprise
    row = session.execute(
        select(func.ST_X(e.geom), func.ST_Y(e.geom)).where(e.id == enterprise_id)
    ).one()
    return float(row[0]), float(row[1])


def uscc_taken(session: Session, uscc: str, *, self_id: int | None) -> bool:
    query = select(Enterprise.id).where(Enterprise.uscc == uscc)
    if self_id is not None:
        query = query.where(Enterprise.id != self_id)
    return session.scalar(query) is not None


def existing_category_ids(session: Session, ids: list[int]) -> set[int]:
    c = SupervisionCategory
    return set(session.scalars(select(c.id).where(c.id.in_(ids))))


def category_ids_of(session: Session, enterprise_id: int) -> list[int]:
    es = EnterpriseSupervision
    query = select(es.category_id).where(es.enterprise_id == enterprise_id).order_by(es.category_id)
    return list(session.scalars(query))


def replace_categories(session: Session, *, enterprise_id: int, category_ids: list[int]) -> None:
    es = EnterpriseSupervision
    session.execute(delete(es).where(es.enterprise_id == enterprise_id))
    if category_ids:
        rows = [{"enterprise_id": enterprise_id, "category_id": c} for c in category_ids]
        session.execute(insert(es), rows)


def licence_rows(session: Session, enterprise_id: int) -> list[BusinessLicence]:
    b = BusinessLicence
    return list(session.scalars(select(b).where(b.enterprise_id == enterprise_id).order_by(b.id)))


def person_rows(session: Session, enterprise_id: int) -> list[ResponsiblePerson]:
    p = ResponsiblePerson
    return list(session.scalars(select(p).where(p.enterprise_id == enterprise_id).order_by(p.id)))
