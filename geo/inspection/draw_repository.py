"""All SQL of draws: candidates and picks (set-based, in the database), the rows the
screens and the public page show (one query each, no N+1), guarded status updates and
the task a submitted draw becomes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, insert, text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import scope_params, scope_sql
from geo.inspection.matching import Team
from geo.inspection.models import DrawPick

# u = ((first 52 bits of sha256(seed ':' enterprise_id)) + 0.5) / 2^52, in double
# precision throughout (a numeric intermediate would round differently from the
# published description and from geo.inspection.verify); key = -ln(u) / weight.
KEY_SQL = (
    "(-ln((CAST(CAST(CAST('x' || substr(encode(sha256(convert_to("
    "CAST(:seed AS text) || ':' || c.enterprise_id::text, 'UTF8')), 'hex'), 1, 13) AS bit(52))"
    " AS bigint) AS float8) + CAST(0.5 AS float8)) / CAST(4503599627370496 AS float8))"
    " / c.weight)"
)

# Supervision categories and all their descendants.
_SUBTREE = """
WITH RECURSIVE wanted(id) AS (
    SELECT id FROM supervision_category WHERE id = ANY(CAST(:supervision AS bigint[]))
    UNION
    SELECT s.id FROM supervision_category s JOIN wanted w ON s.parent_id = w.id
)
"""

_CANDIDATES = (
    _SUBTREE
    + """
INSERT INTO draw_candidate (draw_id, enterprise_id, risk_list, weight)
SELECT :draw_id, e.id, e.risk_list,
       e.draw_weight * CASE e.risk_list WHEN 'red' THEN :f_red WHEN 'white' THEN :f_white
                                        ELSE :f_black END
FROM enterprise e
WHERE e.region_id IN (SELECT id FROM region WHERE path <@ CAST(:path AS ltree))
  AND (:any_category OR e.category = ANY(CAST(:categories AS varchar[])))
  AND (:any_supervision OR EXISTS (
        SELECT 1 FROM enterprise_supervision es
        WHERE es.enterprise_id = e.id AND es.category_id IN (SELECT id FROM wanted)))
"""
)


def insert_candidates(
    session: Session,
    *,
    draw_id: int,
    region_path: str,
    supervision_ids: Sequence[int],
    categories: Sequence[str],
    factors: dict[str, float],
) -> dict[str, int]:
    """Store every object matching the conditions with its list and weight (its draw
    weight × its list's factor); answers the number of candidates per list."""
    session.execute(
        text(_CANDIDATES),
        {
            "draw_id": draw_id,
            "path": region_path,
            "supervision": list(supervision_ids),
            "any_supervision": not supervision_ids,
            "categories": list(categories),
            "any_category": not categories,
            "f_red": factors["red"],
            "f_white": factors["white"],
            "f_black": factors["black"],
        },
    )
    rows = session.execute(
        text(
            "SELECT risk_list, count(*) AS n FROM draw_candidate WHERE draw_id = :d "
            "GROUP BY risk_list"
        ),
        {"d": draw_id},
    )
    return {row.risk_list: row.n for row in rows}


def pick_by_count(session: Session, *, draw_id: int, seed: str, count: int) -> list[Row[Any]]:
    """The `count` candidates with the smallest keys: (enterprise_id, risk_list, rank)."""
    sql = f"""
        WITH chosen AS (
            SELECT c.enterprise_id, c.risk_list, {KEY_SQL} AS key
            FROM draw_candidate c WHERE c.draw_id = :d
            ORDER BY key, c.enterprise_id LIMIT :count)
        SELECT enterprise_id, risk_list,
               row_number() OVER (ORDER BY key, enterprise_id) AS rank
        FROM chosen ORDER BY rank"""
    return list(session.execute(text(sql), {"d": draw_id, "seed": seed, "count": count}))


def pick_by_quota(
    session: Session, *, draw_id: int, seed: str, quotas: dict[str, int]
) -> list[Row[Any]]:
    """Per list, its quota of candidates with the smallest keys; ranked by key overall."""
    sql = f"""
        WITH keyed AS (
            SELECT c.enterprise_id, c.risk_list, {KEY_SQL} AS key
            FROM draw_candidate c WHERE c.draw_id = :d),
        in_list AS (
            SELECT *, row_number() OVER (PARTITION BY risk_list ORDER BY key, enterprise_id) AS n
            FROM keyed)
        SELECT enterprise_id, risk_list,
               row_number() OVER (ORDER BY key, enterprise_id) AS rank
        FROM in_list
        WHERE n <= CASE risk_list WHEN 'red' THEN :q_red WHEN 'white' THEN :q_white
                                  ELSE :q_black END
        ORDER BY rank"""
    params = {"d": draw_id, "seed": seed, **{f"q_{k}": quotas.get(k, 0) for k in _LISTS}}
    return list(session.execute(text(sql), params))


_LISTS = ("red", "white", "black")


def insert_picks(
    session: Session, *, draw_id: int, ranked: Sequence[Row[Any]], teams: Sequence[Team]
) -> None:
    by_object = {t.enterprise_id: t for t in teams}
    rows = []
    for pick in ranked:
        team = by_object[pick.enterprise_id]
        rows.append(
            {
                "draw_id": draw_id,
                "enterprise_id": pick.enterprise_id,
                "rank": pick.rank,
                "officer_ids": list(team.officer_ids),
                "leader_id": team.leader_id,
                "unmatched_reason": team.unmatched_reason,
                "eligible_officer_ids": list(team.eligible_ids),
            }
        )
    if rows:
        session.execute(insert(DrawPick), rows)


# ---- reading -------------------------------------------------------------------------------
_DRAW_SELECT = """
SELECT d.id, d.number, d.status, d.item_category_id, ic.name AS item_category_name,
       d.region_id, r.name AS region_name, r.path::text AS region_path, d.team_size,
       d.seed, d.seed_source, d.seed_note, d.algorithm, d.conditions,
       d.candidate_count, d.pick_count, d.unmatched_count, d.drawn_by,
       du.display_name AS drawn_by_name, d.drawn_at, d.published_at,
       t.id AS task_id, t.name AS task_name, t.start_date, t.end_date
FROM inspection_draw d
JOIN inspection_item_category ic ON ic.id = d.item_category_id
JOIN user_account du ON du.id = d.drawn_by
LEFT JOIN region r ON r.id = d.region_id
LEFT JOIN inspection_task t ON t.draw_id = d.id
"""


def draw_row(session: Session, *, actor: Actor, draw_id: int) -> Row[Any] | None:
    sql = f"{_DRAW_SELECT} WHERE d.id = :id AND {scope_sql(actor, 'd.region_id')}"
    return session.execute(text(sql), {"id": draw_id, **scope_params(actor)}).first()


def draw_rows(
    session: Session, *, actor: Actor, status: str | None, after_id: int | None, limit: int
) -> list[Row[Any]]:
    """Draws of the actor's scope, newest first (keyset on id)."""
    sql = f"""{_DRAW_SELECT}
        WHERE {scope_sql(actor, "d.region_id")}
          AND (CAST(:status AS varchar) IS NULL OR d.status = :status)
          AND (CAST(:after AS bigint) IS NULL OR d.id < :after)
        ORDER BY d.id DESC LIMIT :limit"""
    params = {"status": status, "after": after_id, "limit": limit, **scope_params(actor)}
    return list(session.execute(text(sql), params))


def published_row(session: Session, *, number: str) -> Row[Any] | None:
    sql = f"{_DRAW_SELECT} WHERE d.number = :number AND d.published_at IS NOT NULL"
    return session.execute(text(sql), {"number": number}).first()


def published_rows(session: Session, *, after_id: int | None, limit: int) -> list[Row[Any]]:
    sql = f"""{_DRAW_SELECT}
        WHERE d.published_at IS NOT NULL AND (CAST(:after AS bigint) IS NULL OR d.id < :after)
        ORDER BY d.id DESC LIMIT :limit"""
    return list(session.execute(text(sql), {"after": after_id, "limit": limit}))


def list_counts(session: Session, *, draw_id: int) -> list[Row[Any]]:
    """Per list: candidates and picks."""
    return list(
        session.execute(
            text("""
                SELECT c.risk_list, count(*) AS candidates, count(p.enterprise_id) AS picks
                FROM draw_candidate c
                LEFT JOIN draw_pick p ON p.draw_id = c.draw_id
                                     AND p.enterprise_id = c.enterprise_id
                WHERE c.draw_id = :d GROUP BY c.risk_list"""),
            {"d": draw_id},
        )
    )


def pick_rows(session: Session, *, draw_id: int) -> list[Row[Any]]:
    """The picks with their object and team (names in team order), by rank."""
    return list(
        session.execute(
            text("""
                SELECT p.rank, p.enterprise_id, e.name, e.uscc, c.risk_list, c.weight,
                       e.address, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat,
                       p.officer_ids, p.leader_id, lu.display_name AS leader_name,
                       cardinality(p.eligible_officer_ids) AS eligible_count,
                       p.unmatched_reason,
                       ARRAY(SELECT u.display_name
                             FROM unnest(p.officer_ids) WITH ORDINALITY AS m(uid, i)
                             JOIN user_account u ON u.id = m.uid ORDER BY m.i) AS team_names
                FROM draw_pick p
                JOIN enterprise e ON e.id = p.enterprise_id
                JOIN draw_candidate c ON c.draw_id = p.draw_id
                                     AND c.enterprise_id = p.enterprise_id
                LEFT JOIN user_account lu ON lu.id = p.leader_id
                WHERE p.draw_id = :d ORDER BY p.rank"""),
            {"d": draw_id},
        )
    )


def candidate_rows(
    session: Session, *, draw_id: int, after_id: int | None, limit: int
) -> list[Row[Any]]:
    """Candidates by object id (keyset), with whether each was picked."""
    return list(
        session.execute(
            text("""
                SELECT c.enterprise_id, e.name, e.uscc, c.risk_list, c.weight,
                       p.enterprise_id IS NOT NULL AS picked
                FROM draw_candidate c
                JOIN enterprise e ON e.id = c.enterprise_id
                LEFT JOIN draw_pick p ON p.draw_id = c.draw_id
                                     AND p.enterprise_id = c.enterprise_id
                WHERE c.draw_id = :d
                  AND (CAST(:after AS bigint) IS NULL OR c.enterprise_id > :after)
                ORDER BY c.enterprise_id LIMIT :limit"""),
            {"d": draw_id, "after": after_id, "limit": limit},
        )
    )


def candidate_stream(session: Session, *, draw_id: int, batch: int) -> Any:
    """Every candidate (for the public CSV), read from a server-side cursor."""
    return session.execute(
        text("""
            SELECT c.enterprise_id, e.name, e.uscc, c.risk_list, c.weight
            FROM draw_candidate c JOIN enterprise e ON e.id = c.enterprise_id
            WHERE c.draw_id = :d ORDER BY c.enterprise_id"""),
        {"d": draw_id},
        execution_options={"yield_per": batch},
    )


def verify_inputs(session: Session, *, draw_id: int, batch: int) -> Any:
    """(enterprise_id, risk_list, weight) of every candidate, streamed."""
    return session.execute(
        text("SELECT enterprise_id, risk_list, weight FROM draw_candidate WHERE draw_id = :d"),
        {"d": draw_id},
        execution_options={"yield_per": batch},
    )


def stored_picks(session: Session, *, draw_id: int) -> list[Row[Any]]:
    return list(
        session.execute(
            text("""SELECT enterprise_id, rank, officer_ids, eligible_officer_ids
                    FROM draw_pick WHERE draw_id = :d ORDER BY rank"""),
            {"d": draw_id},
        )
    )


# ---- changing ------------------------------------------------------------------------------
def set_status(session: Session, *, draw_id: int, expected: str, to: str) -> bool:
    """The guarded status change: false when someone else changed it first."""
    result = session.execute(
        text("UPDATE inspection_draw SET status = :to WHERE id = :id AND status = :expected"),
        {"id": draw_id, "expected": expected, "to": to},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def set_published(session: Session, *, draw_id: int, statuses: Sequence[str]) -> bool:
    result = session.execute(
        text("""UPDATE inspection_draw SET published_at = now()
                WHERE id = :id AND published_at IS NULL
                  AND status = ANY(CAST(:statuses AS varchar[]))"""),
        {"id": draw_id, "statuses": list(statuses)},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def set_leader(
    session: Session, *, draw_id: int, enterprise_id: int, leader_id: int
) -> Row[Any] | None:
    """The new leader if they are in the team and the draw is still drawn. The draw's row
    is locked first: a submit running at the same time waits for the change (and builds
    the task with the new leader) or has already moved the draw (and this changes nothing)."""
    return session.execute(
        text("""WITH d AS (SELECT id FROM inspection_draw
                           WHERE id = :d AND status = 'drawn' FOR UPDATE)
                UPDATE draw_pick p SET leader_id = :leader
                FROM d
                WHERE p.draw_id = d.id AND p.enterprise_id = :e
                  AND :leader = ANY(p.officer_ids)
                RETURNING p.leader_id"""),
        {"d": draw_id, "e": enterprise_id, "leader": leader_id},
    ).first()


def pick_team(session: Session, *, draw_id: int, enterprise_id: int) -> Row[Any] | None:
    return session.execute(
        text("""SELECT officer_ids, leader_id FROM draw_pick
                WHERE draw_id = :d AND enterprise_id = :e"""),
        {"d": draw_id, "e": enterprise_id},
    ).first()


def create_task(
    session: Session,
    *,
    draw: Row[Any],
    name: str,
    start_date: date,
    end_date: date,
    created_by: int,
) -> tuple[int, int]:
    """The task, one assignment (to confirm) per matched pick and its officers, in three
    statements; answers (task id, number of assignments)."""
    task_id = session.execute(
        text("""INSERT INTO inspection_task
                    (name, draw_id, item_category_id, start_date, end_date, created_by, region_id)
                VALUES (:name, :draw, :category, :start, :end, :by, :region) RETURNING id"""),
        {
            "name": name, "draw": draw.id, "category": draw.item_category_id,
            "start": start_date, "end": end_date, "by": created_by, "region": draw.region_id,
        },
    ).scalar_one()  # fmt: skip
    assignments = session.execute(
        text("""
            WITH made AS (
                INSERT INTO inspection_assignment (task_id, enterprise_id, status, leader_id)
                SELECT :task, p.enterprise_id, 'to_confirm', p.leader_id
                FROM draw_pick p
                WHERE p.draw_id = :d AND cardinality(p.officer_ids) > 0
                ORDER BY p.rank
                RETURNING id, enterprise_id),
            team AS (
                INSERT INTO assignment_officer (assignment_id, user_id, is_leader)
                SELECT made.id, m.uid, m.uid = p.leader_id
                FROM made
                JOIN draw_pick p ON p.draw_id = :d AND p.enterprise_id = made.enterprise_id
                CROSS JOIN unnest(p.officer_ids) AS m(uid)
                RETURNING 1)
            SELECT (SELECT count(*) FROM made), (SELECT count(*) FROM team)"""),
        {"task": task_id, "d": draw.id},
    ).one()
    return int(task_id), int(assignments[0])
