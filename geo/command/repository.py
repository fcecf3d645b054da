"""All SQL of the command screen: a few set-based aggregates, each filtered by the actor's
region subtree (`scope_sql`), so a town leader's figures count only the town's rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import scope_params, scope_sql
from geo.event.workflow import Status

OPEN_STATUSES = [s.value for s in Status if s.is_open]
ZONE = "Asia/Shanghai"
# Grid outlines for a screen-wide view: about 5 m of tolerance, 6 decimals (≈ 0.1 m).
SIMPLIFY_DEG = 0.00005


def plan_per_call(session: Session) -> None:
    """Plan the screen's aggregates for each call's own scope and times. Repeated
    statements are prepared by the driver, and PostgreSQL then switches to a generic plan
    that cannot see how narrow a town's scope or today's range is (measured: 30 → 270 ms
    on the scale-20 bench). Local to the transaction."""
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _params(actor: Actor, **extra: Any) -> dict[str, Any]:
    return {"open": OPEN_STATUSES, **scope_params(actor), **extra}


def today_figures(
    session: Session, *, actor: Actor, start: datetime, end: datetime, now: datetime,
    since: datetime,
) -> Row[Any]:  # fmt: skip
    """Today's counts in one pass over the events of the scope (plus the dispatch actions)."""
    sql = f"""
        SELECT
          count(*) FILTER (WHERE e.reported_at >= :start AND e.reported_at < :end) AS reported,
          count(*) FILTER (WHERE e.status = 'closed'
                             AND e.closed_at >= :start AND e.closed_at < :end) AS closed,
          count(*) FILTER (WHERE e.status = ANY(:open)) AS open,
          count(*) FILTER (WHERE e.status = ANY(:open) AND e.deadline < :now) AS overdue,
          count(*) FILTER (WHERE e.reported_at >= :since) AS recent,
          count(*) FILTER (WHERE e.reported_at >= :since AND e.status = 'closed')
            AS recent_closed,
          avg(extract(epoch FROM e.closed_at - e.reported_at) / 3600.0)
            FILTER (WHERE e.status = 'closed' AND e.closed_at >= :start AND e.closed_at < :end)
            AS avg_hours,
          (SELECT count(DISTINCT a.event_id) FROM event_action a JOIN event d ON d.id = a.event_id
            WHERE a.action = 'dispatch' AND a.at >= :start AND a.at < :end
              AND {scope_sql(actor, "d.region_id")}) AS dispatched
        FROM event e
        WHERE {scope_sql(actor, "e.region_id")}
          AND (e.status = ANY(:open) OR e.reported_at >= :since OR e.closed_at >= :start)"""
    params = _params(actor, start=start, end=end, now=now, since=since)
    return session.execute(text(sql), params).one()


def daily_trend(
    session: Session, *, actor: Actor, first: date, last: date, from_ts: datetime
) -> list[Row[Any]]:
    """Reported and closed per day (Asia/Shanghai), every day of the window present."""
    sql = f"""
        WITH days AS (
            SELECT generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day')
                   ::date AS day
        ), scoped AS (
            SELECT e.reported_at, e.closed_at, e.status FROM event e
            WHERE {scope_sql(actor, "e.region_id")}
              AND (e.reported_at >= :from_ts OR e.closed_at >= :from_ts)
        ), rep AS (
            SELECT (reported_at AT TIME ZONE '{ZONE}')::date AS day, count(*) AS n
            FROM scoped GROUP BY 1
        ), clo AS (
            SELECT (closed_at AT TIME ZONE '{ZONE}')::date AS day, count(*) AS n
            FROM scoped WHERE status = 'closed' AND closed_at IS NOT NULL GROUP BY 1
        )
        SELECT d.day, coalesce(rep.n, 0) AS reported, coalesce(clo.n, 0) AS closed
        FROM days d LEFT JOIN rep ON rep.day = d.day LEFT JOIN clo ON clo.day = d.day
        ORDER BY d.day"""
    params = _params(actor, first=first, last=last, from_ts=from_ts)
    return list(session.execute(text(sql), params))


def top_categories(session: Session, *, actor: Actor, limit: int = 10) -> list[Row[Any]]:
    sql = f"""
        SELECT c.code AS key, c.name, count(*) AS n
        FROM event e JOIN event_category c ON c.code = e.category_code
        WHERE e.status = ANY(:open) AND {scope_sql(actor, "e.region_id")}
        GROUP BY c.code, c.name ORDER BY n DESC, c.code LIMIT :limit"""
    return list(session.execute(text(sql), _params(actor, limit=limit)))


def top_communities(session: Session, *, actor: Actor, limit: int = 10) -> list[Row[Any]]:
    """Open events per community: the community is the third level of the region path."""
    sql = f"""
        SELECT CAST(c.id AS text) AS key, c.name, count(*) AS n
        FROM event e
        JOIN region r ON r.id = e.region_id AND nlevel(r.path) >= 3
        JOIN region c ON c.path = subpath(r.path, 0, 3) AND c.level = 'community'
        WHERE e.status = ANY(:open) AND {scope_sql(actor, "e.region_id")}
        GROUP BY c.id, c.name ORDER BY n DESC, c.id LIMIT :limit"""
    return list(session.execute(text(sql), _params(actor, limit=limit)))


def attendance_today(session: Session, *, actor: Actor, day: date) -> Row[Any]:
    """Active grid members of the scope's grids, and how many of them checked in today."""
    sql = f"""
        WITH members AS (
            SELECT DISTINCT gm.user_id FROM grid_member gm
            JOIN user_account u ON u.id = gm.user_id AND u.is_active
            WHERE {scope_sql(actor, "gm.grid_id")}
        )
        SELECT (SELECT count(*) FROM members) AS expected,
               (SELECT count(DISTINCT d.user_id) FROM attendance_day d
                 WHERE d.work_day = :day AND d.user_id IN (SELECT user_id FROM members))
                 AS checked_in"""
    return session.execute(text(sql), _params(actor, day=day)).one()


def grid_load(session: Session, *, actor: Actor) -> list[Row[Any]]:
    """Every grid of the scope with its simplified outline and its open-event count."""
    sql = f"""
        WITH load AS (
            SELECT e.region_id, count(*) AS n FROM event e
            WHERE e.status = ANY(:open) AND {scope_sql(actor, "e.region_id")}
            GROUP BY e.region_id
        )
        SELECT g.id, g.name, g.code, coalesce(load.n, 0) AS open_events,
               ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, :tol), 6) AS geometry
        FROM region g LEFT JOIN load ON load.region_id = g.id
        WHERE g.level = 'grid' AND {scope_sql(actor, "g.id")}
        ORDER BY g.id"""
    return list(session.execute(text(sql), _params(actor, tol=SIMPLIFY_DEG)))


def member_positions(session: Session, *, actor: Actor, day: date) -> list[Row[Any]]:
    """Each grid member's last check-in of the day in the scope; `party_member` marks the
    party members among them (党员网格员)."""
    sql = f"""
        SELECT DISTINCT ON (c.user_id)
               c.user_id, u.display_name AS name, g.id AS grid_id, g.name AS grid_name,
               c.at, c.verdict, c.accuracy_m, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
               (pm.id IS NOT NULL) AS party_member
        FROM attendance_check_in c
        JOIN attendance_day d ON d.id = c.day_id
        JOIN user_account u ON u.id = c.user_id
        JOIN region g ON g.id = c.grid_id
        LEFT JOIN party_member pm ON pm.user_id = c.user_id
        WHERE d.work_day = :day AND {scope_sql(actor, "d.region_id")}
        ORDER BY c.user_id, c.at DESC, c.id DESC"""
    return list(session.execute(text(sql), _params(actor, day=day)))


def open_events(session: Session, *, actor: Actor, now: datetime) -> list[Row[Any]]:
    """The open events of the scope as map points, with their overdue flag."""
    sql = f"""
        SELECT e.id, e.event_no, e.title, e.status, c.name AS category, e.reported_at,
               (e.deadline IS NOT NULL AND e.deadline < :now) AS overdue,
               ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat
        FROM event e JOIN event_category c ON c.code = e.category_code
        WHERE e.status = ANY(:open) AND e.geom IS NOT NULL AND {scope_sql(actor, "e.region_id")}
        ORDER BY e.id"""
    return list(session.execute(text(sql), _params(actor, now=now)))


def event_path(session: Session, event_id: int) -> str | None:
    """The region path of an event (what the live feed filters each client on)."""
    sql = """SELECT CAST(r.path AS text) FROM event e JOIN region r ON r.id = e.region_id
             WHERE e.id = :id"""
    return session.execute(text(sql), {"id": event_id}).scalar()
