"""All SQL of patrol plans and check-ins: officer options, plan rows with their progress
(one statement per page), assignments, today's patrols of an officer, check-ins and
their map layer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    SmallInteger,
    String,
    and_,
    any_,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, aliased

from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.models import Ltree, stored_point
from geo.core.scope import readable
from geo.enterprise.models import Enterprise
from geo.file.models import StoredFile
from geo.inspection.models import EnforcementOfficer
from geo.org.holders import holds
from geo.org.models import Squad, UserAccount
from geo.patrol.models import (
    PatrolAssignment,
    PatrolCheckIn,
    PatrolPhoto,
    PatrolPlan,
    PatrolRoute,
    PlanKind,
)
from geo.region.models import Region

_officer = aliased(UserAccount, name="officer")
_creator = aliased(UserAccount, name="creator")
OPTION_LIMIT = 500


def _all(rows: Any) -> list[Row[Any]]:
    return list(rows)


def _first(result: Any) -> Row[Any] | None:
    row: Row[Any] | None = result.first()
    return row


def _within(path_column: Any, ancestor: str) -> ColumnElement[bool]:
    return path_column.op("<@")(cast(literal(ancestor, String), Ltree))  # type: ignore[no-any-return]


# ---- officers ----------------------------------------------------------------------------
def officer_options(
    session: Session, *, actor: Actor, ids: list[int] | None = None
) -> list[Row[Any]]:
    """Active users of the actor's scope who patrol (hold patrol.perform); `ids`: only those."""
    query = (
        select(
            UserAccount.id,
            UserAccount.display_name,
            Region.name.label("region_name"),
            Squad.name.label("squad_name"),
            exists()
            .where(
                EnforcementOfficer.user_id == UserAccount.id,
                EnforcementOfficer.active,
                EnforcementOfficer.area.is_not(None),
            )
            .label("has_area"),
        )  # fmt: skip
        .join(Region, Region.id == UserAccount.region_id)
        .outerjoin(Squad, Squad.id == UserAccount.squad_id)
        .where(
            UserAccount.is_active.is_(True),
            holds("patrol.perform"),
            true() if actor.is_district_wide else _within(Region.path, actor.region_path),
        )
        .order_by(UserAccount.display_name, UserAccount.id)
        .limit(OPTION_LIMIT)
    )
    if ids is not None:
        query = query.where(UserAccount.id.in_(ids))
    return _all(session.execute(query).all())


def region_row(session: Session, *, region_id: int) -> Row[Any] | None:
    return _first(
        session.execute(select(Region.id, Region.name, Region.path).where(Region.id == region_id))
    )


def route_region(session: Session, *, route_id: int) -> Row[Any] | None:
    return _first(
        session.execute(
            select(PatrolRoute.id, PatrolRoute.name, Region.path.label("region_path"))
            .outerjoin(Region, Region.id == PatrolRoute.region_id)
            .where(PatrolRoute.id == route_id)
        )
    )


def route_options(
    session: Session, *, actor: Actor, keyword: str | None, limit: int
) -> list[Row[Any]]:
    """Patrol routes of the actor's scope whose name holds `keyword`, daily routes first,
    by name (a town has tens of routes: no index needed beyond the region's)."""
    query = (
        select(
            PatrolRoute.id,
            PatrolRoute.name,
            PatrolRoute.kind,
            PatrolRoute.length_m,
            Region.name.label("region_name"),
        )  # fmt: skip
        .outerjoin(Region, Region.id == PatrolRoute.region_id)
        .where(true() if actor.is_district_wide else _within(Region.path, actor.region_path))
        .order_by(PatrolRoute.kind, PatrolRoute.name, PatrolRoute.id)
        .limit(limit)
    )
    if keyword:
        query = query.where(PatrolRoute.name.contains(keyword, autoescape=True))
    return _all(session.execute(query).all())


# ---- plans -------------------------------------------------------------------------------
def insert_plan(session: Session, **values: Any) -> int:
    plan = PatrolPlan(**values)
    session.add(plan)
    session.flush()
    return plan.id


def insert_assignments(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(PatrolAssignment), rows)


def _plan_select() -> Any:
    a, c = PatrolAssignment, PatrolCheckIn
    p = PatrolPlan

    def count_of(*where: Any) -> Any:
        return (
            select(func.count()).select_from(a).where(a.plan_id == p.id, *where).scalar_subquery()
        )

    officers = (
        select(
            func.coalesce(
                func.array_agg(_officer.display_name.distinct()), literal_column("'{}'::text[]")
            )
        )
        .select_from(a)
        .join(_officer, _officer.id == a.officer_id)
        .where(a.plan_id == p.id)
        .scalar_subquery()
    )
    return (
        select(
            p.id,
            p.name,
            p.kind,
            p.start_date,
            p.end_date,
            p.weekdays,
            p.enterprise_category,
            p.region_id,
            Region.name.label("region_name"),
            Region.path.label("region_path"),
            p.route_id,
            PatrolRoute.name.label("route_name"),
            p.note,
            p.active,
            p.created_by,
            _creator.display_name.label("created_by_name"),
            p.created_at,
            count_of().label("assignment_count"),
            count_of(a.done_at.is_not(None)).label("done_count"),
            count_of(a.enterprise_id.is_not(None), a.officer_id.is_(None)).label("unmatched_count"),
            select(func.count())
            .select_from(c)
            .where(c.plan_id == p.id)
            .scalar_subquery()
            .label("check_in_count"),
            officers.label("officer_names"),
        )  # fmt: skip
        .join(_creator, _creator.id == p.created_by)
        .outerjoin(Region, Region.id == p.region_id)
        .outerjoin(PatrolRoute, PatrolRoute.id == p.route_id)
    )


def plan_row(session: Session, *, actor: Actor, plan_id: int) -> Row[Any] | None:
    return _first(
        session.execute(
            _plan_select().where(PatrolPlan.id == plan_id, readable(actor, PatrolPlan.region_id))
        )
    )


def plan_rows(
    session: Session,
    *,
    actor: Actor,
    kind: str | None,
    keyword: str | None,
    active: bool | None,
    after_id: int | None,
    limit: int,
) -> list[Row[Any]]:
    p = PatrolPlan
    query = _plan_select().where(readable(actor, p.region_id))
    if kind:
        query = query.where(p.kind == kind)
    if keyword:
        query = query.where(p.name.ilike(f"%{keyword}%"))
    if active is not None:
        query = query.where(p.active.is_(active))
    if after_id is not None:
        query = query.where(p.id < after_id)
    return _all(session.execute(query.order_by(p.id.desc()).limit(limit)).all())


def stop_plan(session: Session, *, plan_id: int) -> bool:
    result = session.execute(
        update(PatrolPlan)
        .where(PatrolPlan.id == plan_id, PatrolPlan.active.is_(True))
        .values(active=False, updated_at=func.now())
        .returning(PatrolPlan.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


def _assignment_select() -> Any:
    a, c = PatrolAssignment, PatrolCheckIn
    return (
        select(
            a.id,
            a.plan_id,
            a.officer_id,
            _officer.display_name.label("officer_name"),
            a.enterprise_id,
            Enterprise.name.label("enterprise_name"),
            Enterprise.address.label("enterprise_address"),
            func.ST_X(Enterprise.geom).label("lon"),
            func.ST_Y(Enterprise.geom).label("lat"),
            a.unmatched_reason,
            a.done_at,
            select(func.count())
            .select_from(c)
            .where(c.assignment_id == a.id)
            .scalar_subquery()
            .label("check_in_count"),
        )  # fmt: skip
        .outerjoin(_officer, _officer.id == a.officer_id)
        .outerjoin(Enterprise, Enterprise.id == a.enterprise_id)
    )


def assignment_rows(
    session: Session, *, plan_id: int, unmatched_only: bool, after_id: int | None, limit: int
) -> list[Row[Any]]:
    a = PatrolAssignment
    query = _assignment_select().where(a.plan_id == plan_id)
    if unmatched_only:
        query = query.where(a.officer_id.is_(None))
    if after_id is not None:
        query = query.where(a.id > after_id)
    return _all(session.execute(query.order_by(a.id).limit(limit)).all())


# ---- today's patrols ---------------------------------------------------------------------
def today_rows(session: Session, *, user_id: int, day: date) -> list[Row[Any]]:
    """The officer's daily plans recurring on `day` and open special assignments of plans
    running on `day`, with the check-ins they made under each that day."""
    a, p, c = PatrolAssignment, PatrolPlan, PatrolCheckIn
    weekday = day.isoweekday()
    since = datetime.combine(day, time(0), SHANGHAI)
    today_count = (
        select(func.count())
        .select_from(c)
        .where(
            c.plan_id == p.id,
            c.officer_id == user_id,
            or_(a.enterprise_id.is_(None), c.enterprise_id == a.enterprise_id),
            c.at >= since,
            c.at < since + timedelta(days=1),
        )  # fmt: skip
        .scalar_subquery()
    )
    query = (
        select(
            p.kind,
            p.id.label("plan_id"),
            p.name.label("plan_name"),
            a.id.label("assignment_id"),
            p.end_date,
            PatrolRoute.name.label("route_name"),
            a.enterprise_id,
            Enterprise.name.label("enterprise_name"),
            Enterprise.address.label("address"),
            func.ST_X(Enterprise.geom).label("lon"),
            func.ST_Y(Enterprise.geom).label("lat"),
            today_count.label("check_ins_today"),
        )  # fmt: skip
        .select_from(a)
        .join(p, p.id == a.plan_id)
        .outerjoin(PatrolRoute, PatrolRoute.id == p.route_id)
        .outerjoin(Enterprise, Enterprise.id == a.enterprise_id)
        .where(
            a.officer_id == user_id,
            p.active.is_(True),
            p.start_date <= day,
            p.end_date >= day,
            or_(
                and_(
                    p.kind == PlanKind.DAILY.value,
                    literal(weekday, SmallInteger) == any_(p.weekdays),
                ),
                and_(p.kind == PlanKind.SPECIAL.value, a.done_at.is_(None)),
            ),
        )  # fmt: skip
        .order_by(p.kind, p.id, Enterprise.name, a.id)
    )
    return _all(session.execute(query).all())


# ---- check-ins ---------------------------------------------------------------------------
def plan_for_check_in(session: Session, *, plan_id: int) -> Row[Any] | None:
    return _first(
        session.execute(
            select(
                PatrolPlan.id,
                PatrolPlan.name,
                PatrolPlan.kind,
                PatrolPlan.active,
                PatrolPlan.start_date,
                PatrolPlan.end_date,
                PatrolPlan.weekdays,
            ).where(PatrolPlan.id == plan_id)
        )
    )


def own_assignment(
    session: Session, *, plan_id: int, user_id: int, enterprise_id: int | None
) -> Row[Any] | None:
    a = PatrolAssignment
    match = a.enterprise_id.is_(None) if enterprise_id is None else a.enterprise_id == enterprise_id
    return _first(
        session.execute(
            select(a.id, a.enterprise_id, a.done_at).where(
                a.plan_id == plan_id, a.officer_id == user_id, match
            )
        )
    )


def has_assignment(session: Session, *, plan_id: int, user_id: int) -> bool:
    a = PatrolAssignment
    return bool(
        session.scalar(select(exists().where(a.plan_id == plan_id, a.officer_id == user_id)))
    )


def enterprise_distance(
    session: Session, *, actor: Actor, enterprise_id: int, lon: float, lat: float
) -> Row[Any] | None:
    """The enterprise (in the actor's scope) and its distance to the point in metres on
    the spheroid."""
    distance = func.ST_Distance(
        func.geography(Enterprise.geom), func.geography(stored_point(lon, lat))
    ).label("distance_m")
    return _first(
        session.execute(
            select(Enterprise.id, Enterprise.name, distance).where(
                Enterprise.id == enterprise_id, readable(actor, Enterprise.region_id)
            )
        )
    )


def nearby_enterprises(
    session: Session, *, actor: Actor, lon: float, lat: float, limit: int
) -> list[Row[Any]]:
    """The enterprises in the actor's scope nearest the point, nearest first. The GiST
    index picks the candidates (KNN `<->`, in degrees, where east-west is shorter than
    north-south); the metres on the spheroid then order the few shown."""
    point = stored_point(lon, lat)
    candidates = (
        select(Enterprise.id, Enterprise.name, Enterprise.address, Enterprise.geom)
        .where(readable(actor, Enterprise.region_id))
        # `<->` alone, so that the index can deliver the order (KNN scan).
        .order_by(Enterprise.geom.op("<->")(point))
        .limit(limit * 2 + 20)
        .subquery()
    )
    distance = func.ST_Distance(func.geography(candidates.c.geom), func.geography(point))
    return list(
        session.execute(
            select(
                candidates.c.id,
                candidates.c.name,
                candidates.c.address,
                func.ST_X(candidates.c.geom).label("lon"),
                func.ST_Y(candidates.c.geom).label("lat"),
                distance.label("distance_m"),
            )
            .order_by(distance, candidates.c.id)
            .limit(limit)
        )
    )


def smallest_region_at(session: Session, *, lon: float, lat: float) -> Row[Any] | None:
    """The deepest region covering the point (a grid, where there is one)."""
    return _first(
        session.execute(
            select(Region.id, Region.name, Region.path)
            .where(func.ST_Covers(Region.geom, stored_point(lon, lat)))
            .order_by(func.nlevel(Region.path).desc(), Region.id)
            .limit(1)
        )
    )


def insert_check_in(session: Session, *, lon: float, lat: float, **values: Any) -> int:
    check_in = PatrolCheckIn(geom=stored_point(lon, lat), **values)
    session.add(check_in)
    session.flush()
    return check_in.id


def complete_assignment(session: Session, *, assignment_id: int, at: datetime) -> bool:
    result = session.execute(
        update(PatrolAssignment)
        .where(PatrolAssignment.id == assignment_id, PatrolAssignment.done_at.is_(None))
        .values(done_at=at)
        .returning(PatrolAssignment.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


def check_in_visible(actor: Actor) -> ColumnElement[bool]:
    """Planners see the check-ins of their scope; an officer, their own."""
    if actor.can("patrol.plan"):
        return readable(actor, PatrolCheckIn.region_id)
    return PatrolCheckIn.officer_id == actor.user_id


def _check_in_select() -> Any:
    c, ph = PatrolCheckIn, PatrolPhoto
    return (
        select(
            c.id,
            c.plan_id,
            PatrolPlan.name.label("plan_name"),
            PatrolPlan.kind.label("plan_kind"),
            c.assignment_id,
            c.officer_id,
            _officer.display_name.label("officer_name"),
            c.enterprise_id,
            Enterprise.name.label("enterprise_name"),
            c.at,
            func.ST_X(c.geom).label("lon"),
            func.ST_Y(c.geom).label("lat"),
            c.accuracy_m,
            c.distance_m,
            c.findings,
            c.problem_found,
            c.region_id,
            Region.name.label("region_name"),
            select(func.count())
            .select_from(ph)
            .where(ph.check_in_id == c.id)
            .scalar_subquery()
            .label("photo_count"),
        )  # fmt: skip
        .join(PatrolPlan, PatrolPlan.id == c.plan_id)
        .join(_officer, _officer.id == c.officer_id)
        .outerjoin(Enterprise, Enterprise.id == c.enterprise_id)
        .outerjoin(Region, Region.id == c.region_id)
    )


def check_in_row(session: Session, *, actor: Actor, check_in_id: int) -> Row[Any] | None:
    return _first(
        session.execute(
            _check_in_select().where(PatrolCheckIn.id == check_in_id, check_in_visible(actor))
        )
    )


def _check_in_filters(
    actor: Actor,
    *,
    officer_id: int | None,
    plan_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    c = PatrolCheckIn
    where = [check_in_visible(actor)]
    if officer_id is not None:
        where.append(c.officer_id == officer_id)
    if plan_id is not None:
        where.append(c.plan_id == plan_id)
    if since is not None:
        where.append(c.at >= since)
    if until is not None:
        where.append(c.at < until)
    return where


def check_in_rows(
    session: Session,
    *,
    actor: Actor,
    officer_id: int | None,
    plan_id: int | None,
    since: datetime | None,
    until: datetime | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Row[Any]]:
    """Newest first, keyset-paged on (at, id)."""
    c = PatrolCheckIn
    where = _check_in_filters(
        actor, officer_id=officer_id, plan_id=plan_id, since=since, until=until
    )
    if after is not None:
        where.append(or_(c.at < after[0], and_(c.at == after[0], c.id < after[1])))
    query = _check_in_select().where(*where).order_by(c.at.desc(), c.id.desc()).limit(limit)
    return _all(session.execute(query).all())


def check_in_points(
    session: Session,
    *,
    actor: Actor,
    officer_id: int | None,
    plan_id: int | None,
    since: datetime,
    until: datetime,
    limit: int,
) -> list[Row[Any]]:
    c = PatrolCheckIn
    where = _check_in_filters(
        actor, officer_id=officer_id, plan_id=plan_id, since=since, until=until
    )
    query = _check_in_select().where(*where).order_by(c.at.desc(), c.id.desc()).limit(limit)
    return _all(session.execute(query).all())


def photo_rows(session: Session, *, where: ColumnElement[bool]) -> list[Row[Any]]:
    return _all(
        session.execute(
            select(
                PatrolPhoto.id,
                PatrolPhoto.check_in_id,
                PatrolPhoto.sha256,
                StoredFile.media_type,
                StoredFile.size,
                PatrolPhoto.at,
            )  # fmt: skip
            .join(StoredFile, StoredFile.sha256 == PatrolPhoto.sha256)
            .where(where)
            .order_by(PatrolPhoto.id)
        ).all()
    )
