"""The draw (DR-7, DR-9, GIS-6): conditions → candidates → picks → teams, reproducibly.

`create_draw` stores every candidate with its list and weight, picks with exponential
keys computed in SQL (weighted sampling without replacement: key = −ln(u) / weight with u
from sha256(seed:enterprise_id); the smallest keys win, per list in ratio mode), matches
officers spatially (`geo.inspection.matching`) and records the seed and its source, so
anyone can re-run it (docs/random-inspection.md, `geo.inspection.verify`).

Then, while the draw is `drawn`: choose another leader in a team, discard it, or submit
it (one inspection task, one assignment per matched object). A submitted or discarded
draw may be published (`geo.inspection.draw_view` serves the public record).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.numbering import next_number
from geo.core.scope import ensure_readable_region, scope_params, scope_sql
from geo.inspection import draw_repository as repo
from geo.inspection.draw_errors import DrawRuleError
from geo.inspection.draw_schemas import MAX_COUNT, DrawCreate, SubmitBody, TaskRef
from geo.inspection.matching import OfficerPool, match
from geo.inspection.models import DrawStatus, InspectionDraw, SeedSource
from geo.parameter.service import get_parameter

__all__ = [
    "ALGORITHM",
    "LISTS",
    "create_draw",
    "discard_draw",
    "make_seed",
    "publish_draw",
    "quota",
    "set_leader",
    "submit_draw",
    "visible_draw",
]

ALGORITHM = "sha256-exp-v1"
LISTS = ("red", "white", "black")
DRAW = "inspection.draw"
# A draw may be published once it is final: after submission (the task's teams are fixed)
# or after it was discarded (it was drawn, so it stays on the record).
PUBLISHABLE = (DrawStatus.SUBMITTED.value, DrawStatus.DISCARDED.value)


def make_seed(source: SeedSource, *, note: str | None, number: str) -> str:
    """system: 256 random bits; public: sha256 of the announced value and the draw number
    (so one announced value gives different seeds to different draws)."""
    if source is SeedSource.PUBLIC:
        return hashlib.sha256(f"{note}|{number}".encode()).hexdigest()
    return secrets.token_hex(32)


def quota(ratio: float, candidates: int) -> int:
    """ceil(ratio × candidates) in decimal arithmetic: 0.07 × 100 is 7, not 8."""
    return math.ceil(Decimal(str(ratio)) * candidates)


# ---- drawing -----------------------------------------------------------------------------
def create_draw(session: Session, *, actor: Actor, data: DrawCreate) -> int:
    """Check the conditions, draw, match, store everything; answers the draw's id."""
    actor.require(DRAW)
    _check_mode(data)
    region = _draw_region(session, actor=actor, region_id=data.region_id)
    _check_references(session, actor=actor, data=data)
    counting = data.count is not None
    factors = _list_factors(session, region_id=region.id) if counting else dict.fromkeys(LISTS, 1.0)

    number = next_number(session, prefix="CQ", digits=4)
    seed = make_seed(data.seed_source, note=data.seed_note, number=number)
    conditions = data.model_dump(mode="json") | {"region_id": region.id}
    draw = InspectionDraw(
        number=number, status=DrawStatus.DRAWN.value, item_category_id=data.item_category_id,
        conditions=conditions, seed=seed, seed_source=data.seed_source.value,
        seed_note=data.seed_note, algorithm=ALGORITHM, team_size=data.team_size,
        candidate_count=0, pick_count=0, unmatched_count=0, drawn_by=actor.user_id,
        region_id=region.id,
    )  # fmt: skip
    session.add(draw)
    session.flush()

    per_list = repo.insert_candidates(
        session, draw_id=draw.id, region_path=region.path,
        supervision_ids=data.supervision_category_ids,
        categories=[c.value for c in data.enterprise_categories], factors=factors,
    )  # fmt: skip
    total = sum(per_list.values())
    if total == 0:
        raise DrawRuleError("没有符合抽取条件的对象，请放宽监管类别、行业或区域条件")
    if counting:
        assert data.count is not None
        if data.count > total:
            raise DrawRuleError(f"抽取数量（{data.count}）超过符合条件的对象数（{total}）")
        ranked = repo.pick_by_count(session, draw_id=draw.id, seed=seed, count=data.count)
        conditions["list_factors"] = factors
    else:
        assert data.ratios is not None
        quotas = {k: quota(r, per_list.get(k, 0)) for k, r in data.ratios.given().items()}
        if not sum(quotas.values()):
            raise DrawRuleError("按所填比例计算，各名录库均无需抽取对象，请调整比例")
        if sum(quotas.values()) > MAX_COUNT:
            raise DrawRuleError(
                f"按所填比例需抽取 {sum(quotas.values())} 个对象，超过一次抽取的上限 "
                f"{MAX_COUNT} 个，请降低比例或缩小区域"
            )
        ranked = repo.pick_by_quota(session, draw_id=draw.id, seed=seed, quotas=quotas)
        conditions["quotas"] = quotas

    scope = data.officer_scope
    pool = OfficerPool(scope.department_ids, scope.squad_ids, scope.user_ids, scope.officer_types)
    teams = match(
        session, enterprise_ids=[p.enterprise_id for p in ranked], pool=pool, actor=actor,
        team_size=data.team_size, seed=seed,
    )  # fmt: skip
    repo.insert_picks(session, draw_id=draw.id, ranked=ranked, teams=teams)
    draw.conditions = conditions
    flag_modified(draw, "conditions")  # the dict was extended in place since the insert
    draw.candidate_count, draw.pick_count = total, len(ranked)
    draw.unmatched_count = sum(1 for t in teams if not t.officer_ids)
    session.flush()
    record(
        session, action="inspection.draw", object_type="inspection_draw", object_id=draw.id,
        after={"number": number, "seed": seed, "seed_source": draw.seed_source,
               "seed_note": draw.seed_note, "conditions": conditions, "candidates": total,
               "picks": len(ranked), "unmatched": draw.unmatched_count},
        region_path=region.path, **actor.audit_fields(),
    )  # fmt: skip
    return draw.id


def _check_mode(data: DrawCreate) -> None:
    if (data.count is None) == (data.ratios is None):
        raise DrawRuleError("请填写抽取数量，或按名录库分别填写抽取比例（二者选一）")
    if data.ratios is not None and not any(data.ratios.given().values()):
        raise DrawRuleError("抽取比例至少要有一个名录库大于 0")
    if data.seed_source is SeedSource.PUBLIC and not (data.seed_note or "").strip():
        raise DrawRuleError("使用公开数值作为随机种子时，请填写事先公布的数值及其来源")
    data.seed_note = (data.seed_note or "").strip() or None


def _draw_region(session: Session, *, actor: Actor, region_id: int | None) -> Row[Any]:
    """The region candidates come from: the actor's own by default; never a single grid."""
    region_id = region_id or actor.region_id
    ensure_readable_region(session, actor, region_id)
    row = session.execute(
        text("SELECT id, name, level, path::text AS path FROM region WHERE id = :id"),
        {"id": region_id},
    ).one()
    if row.level == "grid":
        raise DrawRuleError("抽取区域应为镇街或社区（村），不能是单个网格")
    return row


def _check_references(session: Session, *, actor: Actor, data: DrawCreate) -> None:
    """Every id and code in the conditions names something that exists (and, for
    departments, squads and users, lies in the actor's scope)."""
    if not session.scalar(
        text("SELECT EXISTS (SELECT 1 FROM inspection_item_category WHERE id = :id)"),
        {"id": data.item_category_id},
    ):
        raise DrawRuleError(f"检查事项类别（编号 {data.item_category_id}）不存在")
    scope = data.officer_scope
    checks = (
        ("supervision_category", "id", data.supervision_category_ids, "监管类别", None),
        ("officer_type", "code", scope.officer_types, "执法人员类型", None),
        ("department", "id", scope.department_ids, "部门", "region_id"),
        ("squad", "id", scope.squad_ids, "中队", "region_id"),
        ("user_account", "id", scope.user_ids, "人员", "region_id"),
    )
    for table, key, wanted, label, region_column in checks:
        if not wanted:
            continue
        in_scope = scope_sql(actor, region_column) if region_column else "TRUE"
        found = set(
            session.scalars(
                text(f"SELECT {key} FROM {table} WHERE {key} = ANY(:ids) AND {in_scope}"),
                {"ids": list(wanted), **(scope_params(actor) if region_column else {})},
            )
        )
        missing = [str(w) for w in wanted if w not in found]
        if missing:
            where = "或不在您的管辖范围内" if region_column else ""
            raise DrawRuleError(f"{label}（{'、'.join(missing[:5])}）不存在{where}")


def _list_factors(session: Session, *, region_id: int) -> dict[str, float]:
    return {
        name: float(
            get_parameter(session, key=f"inspection.list_factor.{name}", region_id=region_id)
        )
        for name in LISTS
    }


# ---- after the draw ------------------------------------------------------------------------
def visible_draw(session: Session, *, actor: Actor, draw_id: int) -> Row[Any]:
    actor.require("inspection.view")
    row = repo.draw_row(session, actor=actor, draw_id=draw_id)
    if row is None:
        raise NotFound(f"未找到抽取记录（编号 {draw_id}），或不在您的管辖范围内")
    return row


def _drawn(session: Session, *, actor: Actor, draw_id: int, doing: str) -> Row[Any]:
    actor.require(DRAW)
    row = visible_draw(session, actor=actor, draw_id=draw_id)
    if row.status != DrawStatus.DRAWN:
        raise Conflict(f"抽取记录 {row.number} 已{_status_word(row.status)}，不能再{doing}")
    return row


def _status_word(status: str) -> str:
    return {"submitted": "提交", "discarded": "作废"}.get(status, "变更")


def set_leader(
    session: Session, *, actor: Actor, draw_id: int, enterprise_id: int, leader_id: int
) -> None:
    """Choose another member of a pick's team as its leader (only while drawn)."""
    draw = _drawn(session, actor=actor, draw_id=draw_id, doing="调整组长")
    team = repo.pick_team(session, draw_id=draw_id, enterprise_id=enterprise_id)
    if team is None:
        raise NotFound(f"抽取记录 {draw.number} 中没有该对象（编号 {enterprise_id}）")
    if leader_id not in team.officer_ids:
        raise DrawRuleError("组长必须是该检查组的成员")
    if (
        repo.set_leader(session, draw_id=draw_id, enterprise_id=enterprise_id, leader_id=leader_id)
        is None
    ):
        raise Conflict(f"抽取记录 {draw.number} 刚被他人提交或作废，请刷新后查看")
    record(
        session, action="inspection.draw_leader", object_type="inspection_draw",
        object_id=draw_id, before={"enterprise_id": enterprise_id, "leader_id": team.leader_id},
        after={"enterprise_id": enterprise_id, "leader_id": leader_id},
        region_path=draw.region_path, **actor.audit_fields(),
    )  # fmt: skip


def discard_draw(session: Session, *, actor: Actor, draw_id: int) -> None:
    draw = _drawn(session, actor=actor, draw_id=draw_id, doing="作废")
    _move(session, draw=draw, to=DrawStatus.DISCARDED)
    record(
        session, action="inspection.draw_discard", object_type="inspection_draw",
        object_id=draw_id, before={"status": draw.status},
        after={"status": DrawStatus.DISCARDED.value}, region_path=draw.region_path,
        **actor.audit_fields(),
    )  # fmt: skip


def submit_draw(session: Session, *, actor: Actor, draw_id: int, data: SubmitBody) -> TaskRef:
    """The draw becomes a named task with one assignment (to confirm) per matched pick;
    objects without a team stay on the draw's record, reported."""
    name = data.name.strip()
    if not name:
        raise DrawRuleError("请填写任务名称")
    if data.end_date < data.start_date:
        raise DrawRuleError("结束日期不能早于开始日期")
    draw = _drawn(session, actor=actor, draw_id=draw_id, doing="提交")
    if draw.pick_count == draw.unmatched_count:
        raise DrawRuleError(
            "所有抽中对象都没有匹配到检查组，无法下发任务，请调整执法人员范围后重新抽取"
        )
    _move(session, draw=draw, to=DrawStatus.SUBMITTED)
    task_id, assignments = repo.create_task(
        session, draw=draw, name=name, start_date=data.start_date, end_date=data.end_date,
        created_by=actor.user_id,
    )  # fmt: skip
    record(
        session, action="inspection.draw_submit", object_type="inspection_draw",
        object_id=draw_id, before={"status": draw.status},
        after={"status": DrawStatus.SUBMITTED.value, "task_id": task_id, "task_name": name,
               "start_date": data.start_date, "end_date": data.end_date,
               "assignments": assignments},
        region_path=draw.region_path, **actor.audit_fields(),
    )  # fmt: skip
    return TaskRef(
        id=task_id, name=name, start_date=data.start_date, end_date=data.end_date,
        assignment_count=assignments,
    )  # fmt: skip


def _move(session: Session, *, draw: Row[Any], to: DrawStatus) -> None:
    if not repo.set_status(session, draw_id=draw.id, expected=DrawStatus.DRAWN.value, to=to.value):
        raise Conflict(f"抽取记录 {draw.number} 刚被他人提交或作废，请刷新后查看")


def publish_draw(session: Session, *, actor: Actor, draw_id: int) -> None:
    """Publish a submitted or discarded draw (once)."""
    actor.require(DRAW)
    draw = visible_draw(session, actor=actor, draw_id=draw_id)
    if draw.published_at is not None:
        raise Conflict(f"抽取记录 {draw.number} 已经公示")
    if draw.status not in PUBLISHABLE:
        raise Conflict(f"抽取记录 {draw.number} 尚未提交：请先提交结果或作废后再公示")
    if not repo.set_published(session, draw_id=draw_id, statuses=PUBLISHABLE):
        raise Conflict(f"抽取记录 {draw.number} 刚被他人变更，请刷新后查看")
    record(
        session, action="inspection.draw_publish", object_type="inspection_draw",
        object_id=draw_id, after={"number": draw.number, "published": True},
        region_path=draw.region_path, **actor.audit_fields(),
    )  # fmt: skip
