"""Anyone's check of a published draw, written apart from the code that drew it.

The picks were made in SQL (`geo.inspection.draw_repository`) and the teams by
`geo.inspection.matching`; this module recomputes both from the stored seed, candidates
(list and weight) and each pick's eligible officers with nothing but hashlib, math.log
and heapq, exactly as docs/random-inspection.md describes, and compares.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.inspection import draw_repository as repo
from geo.inspection.draw_schemas import VerifyResult
from geo.inspection.draw_view import published_draw_row

__all__ = ["object_key", "officer_order", "recompute_picks", "recompute_teams", "verify_draw"]

TWO_52 = float(2**52)
BATCH = 10_000
MAX_DIFFERENCES = 5


def object_key(seed: str, enterprise_id: int, weight: float) -> float:
    """−ln(u) / weight, u = (first 13 hex digits of sha256(seed:id) + 0.5) / 2^52."""
    digest = hashlib.sha256(f"{seed}:{enterprise_id}".encode()).hexdigest()
    u = (int(digest[:13], 16) + 0.5) / TWO_52
    return -math.log(u) / weight


def officer_order(seed: str, user_id: int) -> str:
    return hashlib.sha256(f"{seed}:{user_id}".encode()).hexdigest()


def recompute_picks(
    seed: str, candidates: Iterable[tuple[int, str, float]], quotas: dict[str, int]
) -> list[int]:
    """Object ids in rank order. `quotas`: per list, or {"*": k} for one pool of k."""
    chosen: dict[str, list[tuple[float, int]]] = {name: [] for name in quotas}
    for enterprise_id, risk_list, weight in candidates:
        pool = "*" if "*" in quotas else risk_list
        if pool not in quotas or quotas[pool] <= 0:
            continue
        item = (-object_key(seed, enterprise_id, weight), -enterprise_id)  # a max-heap
        heap = chosen[pool]
        if len(heap) < quotas[pool]:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    keyed = sorted((-k, -e) for heap in chosen.values() for k, e in heap)
    return [e for _, e in keyed]


def recompute_teams(
    seed: str, ranked: list[tuple[int, list[int]]], team_size: int
) -> dict[int, list[int]]:
    """Object id → its team (least loaded first); an empty list when too few are eligible."""
    load: Counter[int] = Counter()
    teams: dict[int, list[int]] = {}
    for enterprise_id, eligible in ranked:
        if len(eligible) < team_size:
            teams[enterprise_id] = []
            continue
        team = heapq.nsmallest(team_size, eligible, key=lambda u: (load[u], officer_order(seed, u)))
        load.update(team)
        teams[enterprise_id] = team
    return teams


def _quotas(session: Session, draw_id: int, conditions: dict[str, Any]) -> dict[str, int]:
    if conditions.get("count") is not None:
        return {"*": int(conditions["count"])}
    sizes = {
        row.risk_list: row.n
        for row in session.execute(
            text("SELECT risk_list, count(*) AS n FROM draw_candidate WHERE draw_id = :d "
                 "GROUP BY risk_list"),
            {"d": draw_id},
        )
    }  # fmt: skip
    ratios = conditions.get("ratios") or {}
    return {
        name: math.ceil(Decimal(str(ratio)) * sizes.get(name, 0))
        for name, ratio in ratios.items()
        if ratio is not None
    }


def _candidates(session: Session, draw_id: int) -> Iterable[tuple[int, str, float]]:
    result = repo.verify_inputs(session, draw_id=draw_id, batch=BATCH)
    for batch in result.partitions():
        for row in batch:
            yield row.enterprise_id, row.risk_list, row.weight


def verify_draw(session: Session, *, number: str) -> VerifyResult:
    """Recompute a published draw and say whether it equals what was stored."""
    draw = published_draw_row(session, number=number)
    quotas = _quotas(session, draw.id, draw.conditions)
    ranked = recompute_picks(draw.seed, _candidates(session, draw.id), quotas)
    stored = repo.stored_picks(session, draw_id=draw.id)
    differences = []

    stored_order = [p.enterprise_id for p in sorted(stored, key=lambda p: p.rank)]
    picks_match = ranked == stored_order
    if not picks_match:
        kept, expected = set(stored_order), set(ranked)
        missing = [e for e in ranked if e not in kept]
        extra = [e for e in stored_order if e not in expected]
        if missing:
            differences.append(f"应抽中但记录中没有的对象：{_ids(missing)}")
        if extra:
            differences.append(f"记录中有但不应抽中的对象：{_ids(extra)}")
        if not missing and not extra:
            differences.append("抽中对象相同，但名次与重算结果不一致")

    eligible = {p.enterprise_id: list(p.eligible_officer_ids) for p in stored}
    teams = recompute_teams(
        draw.seed, [(e, eligible.get(e, [])) for e in stored_order], draw.team_size
    )
    wrong = [p.enterprise_id for p in stored if list(p.officer_ids) != teams[p.enterprise_id]]
    if wrong:
        differences.append(f"检查组与重算结果不一致的对象：{_ids(wrong)}")
    return VerifyResult(
        number=draw.number, verified=picks_match and not wrong, picks_match=picks_match,
        teams_match=not wrong, candidate_count=draw.candidate_count,
        recomputed_picks=len(ranked), differences=differences[:MAX_DIFFERENCES],
    )  # fmt: skip


def _ids(ids: list[int]) -> str:
    shown = "、".join(str(i) for i in ids[:10])
    return shown + (f" 等 {len(ids)} 个" if len(ids) > 10 else "")
