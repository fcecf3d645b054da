"""专项检查 matching (LE-8, GIS-6): each enterprise of a category in a region goes to an
officer whose enforcement area covers it — active, not recorded as related to it — the
least loaded first. An enterprise no officer may take is kept with the reason, never
dropped.

The enterprises are read in one statement, their eligible officers in one spatial join —
the draws' own (`geo.inspection.matching.eligible_officers`, so both follow one rule) —
and, for those nobody may take, whether any area covers them at all (to tell "nobody
covers it" from "everyone covering it must stand aside"); a last statement reads the
officers' current load (their open special assignments) and a small loop spreads the
work: the draws form teams in rank order, a special plan serves the enterprises with the
fewest choices first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import scope_params, scope_sql
from geo.inspection.matching import MAY_WORK, OfficerPool, eligible_officers

__all__ = ["Candidate", "Match", "match_special_plan", "spread_load"]

PATROL = "patrol.perform"
NO_OFFICER = "没有执法人员的执法区域覆盖该企业"
ALL_CONFLICTED = "覆盖该企业的执法人员均与其存在利害关系（须回避）"


@dataclass(frozen=True)
class Candidate:
    enterprise_id: int
    eligible: tuple[int, ...]  # user ids of officers who may take it
    covering: int  # officers whose area covers it, conflicted ones included (0 or more)


@dataclass(frozen=True)
class Match:
    enterprise_id: int
    officer_id: int | None
    unmatched_reason: str | None = None


_OBJECTS = """
SELECT e.id FROM enterprise e JOIN region er ON er.id = e.region_id
WHERE er.path <@ CAST(:region_path AS ltree) AND e.category = :category
ORDER BY e.id
"""

# For the enterprises nobody may take: does the area of any officer on duty in the scope
# who may patrol cover them (then everyone covering must stand aside: a conflict), or none?
_COVERED = """
SELECT DISTINCT e.id FROM enterprise e
JOIN enforcement_officer o ON o.active AND ST_Covers(o.area, e.geom)
JOIN user_account u ON u.id = o.user_id AND u.is_active
WHERE e.id = ANY(CAST(:ids AS bigint[])) AND {scope} AND {may_work}
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
    reason it has none). Officers are those of the actor's scope, eligible by the rule the
    draws use (`geo.inspection.matching.eligible_officers`)."""
    ids = list(session.scalars(text(_OBJECTS), {"region_path": region_path, "category": category}))
    eligible = eligible_officers(
        session, enterprise_ids=ids, pool=OfficerPool(), actor=actor, permission=PATROL
    )
    nobody = [e for e in ids if e not in eligible]
    covered = set()
    if nobody:
        sql = _COVERED.format(scope=scope_sql(actor, "o.region_id"), may_work=MAY_WORK)
        params = {"ids": nobody, "permission": PATROL, **scope_params(actor)}
        covered = set(session.scalars(text(sql), params))
    candidates = [
        Candidate(e, eligible.get(e, ()), covering=len(eligible.get(e, ())) or int(e in covered))
        for e in ids
    ]
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
