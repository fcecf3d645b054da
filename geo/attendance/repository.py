"""All SQL of attendance: judging a position against the member's grids, the upsert of
the daily report, the guarded review, the reviewers' list (one query with the names,
keyset-paged) and the monthly counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, String, cast, func, select, text, tuple_, update
from sqlalchemy.orm import Session

from geo.attendance.models import AttendanceCheckIn, AttendanceDay, Verdict
from geo.core.actor import Actor
from geo.core.models import Ltree, stored_point
from geo.core.scope import readable, scope_params, scope_sql
from geo.org.models import UserAccount
from geo.region.models import Region
from geo.region.place import COMMUNITY as _community
from geo.region.place import GRID as _grid
from geo.region.place import with_place

# Distinct from the single-key advisory locks elsewhere (two-key form, own class id).
_MEMBER_LOCK_CLASS = 5206


# ---- checking in -------------------------------------------------------------------------
def lock_member(session: Session, *, user_id: int) -> None:
    """Serialise one member's check-ins (a retried submission must find the first)."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(:cls, CAST(:user_id % 2147483647 AS int))"),
        {"cls": _MEMBER_LOCK_CLASS, "user_id": user_id},
    )


def check_in_by_ref(session: Session, *, user_id: int, client_ref: str) -> int | None:
    return session.scalar(
        select(AttendanceCheckIn.id).where(
            AttendanceCheckIn.user_id == user_id, AttendanceCheckIn.client_ref == client_ref
        )
    )


def nearest_grid(
    session: Session, *, grid_ids: list[int], lon: float, lat: float
) -> Row[Any] | None:
    """Of the given grids, the one nearest the point in metres on the spheroid (0 when
    the point is inside): id, name, path, distance_m."""
    distance = func.ST_Distance(func.geography(Region.geom), func.geography(stored_point(lon, lat)))
    row: Row[Any] | None = session.execute(
        select(Region.id, Region.name, Region.path, distance.label("distance_m"))
        .where(Region.id.in_(grid_ids))
        .order_by(distance, Region.id)
        .limit(1)
    ).first()
    return row


def upsert_day(
    session: Session,
    *,
    user_id: int,
    work_day: date,
    region_id: int,
    at: datetime,
    verdict: Verdict,
) -> int:
    """The member's report of the day, created by the first check-in and counted up by
    each next one (the row lock of ON CONFLICT serialises concurrent check-ins)."""
    counts = {
        "in_n": int(verdict is Verdict.IN_GRID),
        "out_n": int(verdict is Verdict.OUT_OF_GRID),
        "low_n": int(verdict is Verdict.LOW_ACCURACY),
    }
    return int(
        session.execute(
            text("""
                INSERT INTO attendance_day (user_id, work_day, region_id, first_at, last_at,
                                            in_count, out_count, low_accuracy_count, status)
                VALUES (:user_id, :work_day, :region_id, :at, :at, :in_n, :out_n, :low_n,
                        'pending')
                ON CONFLICT (user_id, work_day) DO UPDATE SET
                    first_at = least(attendance_day.first_at, excluded.first_at),
                    last_at = greatest(attendance_day.last_at, excluded.last_at),
                    in_count = attendance_day.in_count + excluded.in_count,
                    out_count = attendance_day.out_count + excluded.out_count,
                    low_accuracy_count = attendance_day.low_accuracy_count
                                         + excluded.low_accuracy_count,
                    updated_at = now()
                RETURNING id"""),
            {"user_id": user_id, "work_day": work_day, "region_id": region_id, "at": at, **counts},
        ).scalar_one()
    )


def insert_check_in(session: Session, *, lon: float, lat: float, **values: Any) -> int:
    check_in = AttendanceCheckIn(geom=stored_point(lon, lat), **values)
    session.add(check_in)
    session.flush()
    return check_in.id


def _check_in_select() -> Any:
    return (
        select(
            AttendanceCheckIn.id,
            AttendanceCheckIn.day_id,
            AttendanceCheckIn.at,
            func.ST_X(AttendanceCheckIn.geom).label("lon"),
            func.ST_Y(AttendanceCheckIn.geom).label("lat"),
            AttendanceCheckIn.accuracy_m,
            AttendanceCheckIn.note,
            AttendanceCheckIn.verdict,
            AttendanceCheckIn.grid_id,
            Region.name.label("grid_name"),
            AttendanceCheckIn.distance_m,
            AttendanceCheckIn.allowance_m,
        )
        .join(Region, Region.id == AttendanceCheckIn.grid_id)
        .order_by(AttendanceCheckIn.at, AttendanceCheckIn.id)
    )


def check_in_row(session: Session, *, check_in_id: int) -> Row[Any]:
    row: Row[Any] = session.execute(
        _check_in_select().where(AttendanceCheckIn.id == check_in_id)
    ).one()
    return row


def check_in_rows(session: Session, *, day_id: int) -> list[Row[Any]]:
    return list(session.execute(_check_in_select().where(AttendanceCheckIn.day_id == day_id)))


def day_check_in_grids(session: Session, *, day_id: int) -> list[int]:
    return list(
        session.scalars(
            select(AttendanceCheckIn.grid_id).where(AttendanceCheckIn.day_id == day_id).distinct()
        )
    )


def grid_outlines(session: Session, *, grid_ids: list[int]) -> list[Row[Any]]:
    """id, name, GeoJSON text (lon/lat, 7 decimals: centimetres)."""
    return list(
        session.execute(
            select(Region.id, Region.name, func.ST_AsGeoJSON(Region.geom, 7).label("geojson"))
            .where(Region.id.in_(grid_ids))
            .order_by(Region.id)
        )
    )


# ---- daily reports -----------------------------------------------------------------------


def _day_select(actor: Actor | None) -> Any:
    """Reports with the names the desk shows; `actor` None: no scope filter."""
    query = with_place(
        select(
            AttendanceDay.id,
            AttendanceDay.user_id,
            UserAccount.display_name.label("user_name"),
            AttendanceDay.work_day,
            AttendanceDay.region_id.label("grid_id"),
            _grid.name.label("grid_name"),
            _community.name.label("community_name"),
            AttendanceDay.first_at,
            AttendanceDay.last_at,
            AttendanceDay.in_count,
            AttendanceDay.out_count,
            AttendanceDay.low_accuracy_count,
            AttendanceDay.status,
            AttendanceDay.reviewer_name,
            AttendanceDay.reviewed_at,
            AttendanceDay.opinion,
            cast(_grid.path, String).label("region_path"),
        ).join(UserAccount, UserAccount.id == AttendanceDay.user_id),
        AttendanceDay.region_id,
    )
    return query if actor is None else query.where(readable(actor, AttendanceDay.region_id))


def day_row(session: Session, *, actor: Actor, day_id: int) -> Row[Any] | None:
    row: Row[Any] | None = session.execute(
        _day_select(actor).where(AttendanceDay.id == day_id)
    ).first()
    return row


def own_day_row(session: Session, *, user_id: int, work_day: date) -> Row[Any] | None:
    """A member's own report of the day (their own rows, whatever their account's region)."""
    row: Row[Any] | None = session.execute(
        _day_select(None).where(
            AttendanceDay.user_id == user_id, AttendanceDay.work_day == work_day
        )
    ).first()
    return row


def day_rows(
    session: Session,
    *,
    actor: Actor,
    work_day: date | None,
    status: str | None,
    under_path: str | None,
    user_id: int | None,
    after: tuple[date, int] | None,
    limit: int,
) -> list[Row[Any]]:
    """Reports of the actor's scope, newest day first, then newest row first."""
    query = _day_select(actor)
    if work_day is not None:
        query = query.where(AttendanceDay.work_day == work_day)
    if status is not None:
        query = query.where(AttendanceDay.status == status)
    if user_id is not None:
        query = query.where(AttendanceDay.user_id == user_id)
    if under_path is not None:
        query = query.where(_grid.path.op("<@")(cast(under_path, Ltree)))
    if after is not None:
        query = query.where(tuple_(AttendanceDay.work_day, AttendanceDay.id) < tuple_(*after))
    query = query.order_by(AttendanceDay.work_day.desc(), AttendanceDay.id.desc()).limit(limit)
    return list(session.execute(query))


def decide(
    session: Session,
    *,
    day_id: int,
    expected: str,
    status: str,
    reviewer_id: int,
    reviewer_name: str,
    opinion: str | None,
    at: datetime,
) -> bool:
    """The guarded update: False when the report is no longer in `expected` (someone
    else decided first)."""
    result = session.execute(
        update(AttendanceDay)
        .where(AttendanceDay.id == day_id, AttendanceDay.status == expected)
        .values(
            status=status,
            reviewer_id=reviewer_id,
            reviewer_name=reviewer_name,
            reviewed_at=at,
            opinion=opinion,
            updated_at=func.now(),
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def current_status(session: Session, *, day_id: int) -> tuple[str, str | None]:
    row = session.execute(
        select(AttendanceDay.status, AttendanceDay.reviewer_name).where(AttendanceDay.id == day_id)
    ).one()
    return row.status, row.reviewer_name


def region_path(session: Session, region_id: int) -> str | None:
    return session.scalar(select(Region.path).where(Region.id == region_id))


# ---- the monthly summary -----------------------------------------------------------------
def summary_rows(
    session: Session,
    *,
    actor: Actor,
    first: date,
    last: date,
    due: list[date],
    under_path: str | None,
) -> list[Row[Any]]:
    """One row per member of the scope (assigned to a grid of it, or with a report in it
    this month): counts of the month's reports by status, of the due working days with
    a report, and of the in/out check-ins."""
    under = "AND g.path <@ CAST(:under AS ltree)" if under_path else ""
    sql = f"""
        WITH members AS (
            SELECT gm.user_id FROM grid_member gm JOIN region g ON g.id = gm.grid_id
            JOIN user_account u ON u.id = gm.user_id AND u.is_active
            WHERE {scope_sql(actor, "gm.grid_id")} {under}
            UNION
            SELECT d.user_id FROM attendance_day d JOIN region g ON g.id = d.region_id
            WHERE d.work_day BETWEEN :first AND :last
              AND {scope_sql(actor, "d.region_id")} {under}
        ), days AS (
            SELECT d.* FROM attendance_day d JOIN region g ON g.id = d.region_id
            WHERE d.work_day BETWEEN :first AND :last
              AND {scope_sql(actor, "d.region_id")} {under}
        )
        SELECT u.id AS user_id, u.display_name AS user_name,
               coalesce((SELECT string_agg(g.name, '、' ORDER BY g.name)
                         FROM grid_member gm JOIN region g ON g.id = gm.grid_id
                         WHERE gm.user_id = u.id), '') AS grid_names,
               count(d.id) AS days_checked_in,
               count(d.id) FILTER (WHERE d.status = 'approved') AS approved,
               count(d.id) FILTER (WHERE d.status = 'rejected') AS rejected,
               count(d.id) FILTER (WHERE d.status = 'pending') AS pending,
               count(d.id) FILTER (WHERE d.work_day = ANY(:due)) AS due_checked_in,
               coalesce(sum(d.in_count), 0) AS in_count,
               coalesce(sum(d.out_count), 0) AS out_count
        FROM members m
        JOIN user_account u ON u.id = m.user_id
        LEFT JOIN days d ON d.user_id = u.id
        GROUP BY u.id, u.display_name
        ORDER BY u.display_name, u.id"""
    params: dict[str, Any] = {"first": first, "last": last, "due": due, **scope_params(actor)}
    if under_path:
        params["under"] = under_path
    return list(session.execute(text(sql), params))
