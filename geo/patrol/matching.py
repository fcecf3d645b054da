"""专项检查 matching (LE-8, GIS-6): each enterprise of a category in a region goes to an
officer whose enforcement area covers it — active, not recorded as related to it — the
least loaded first. An enterprise no officer may take is kept with the reason, never
dropped.

One statement finds, per enterprise, the eligible officers (and how many areas cover it at
all, to tell "nobody covers it" from "everyone covering it must stand aside"); a second
reads the officers' current load (their open special assignments); a small loop then
spreads the work. The random-inspection draw has its own matching with teams; the two
share the eligibility rule and are to be folded together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import scope_params, scope_sql

__all__ = ["Candidate", "Match", "match_special_plan", "spread_load"]

NO_OFFICER = "没有执法人员的执法区域覆盖该企业"
ALL_CONFLICTED = "覆盖该企业的执法人员均与其存在利害关系（须回避）"


@dataclass(frozen=True)
class Candidate:
    enterprise_id: int
    eligible: tuple[int, ...]  # user ids of officers who may take it
    covering: int  # officers whose area covers it, conflicted ones included


@dataclass(frozen=True)
class Match:
    enterprise_id: int
    officer_id: int | None
    unmatched_reason: str | None = None


_CANDIDATES = """
SELECT e.id AS enterprise_id,
       coalesce(array_agg(o.user_id ORDER BY o.user_id)
                FILTER (WHERE o.user_id IS NOT NULL AND c.officer_id IS NULL), '{{}}') AS eligible,
       count(o.user_id) AS covering
FROM enterprise e
JOIN region er ON er.id = e.region_id AND er.path <@ CAST(:region_path AS ltree)
LEFT JOIN (
    SELECT eo.id, eo.user_id, eo.area
    FROM enforcement_officer eo
    JOIN user_account u ON u.id = eo.user_id AND u.is_active
    WHERE eo.active AND eo.area IS NOT NULL AND {officer_scope}
) o ON ST_Covers(o.area, e.geom)
LEFT JOIN officer_conflict c ON c.officer_id = o.id AND c.enterprise_id = e.id
WHERE e.category = :category
GROUP BY e.id
ORDER BY e.id
"""

_LOADS = """
SELECT a.officer_id, count(*) AS load
FROM patrol_assignment a
JOIN patrol_plan p ON p.id = a.plan_id
WHERE a.officer_id = ANY(:ids) AND a.enterprise_id IS NOT NULL AND a.done_at IS NULL
  AND p.kind = 'special' AND p.active AND p.end_date >= :today
GROUP BY a.officer_id
"""


def match_special_plan(
    session: Session, *, actor: Actor, category: str, region_path: str, today: date
) -> list[Match]:
    """Every enterprise of `category` under `region_path`, each with its officer (or the
    reason it has none). Officers are those of the actor's scope."""
    sql = _CANDIDATES.format(officer_scope=scope_sql(actor, "coalesce(eo.region_id, u.region_id)"))
    rows = session.execute(
        text(sql), {"region_path": region_path, "category": category, **scope_params(actor)}
    ).all()
    candidates = [Candidate(r.enterprise_id, tuple(r.eligible), int(r.covering)) for r in rows]
    officer_ids = sorted({u for c in candidates for u in c.eligible})
    loads = {
        r.officer_id: int(r.load)
        for r in session.execute(text(_LOADS), {"ids": officer_ids, "today": today})
    }
    return spread_load(candidates, loads)


def spread_load(candidates: Iterable[Candidate], loads: Mapping[int, int]) -> list[Match]:
    """Give each enterprise to its least-loaded eligible officer (ties: the lower id),
    counting each assignment at once. Enterprises with the fewest choices go first, so a
    busy officer's only enterprises are not lost to ones others could have taken."""
    load = dict(loads)
    matches: dict[int, Match] = {}
    ordered = sorted(candidates, key=lambda c: (len(c.eligible), c.enterprise_id))
    for c in ordered:
        if not c.eligible:
            reason = ALL_CONFLICTED if c.covering else NO_OFFICER
            matches[c.enterprise_id] = Match(c.enterprise_id, None, reason)
            continue
        chosen = min(c.eligible, key=lambda u: (load.get(u, 0), u))
        load[chosen] = load.get(chosen, 0) + 1
        matches[c.enterprise_id] = Match(c.enterprise_id, chosen)
    return [matches[k] for k in sorted(matches)]
