"""The red / white / black lists (DR-6, 红黑库).

Every supervised object sits in one list (`enterprise.risk_list`) with a draw weight
inside it. A submitted inspection result moves it: each pass lowers the weight (floor
`WEIGHT_FLOOR`), each failure raises it (cap `WEIGHT_CAP`); `inspection.promote_after`
consecutive passes move it up (black → white → red), `inspection.demote_after`
consecutive failures move it down. A move resets the weight to 1 and both streaks to 0.
The rules are parameters a region may override. Officers with `inspection.configure`
may also move an object by hand, with a reason. Every change leaves a `risk_list_move`
row and an audit row in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core import paging
from geo.core.actor import Actor
from geo.core.errors import Conflict, DomainError, NotFound
from geo.core.scope import readable
from geo.enterprise.models import Enterprise, RiskList
from geo.inspection.list_schemas import (
    KIND_LABELS,
    LIST_LABELS,
    MAX_PAGE,
    ListChange,
    ListCounts,
    ListedObject,
    ListedPage,
    MoveCreate,
    MovePage,
    MoveRead,
    RuleRead,
    RulesRead,
)
from geo.inspection.models import RiskListMove, RiskListMoveKind
from geo.org.models import UserAccount
from geo.parameter.registry import get_spec
from geo.parameter.service import resolve_parameter
from geo.region.models import Region

__all__ = [
    "RULE_KEYS",
    "WEIGHT_CAP",
    "WEIGHT_FLOOR",
    "ListRuleError",
    "Rules",
    "Standing",
    "apply_result",
    "count_lists",
    "effective_rules",
    "list_moves",
    "list_objects",
    "move_manually",
    "next_standing",
    "rules_for",
]

WEIGHT_FLOOR = 0.1  # a red object is still drawn now and then
WEIGHT_CAP = 10.0  # a black object does not crowd out everything else
RESET_WEIGHT = 1.0
RULE_KEYS = (
    "inspection.promote_after",
    "inspection.demote_after",
    "inspection.pass_weight_step",
    "inspection.fail_weight_step",
    "inspection.pass_ratio",
)
UP = {RiskList.BLACK: RiskList.WHITE, RiskList.WHITE: RiskList.RED}
DOWN = {RiskList.RED: RiskList.WHITE, RiskList.WHITE: RiskList.BLACK}


class ListRuleError(DomainError):
    code = "ListRuleError"
    status = 422


# ---- the rules (pure) --------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    promote_after: int
    demote_after: int
    pass_step: float
    fail_step: float


@dataclass(frozen=True)
class Standing:
    """Where an object stands: its list, weight and current runs of passes / failures."""

    risk_list: RiskList
    weight: float
    pass_streak: int
    fail_streak: int


def next_standing(now: Standing, *, passed: bool, rules: Rules) -> Standing:
    """The standing after one more result."""
    if passed:
        streak = now.pass_streak + 1
        if streak >= rules.promote_after and now.risk_list in UP:
            return Standing(UP[now.risk_list], RESET_WEIGHT, 0, 0)
        weight = max(WEIGHT_FLOOR, now.weight - rules.pass_step)
        return Standing(now.risk_list, _round(weight), streak, 0)
    streak = now.fail_streak + 1
    if streak >= rules.demote_after and now.risk_list in DOWN:
        return Standing(DOWN[now.risk_list], RESET_WEIGHT, 0, 0)
    weight = min(WEIGHT_CAP, now.weight + rules.fail_step)
    return Standing(now.risk_list, _round(weight), 0, streak)


def _round(weight: float) -> float:
    return round(weight, 4)  # 0.9 - 0.1 stays 0.8, not 0.8000000000000002


def rules_for(session: Session, *, region_id: int | None) -> Rules:
    def value(key: str) -> Any:
        return resolve_parameter(session, key=key, region_id=region_id).value

    return Rules(
        promote_after=int(value("inspection.promote_after")),
        demote_after=int(value("inspection.demote_after")),
        pass_step=float(value("inspection.pass_weight_step")),
        fail_step=float(value("inspection.fail_weight_step")),
    )


# ---- writing -----------------------------------------------------------------------------
def apply_result(
    session: Session, *, actor: Actor, enterprise_id: int, passed: bool, assignment_id: int
) -> ListChange:
    """Record one submitted result on the object's standing (the caller checked the
    assignment). The object's row is locked: two results of the same object submitted at
    once are applied one after the other."""
    row = _object_row(session, enterprise_id=enterprise_id, lock=True)
    if row is None:
        raise NotFound(f"未找到监管对象（编号 {enterprise_id}）")
    before = _standing(row)
    after = next_standing(before, passed=passed, rules=rules_for(session, region_id=row.region_id))
    moved = after.risk_list is not before.risk_list
    kind = RiskListMoveKind.AUTOMATIC if moved else RiskListMoveKind.WEIGHT
    reason = _result_reason(before, after, passed=passed, moved=moved)
    _write(session, enterprise_id=enterprise_id, to=after)
    return _log(
        session, actor=actor, row=row, before=before, after=after, kind=kind, reason=reason,
        assignment_id=assignment_id,
    )  # fmt: skip


def _result_reason(before: Standing, after: Standing, *, passed: bool, moved: bool) -> str:
    outcome = "检查合格" if passed else "检查不合格"
    if moved:
        count = before.pass_streak + 1 if passed else before.fail_streak + 1
        run = "合格" if passed else "不合格"
        return (
            f"{outcome}：连续{run} {count} 次，由{LIST_LABELS[before.risk_list]}"
            f"调入{LIST_LABELS[after.risk_list]}"
        )
    streak = after.pass_streak if passed else after.fail_streak
    run = "合格" if passed else "不合格"
    return f"{outcome}（连续{run} {streak} 次），抽取权重 {before.weight:g} → {after.weight:g}"


def move_manually(session: Session, *, actor: Actor, data: MoveCreate) -> ListChange:
    """调整名录: move an object of the actor's scope to another list, with a reason."""
    actor.require("inspection.configure")
    row = _object_row(session, enterprise_id=data.enterprise_id, actor=actor)
    if row is None:
        raise NotFound(f"未找到监管对象（编号 {data.enterprise_id}），或不在您的管辖范围内")
    current = RiskList(row.risk_list)
    if current is not data.expected_list:
        raise _moved_meanwhile(current)
    if data.to_list is current:
        raise ListRuleError(f"“{row.name}”已在{LIST_LABELS[current]}，无需调整")
    after = Standing(data.to_list, RESET_WEIGHT, 0, 0)
    if not _write(session, enterprise_id=row.id, to=after, expected=current):
        now = session.scalar(select(Enterprise.risk_list).where(Enterprise.id == row.id))
        raise _moved_meanwhile(RiskList(now)) if now else NotFound("监管对象已不存在")
    return _log(
        session, actor=actor, row=row, before=_standing(row), after=after,
        kind=RiskListMoveKind.MANUAL, reason=data.reason, assignment_id=None,
    )  # fmt: skip


def _moved_meanwhile(current: RiskList) -> Conflict:
    return Conflict(f"该对象已被他人调整，当前在{LIST_LABELS[current]}，请刷新后再操作")


def _write(
    session: Session, *, enterprise_id: int, to: Standing, expected: RiskList | None = None
) -> bool:
    """The object's new standing; with `expected`, only while it is still in that list."""
    query = update(Enterprise).where(Enterprise.id == enterprise_id)
    if expected is not None:
        query = query.where(Enterprise.risk_list == expected.value)
    result = session.execute(
        query.values(
            risk_list=to.risk_list.value, draw_weight=to.weight, pass_streak=to.pass_streak,
            fail_streak=to.fail_streak, updated_at=func.now(),
        )
        .returning(Enterprise.id)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return result.first() is not None


def _log(
    session: Session,
    *,
    actor: Actor,
    row: Row[Any],
    before: Standing,
    after: Standing,
    kind: RiskListMoveKind,
    reason: str,
    assignment_id: int | None,
) -> ListChange:
    move = RiskListMove(
        enterprise_id=row.id, kind=kind.value, from_list=before.risk_list.value,
        to_list=after.risk_list.value, from_weight=before.weight, to_weight=after.weight,
        reason=reason, assignment_id=assignment_id, moved_by=actor.user_id,
    )  # fmt: skip
    session.add(move)
    session.flush()
    record(
        session, action=f"inspection.list_{kind.value}", object_type="enterprise",
        object_id=row.id, before=_state(before), after=_state(after),
        region_path=row.region_path, detail=reason, **actor.audit_fields(),
    )  # fmt: skip
    return ListChange(
        enterprise_id=row.id, kind=kind, from_list=before.risk_list, to_list=after.risk_list,
        from_weight=before.weight, to_weight=after.weight, pass_streak=after.pass_streak,
        fail_streak=after.fail_streak, moved=after.risk_list is not before.risk_list,
        reason=reason,
    )  # fmt: skip


def _state(s: Standing) -> dict[str, Any]:
    return {
        "risk_list": s.risk_list.value,
        "draw_weight": s.weight,
        "pass_streak": s.pass_streak,
        "fail_streak": s.fail_streak,
    }


def _standing(row: Row[Any]) -> Standing:
    return Standing(RiskList(row.risk_list), row.draw_weight, row.pass_streak, row.fail_streak)


def _object_row(
    session: Session, *, enterprise_id: int, actor: Actor | None = None, lock: bool = False
) -> Row[Any] | None:
    query = (
        select(
            Enterprise.id, Enterprise.name, Enterprise.region_id, Enterprise.risk_list,
            Enterprise.draw_weight, Enterprise.pass_streak, Enterprise.fail_streak,
            Region.path.label("region_path"),
        )
        .outerjoin(Region, Region.id == Enterprise.region_id)
        .where(Enterprise.id == enterprise_id)
    )  # fmt: skip
    if actor is not None:
        query = query.where(readable(actor, Enterprise.region_id))
    if lock:
        query = query.with_for_update(of=Enterprise)
    result: Any = session.execute(query)
    row: Row[Any] | None = result.first()
    return row


# ---- reading -----------------------------------------------------------------------------
def list_objects(
    session: Session,
    *,
    actor: Actor,
    risk_list: RiskList,
    keyword: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ListedPage:
    """The objects of one list in the actor's scope, by id; `keyword` in the name,
    address or credit code."""
    actor.require("inspection.view")
    _check_limit(limit)
    query = (
        select(
            Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.category,
            Enterprise.address, Enterprise.region_id, Region.name.label("region_name"),
            Enterprise.risk_list, Enterprise.draw_weight, Enterprise.pass_streak,
            Enterprise.fail_streak,
        )
        .outerjoin(Region, Region.id == Enterprise.region_id)
        .where(Enterprise.risk_list == risk_list.value, readable(actor, Enterprise.region_id))
        .order_by(Enterprise.id)
        .limit(limit + 1)
    )  # fmt: skip
    after = after_id(cursor)
    if after is not None:
        query = query.where(Enterprise.id > after)
    if keyword := (keyword or "").strip():
        query = query.where(
            Enterprise.name.icontains(keyword, autoescape=True)
            | Enterprise.address.icontains(keyword, autoescape=True)
            | Enterprise.uscc.icontains(keyword, autoescape=True)
        )
    rows = session.execute(query).all()
    page = rows[:limit]
    items = [
        ListedObject(**r._mapping, risk_list_label=LIST_LABELS[RiskList(r.risk_list)]) for r in page
    ]
    return ListedPage(items=items, next_cursor=str(page[-1].id) if len(rows) > limit else None)


def count_lists(session: Session, *, actor: Actor) -> ListCounts:
    actor.require("inspection.view")
    rows = session.execute(
        select(Enterprise.risk_list, func.count())
        .where(readable(actor, Enterprise.region_id))
        .group_by(Enterprise.risk_list)
    ).all()
    counts = {r[0]: int(r[1]) for r in rows}
    return ListCounts(**{lst.value: counts.get(lst.value, 0) for lst in RiskList})


def list_moves(
    session: Session,
    *,
    actor: Actor,
    enterprise_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> MovePage:
    """The history of one object (or of every object of the scope), newest first."""
    actor.require("inspection.view")
    _check_limit(limit)
    if enterprise_id is not None and _object_row(
        session, enterprise_id=enterprise_id, actor=actor
    ) is None:  # fmt: skip
        raise NotFound(f"未找到监管对象（编号 {enterprise_id}），或不在您的管辖范围内")
    query = (
        select(
            RiskListMove.id, RiskListMove.enterprise_id, Enterprise.name.label("enterprise_name"),
            RiskListMove.kind, RiskListMove.from_list, RiskListMove.to_list,
            RiskListMove.from_weight, RiskListMove.to_weight, RiskListMove.reason,
            RiskListMove.assignment_id, RiskListMove.moved_by,
            UserAccount.display_name.label("moved_by_name"), RiskListMove.at,
        )
        .join(Enterprise, Enterprise.id == RiskListMove.enterprise_id)
        .outerjoin(UserAccount, UserAccount.id == RiskListMove.moved_by)
        .where(readable(actor, Enterprise.region_id))
        .order_by(RiskListMove.id.desc())
        .limit(limit + 1)
    )  # fmt: skip
    if enterprise_id is not None:
        query = query.where(RiskListMove.enterprise_id == enterprise_id)
    after = after_id(cursor)
    if after is not None:
        query = query.where(RiskListMove.id < after)
    rows: list[Any] = list(session.execute(query))
    page = rows[:limit]
    return MovePage(
        items=[_move_read(r) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def _move_read(row: Row[Any]) -> MoveRead:
    kind, source, target = (
        RiskListMoveKind(row.kind), RiskList(row.from_list), RiskList(row.to_list)
    )  # fmt: skip
    return MoveRead(
        **row._mapping, kind_label=KIND_LABELS[kind], from_list_label=LIST_LABELS[source],
        to_list_label=LIST_LABELS[target],
    )  # fmt: skip


def effective_rules(session: Session, *, actor: Actor) -> RulesRead:
    """The rules as they apply in the actor's own region (region overrides included)."""
    actor.require("inspection.view")
    rules = []
    for key in RULE_KEYS:
        spec = get_spec(key)
        resolved = resolve_parameter(session, key=key, region_id=actor.region_id)
        rules.append(
            RuleRead(
                key=key, label=spec.label, value=resolved.value, default=spec.default,
                unit=spec.unit, source=resolved.source,
                source_region_id=resolved.source_region_id,
            )
        )  # fmt: skip
    return RulesRead(
        region_id=actor.region_id, rules=rules, weight_floor=WEIGHT_FLOOR, weight_cap=WEIGHT_CAP
    )


def after_id(cursor: str | None) -> int | None:
    """The id a keyset cursor stands for (422 for a cursor this API never gave)."""
    return paging.after_id(cursor, error=ListRuleError)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise ListRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
