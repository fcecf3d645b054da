"""The SQL of the enforcement-officer register (DR-3, GIS-6): officers with their user's
department and squad, their areas, officer types, conflicts, and the users and
enterprises the forms pick from. Every region-bound read goes through `readable`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    ColumnElement,
    Numeric,
    Row,
    Select,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.models import stored_point
from geo.core.paging import like_pattern
from geo.core.scope import readable
from geo.core.srid import STORAGE_SRID
from geo.enterprise.models import Enterprise
from geo.inspection.models import EnforcementOfficer, OfficerConflict, OfficerType
from geo.org.models import Department, Squad, UserAccount
from geo.region.models import Region

Officer = EnforcementOfficer


# ---- officers ------------------------------------------------------------------------------
def _officer_select(actor: Actor) -> Select:
    conflicts = (
        select(func.count())
        .select_from(OfficerConflict)
        .where(OfficerConflict.officer_id == Officer.id)
        .scalar_subquery()
    )
    source = case(
        (Officer.area_region_ids.is_not(None), literal("picked")),
        (Officer.area.is_not(None), literal("drawn")),
        else_=None,
    )
    area_m2 = func.round(cast(func.ST_Area(func.geography(Officer.area)), Numeric), 1)
    return (
        select(
            Officer.id,
            Officer.user_id,
            UserAccount.username,
            UserAccount.display_name,
            Officer.region_id,
            Region.name.label("region_name"),
            UserAccount.department_id,
            Department.name.label("department_name"),
            UserAccount.squad_id,
            Squad.name.label("squad_name"),
            Officer.officer_type,
            OfficerType.name.label("officer_type_name"),
            Officer.certificate_no,
            Officer.active,
            source.label("area_source"),
            area_m2.label("area_m2"),
            conflicts.label("conflict_count"),
            Officer.updated_at,
        )
        .join(UserAccount, UserAccount.id == Officer.user_id)
        .join(OfficerType, OfficerType.code == Officer.officer_type)
        .outerjoin(Region, Region.id == Officer.region_id)
        .outerjoin(Department, Department.id == UserAccount.department_id)
        .outerjoin(Squad, Squad.id == UserAccount.squad_id)
        .where(readable(actor, Officer.region_id))
    )


def officer_rows(
    session: Session,
    *,
    actor: Actor,
    keyword: str | None,
    officer_type: str | None,
    department_id: int | None,
    active: bool | None,
    covers: tuple[float, float] | None,
    after_id: int | None,
    limit: int,
) -> Sequence[Row]:
    """Officers of the actor's scope matching every filter, by id (keyset: `after_id`).
    `covers` keeps the officers whose area covers that (lon, lat): who may be sent there."""
    conditions: list[ColumnElement[bool]] = []
    if keyword:
        pattern = like_pattern(keyword)
        conditions.append(
            or_(
                UserAccount.display_name.ilike(pattern, escape="\\"),
                UserAccount.username.ilike(pattern, escape="\\"),
                Officer.certificate_no.ilike(pattern, escape="\\"),
            )
        )
    if officer_type:
        conditions.append(Officer.officer_type == officer_type)
    if department_id is not None:
        conditions.append(UserAccount.department_id == department_id)
    if active is not None:
        conditions.append(Officer.active.is_(active))
    if covers is not None:
        conditions.append(func.ST_Covers(Officer.area, stored_point(*covers)))
    if after_id is not None:
        conditions.append(Officer.id > after_id)
    stmt = _officer_select(actor).order_by(Officer.id).limit(limit)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return session.execute(stmt).all()


def officer_row(session: Session, *, actor: Actor, officer_id: int) -> Row | None:
    area = cast(func.ST_AsGeoJSON(Officer.area, 9, 0), JSON)  # RFC 7946: no crs member
    stmt = _officer_select(actor).add_columns(
        area.label("area"),
        Officer.area_region_ids,
        func.ltree2text(Region.path).label("region_path"),
    )
    return session.execute(stmt.where(Officer.id == officer_id)).first()


def lock_officer(session: Session, *, actor: Actor, officer_id: int) -> Officer | None:
    """The officer, row-locked for a change, if it lies in the actor's scope."""
    return session.scalar(
        select(Officer)
        .where(Officer.id == officer_id, readable(actor, Officer.region_id))
        .with_for_update(of=Officer)
        .execution_options(populate_existing=True)
    )


def officer_of_user(session: Session, user_id: int) -> int | None:
    return session.scalar(select(Officer.id).where(Officer.user_id == user_id))


def area_regions(session: Session, region_ids: Sequence[int]) -> Sequence[Row]:
    return session.execute(
        select(Region.id, Region.code, Region.name, Region.level)
        .where(Region.id.in_(region_ids))
        .order_by(Region.code)
    ).all()


def conflict_rows(session: Session, *, officer_id: int) -> Sequence[Row]:
    return session.execute(
        select(
            OfficerConflict.enterprise_id,
            Enterprise.name.label("enterprise_name"),
            Enterprise.address,
            OfficerConflict.reason,
            OfficerConflict.recorded_by,
            UserAccount.display_name.label("recorded_by_name"),
            OfficerConflict.recorded_at,
        )
        .join(Enterprise, Enterprise.id == OfficerConflict.enterprise_id)
        .outerjoin(UserAccount, UserAccount.id == OfficerConflict.recorded_by)
        .where(OfficerConflict.officer_id == officer_id)
        .order_by(OfficerConflict.recorded_at.desc(), OfficerConflict.enterprise_id)
    ).all()


# ---- users the form picks from -------------------------------------------------------------
def user_facts(session: Session, *, actor: Actor, user_id: int) -> Row | None:
    """(id, display_name, region_id, region_name, path, is_active) of a user of the
    actor's scope."""
    return session.execute(
        select(
            UserAccount.id,
            UserAccount.display_name,
            UserAccount.region_id,
            Region.name.label("region_name"),
            func.ltree2text(Region.path).label("path"),
            UserAccount.is_active,
        )
        .join(Region, Region.id == UserAccount.region_id)
        .where(UserAccount.id == user_id, readable(actor, UserAccount.region_id))
    ).first()


def candidate_rows(session: Session, *, actor: Actor, q: str, limit: int) -> Sequence[Row]:
    """Active users of the actor's scope by name, username or phone, with their officer id."""
    stmt = (
        select(
            UserAccount.id.label("user_id"),
            UserAccount.username,
            UserAccount.display_name,
            UserAccount.region_id,
            Region.name.label("region_name"),
            Department.name.label("department_name"),
            Squad.name.label("squad_name"),
            Officer.id.label("officer_id"),
        )
        .join(Region, Region.id == UserAccount.region_id)
        .outerjoin(Department, Department.id == UserAccount.department_id)
        .outerjoin(Squad, Squad.id == UserAccount.squad_id)
        .outerjoin(Officer, Officer.user_id == UserAccount.id)
        .where(UserAccount.is_active.is_(True), readable(actor, UserAccount.region_id))
        .order_by(UserAccount.id)
        .limit(limit)
    )
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(
            or_(
                UserAccount.display_name.ilike(pattern, escape="\\"),
                UserAccount.username.ilike(pattern, escape="\\"),
                UserAccount.phone.ilike(pattern, escape="\\"),
            )
        )
    return session.execute(stmt).all()


# ---- areas -----------------------------------------------------------------------------------
def region_refs(session: Session, region_ids: Sequence[int]) -> Sequence[Row]:
    """(id, name, level, path) of the listed regions that exist."""
    return session.execute(
        select(Region.id, Region.name, Region.level, func.ltree2text(Region.path).label("path"))
        .where(Region.id.in_(region_ids))
    ).all()  # fmt: skip


def region_path(session: Session, region_id: int) -> str | None:
    return session.scalar(select(func.ltree2text(Region.path)).where(Region.id == region_id))


def union_of_regions(session: Session, region_ids: Sequence[int]) -> BaseGeometry:
    """The regions' outlines merged into one MultiPolygon."""
    wkb = session.execute(
        text("""SELECT ST_AsBinary(ST_Multi(ST_CollectionExtract(ST_Union(geom), 3)))
                FROM region WHERE id = ANY(:ids)"""),
        {"ids": list(region_ids)},
    ).scalar_one()
    return shapely.from_wkb(bytes(wkb))


def area_m2(session: Session, geom: BaseGeometry) -> float:
    m2 = session.execute(
        text("SELECT ST_Area(CAST(ST_GeomFromWKB(:wkb, :srid) AS geography))"),
        {"wkb": shapely.to_wkb(geom), "srid": STORAGE_SRID},
    ).scalar_one()
    return round(float(m2), 1)


def outside_part(
    session: Session, geom: BaseGeometry, *, region_id: int
) -> tuple[float, dict[str, Any] | None]:
    """The part of `geom` outside the region, as (m², GeoJSON); (0, None) when none."""
    row = session.execute(
        text("""WITH g AS (SELECT ST_GeomFromWKB(:wkb, :srid) AS geom),
                     d AS (SELECT ST_CollectionExtract(ST_Difference(g.geom, r.geom), 3) AS geom
                           FROM g, region r
                           WHERE r.id = :region AND NOT ST_CoveredBy(g.geom, r.geom))
                SELECT ST_Area(CAST(d.geom AS geography)) AS m2,
                       CAST(ST_AsGeoJSON(d.geom, 9, 0) AS json) AS geometry
                FROM d"""),
        {"wkb": shapely.to_wkb(geom), "srid": STORAGE_SRID, "region": region_id},
    ).first()
    if row is None or row.m2 is None or row.m2 <= 0:
        return 0.0, None
    return round(float(row.m2), 1), row.geometry


# ---- officer types ---------------------------------------------------------------------------
def officer_type_rows(session: Session) -> Sequence[Row]:
    counts = (
        select(func.count())
        .select_from(Officer)
        .where(Officer.officer_type == OfficerType.code)
        .scalar_subquery()
    )
    return session.execute(
        select(OfficerType.code, OfficerType.name, OfficerType.sort_order,
               counts.label("officer_count"))
        .order_by(OfficerType.sort_order, OfficerType.code)
    ).all()  # fmt: skip


def lock_officer_type(session: Session, code: str) -> OfficerType | None:
    return session.scalar(select(OfficerType).where(OfficerType.code == code).with_for_update())


def officers_of_type(session: Session, code: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Officer).where(Officer.officer_type == code)
        )
        or 0
    )


# ---- conflicts -------------------------------------------------------------------------------
def enterprise_ref(session: Session, *, actor: Actor, enterprise_id: int) -> Row | None:
    """(id, name) of an enterprise of the actor's scope."""
    return session.execute(
        select(Enterprise.id, Enterprise.name).where(
            Enterprise.id == enterprise_id, readable(actor, Enterprise.region_id)
        )
    ).first()


def conflict(session: Session, *, officer_id: int, enterprise_id: int) -> OfficerConflict | None:
    return session.get(OfficerConflict, (officer_id, enterprise_id))


def delete_conflict(session: Session, *, officer_id: int, enterprise_id: int) -> int:
    result = session.execute(
        delete(OfficerConflict).where(
            OfficerConflict.officer_id == officer_id,
            OfficerConflict.enterprise_id == enterprise_id,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def enterprise_options(session: Session, *, actor: Actor, q: str, limit: int) -> Sequence[Row]:
    """Enterprises of the actor's scope whose name, address or credit code holds `q`."""
    stmt = (
        select(Enterprise.id, Enterprise.name, Enterprise.address, Enterprise.uscc)
        .where(readable(actor, Enterprise.region_id))
        .order_by(Enterprise.name, Enterprise.id)
        .limit(limit)
    )
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(
            or_(
                Enterprise.name.ilike(pattern, escape="\\"),
                Enterprise.address.ilike(pattern, escape="\\"),
                Enterprise.uscc == q.upper(),
            )
        )
    return session.execute(stmt).all()
