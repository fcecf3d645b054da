"""The SQL of the party-building registers: every read filtered by the actor's region
subtree (`scope_sql`), counts aggregated in one statement (no query per row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import readable, scope_params, scope_sql
from geo.party.models import PartyActivity, PartyMember, PartyOrganisation

# The counts per organisation through its indexed foreign keys (LATERAL): reading one
# organisation counts its own members, not every organisation's.
_ORGANISATIONS = """
    SELECT o.id, o.name, o.kind, o.parent_id, o.region_id, r.name AS region_name,
           o.secretary, o.contact_phone, o.founded_on, o.site_id, s.name AS site_name,
           ST_X(coalesce(s.geom, o.geom)) AS lon, ST_Y(coalesce(s.geom, o.geom)) AS lat,
           m.full_n AS members_full, m.prob_n AS members_probationary,
           a.n AS activities_30d, c.n AS child_count, o.updated_at
    FROM party_organisation o
    LEFT JOIN region r ON r.id = o.region_id
    LEFT JOIN party_site s ON s.id = o.site_id
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE status = 'full') AS full_n,
               count(*) FILTER (WHERE status = 'probationary') AS prob_n
        FROM party_member WHERE organisation_id = o.id) m
    CROSS JOIN LATERAL (
        SELECT count(*) AS n FROM party_activity
        WHERE organisation_id = o.id AND held_at >= :since) a
    CROSS JOIN LATERAL (
        SELECT count(*) AS n FROM party_organisation WHERE parent_id = o.id) c
    WHERE {scope}"""


def organisation_rows(
    session: Session, *, actor: Actor, since: datetime, organisation_id: int | None = None
) -> list[Row[Any]]:
    """The organisations of the scope (one, with `organisation_id`), with their counts."""
    where = scope_sql(actor, "o.region_id")
    params: dict[str, Any] = {"since": since, **scope_params(actor)}
    if organisation_id is not None:
        where += " AND o.id = :oid"
        params["oid"] = organisation_id
    sql = _ORGANISATIONS.format(scope=where) + " ORDER BY o.parent_id NULLS FIRST, o.name, o.id"
    return list(session.execute(text(sql), params))


def lock_organisation(
    session: Session, *, actor: Actor, organisation_id: int
) -> PartyOrganisation | None:
    return session.scalar(
        select(PartyOrganisation)
        .where(
            PartyOrganisation.id == organisation_id, readable(actor, PartyOrganisation.region_id)
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def ancestors(session: Session, organisation_id: int) -> list[int]:
    """The ids from `organisation_id` up to its root (itself first)."""
    sql = """
        WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM party_organisation WHERE id = :id
            UNION ALL
            SELECT o.id, o.parent_id, up.depth + 1 FROM party_organisation o
            JOIN up ON o.id = up.parent_id WHERE up.depth < 50
        ) SELECT id FROM up ORDER BY depth"""
    return list(session.scalars(text(sql), {"id": organisation_id}))


def usage(session: Session, organisation_id: int) -> Row[Any]:
    """What still hangs on an organisation: sub-organisations, members, activities."""
    sql = """
        SELECT (SELECT count(*) FROM party_organisation WHERE parent_id = :id) AS children,
               (SELECT count(*) FROM party_member WHERE organisation_id = :id) AS members,
               (SELECT count(*) FROM party_activity WHERE organisation_id = :id) AS activities"""
    return session.execute(text(sql), {"id": organisation_id}).one()


def site_in_scope(session: Session, *, actor: Actor, site_id: int) -> Row[Any] | None:
    """(id, name, lon, lat) of a party site of the scope."""
    sql = f"""SELECT id, name, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM party_site
              WHERE id = :id AND {scope_sql(actor, "region_id")}"""
    return session.execute(text(sql), {"id": site_id, **scope_params(actor)}).first()


def covers(session: Session, *, region_id: int, lon: float, lat: float) -> bool:
    """The region's outline covers the point (a region without an outline covers nothing)."""
    sql = """SELECT coalesce(ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4490)), false)
             FROM region WHERE id = :id"""
    return bool(session.scalar(text(sql), {"id": region_id, "lon": lon, "lat": lat}))


def region_path(session: Session, region_id: int | None) -> str | None:
    if region_id is None:
        return None
    return session.scalar(
        text("SELECT CAST(path AS text) FROM region WHERE id = :id"), {"id": region_id}
    )


def user_in_scope(session: Session, *, actor: Actor, user_id: int) -> Row[Any] | None:
    sql = f"""SELECT id, display_name FROM user_account
              WHERE id = :id AND {scope_sql(actor, "region_id")}"""
    return session.execute(text(sql), {"id": user_id, **scope_params(actor)}).first()


def member_of_user(session: Session, user_id: int, *, self_id: int | None) -> str | None:
    sql = "SELECT name FROM party_member WHERE user_id = :uid AND id <> coalesce(:self, 0)"
    return session.scalar(text(sql), {"uid": user_id, "self": self_id})


_MEMBERS = """
    SELECT p.id, p.name, p.gender, p.organisation_id, o.name AS organisation_name, p.joined_on,
           p.status, p.phone, p.user_id, u.username, u.display_name AS user_display_name,
           p.region_id, p.updated_at
    FROM party_member p
    JOIN party_organisation o ON o.id = p.organisation_id
    LEFT JOIN user_account u ON u.id = p.user_id
    WHERE {where}"""


def member_rows(
    session: Session, *, actor: Actor, organisation_id: int | None, name: str | None,
    member_id: int | None = None, after_id: int | None = None, limit: int = 1,
) -> list[Row[Any]]:  # fmt: skip
    """Members of the scope by id (keyset), by organisation and a name fragment."""
    where = [scope_sql(actor, "p.region_id")]
    params: dict[str, Any] = {"limit": limit, **scope_params(actor)}
    for cond, key, value in (
        ("p.organisation_id = :oid", "oid", organisation_id),
        ("p.name ILIKE :name ESCAPE '\\'", "name", name),
        ("p.id = :mid", "mid", member_id),
        ("p.id > :after", "after", after_id),
    ):
        if value is not None:
            where.append(cond)
            params[key] = value
    sql = _MEMBERS.format(where=" AND ".join(where)) + " ORDER BY p.id LIMIT :limit"
    return list(session.execute(text(sql), params))


def lock_member(session: Session, *, actor: Actor, member_id: int) -> PartyMember | None:
    return session.scalar(
        select(PartyMember)
        .where(PartyMember.id == member_id, readable(actor, PartyMember.region_id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


_ACTIVITIES = """
    SELECT a.id, a.title, a.kind, a.organisation_id, o.name AS organisation_name, a.held_at,
           a.site_id, s.name AS site_name, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat,
           a.participants, a.summary, a.region_id, a.updated_at
    FROM party_activity a
    JOIN party_organisation o ON o.id = a.organisation_id
    LEFT JOIN party_site s ON s.id = a.site_id
    WHERE {where}"""


def activity_rows(
    session: Session, *, actor: Actor, organisation_id: int | None = None,
    held_from: datetime | None = None, held_before: datetime | None = None,
    activity_id: int | None = None, before: tuple[datetime, int] | None = None, limit: int = 1,
) -> list[Row[Any]]:  # fmt: skip
    """Activities of the scope, latest held first (keyset on held_at, id descending)."""
    where = [scope_sql(actor, "a.region_id")]
    params: dict[str, Any] = {"limit": limit, **scope_params(actor)}
    for cond, key, value in (
        ("a.organisation_id = :oid", "oid", organisation_id),
        ("a.held_at >= :held_from", "held_from", held_from),
        ("a.held_at < :held_before", "held_before", held_before),
        ("a.id = :aid", "aid", activity_id),
    ):
        if value is not None:
            where.append(cond)
            params[key] = value
    if before is not None:
        where.append("(a.held_at, a.id) < (:before_at, :before_id)")
        params["before_at"], params["before_id"] = before
    order = " ORDER BY a.held_at DESC, a.id DESC LIMIT :limit"
    sql = _ACTIVITIES.format(where=" AND ".join(where)) + order
    return list(session.execute(text(sql), params))


def lock_activity(session: Session, *, actor: Actor, activity_id: int) -> PartyActivity | None:
    return session.scalar(
        select(PartyActivity)
        .where(PartyActivity.id == activity_id, readable(actor, PartyActivity.region_id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def site_rows(session: Session, *, actor: Actor) -> list[Row[Any]]:
    """The party sites of the scope (a few per community), for choosing a position."""
    sql = f"""SELECT id, name, kind, organisation, ST_X(geom) AS lon, ST_Y(geom) AS lat
              FROM party_site WHERE {scope_sql(actor, "region_id")} ORDER BY name, id"""
    return list(session.execute(text(sql), scope_params(actor)))
