"""Reading draws: the list and the detail for staff, the conditions in words, the options
of the conditions form, and the public record of published draws ("one public")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.core.paging import after_id
from geo.core.scope import scope_params, scope_sql
from geo.enterprise.models import RiskList
from geo.inspection import draw_repository as repo
from geo.inspection.draw import LISTS, visible_draw
from geo.inspection.draw_errors import DrawRuleError
from geo.inspection.draw_schemas import (
    MAX_PAGE,
    SOURCE_LABELS,
    STATUS_LABELS,
    CandidatePage,
    CandidateRead,
    CodeOption,
    DrawDetail,
    DrawOptions,
    DrawPage,
    DrawRead,
    ListCount,
    OfficerOption,
    Option,
    PickRead,
    PublicDraw,
    PublicDrawPage,
    PublicDrawSummary,
    PublicPick,
    TaskRef,
    TeamMember,
)
from geo.inspection.models import DrawStatus, SeedSource
from geo.layers import ENTERPRISE_CATEGORIES, RISK_LISTS

__all__ = [
    "ALGORITHM_DESCRIPTION",
    "candidate_csv",
    "conditions_text",
    "draw_options",
    "get_draw",
    "list_candidates",
    "list_draws",
    "public_draw",
    "public_draws",
    "published_draw_row",
]

ALGORITHM_DESCRIPTION = (
    "算法 sha256-exp-v1（加权不放回抽样，指数键法）：对每个候选对象，计算 "
    'h = SHA-256(种子 + ":" + 对象编号) 的十六进制串，取前 13 位十六进制（52 位）作为整数 n，'
    "u = (n + 0.5) / 2^52，键值 key = −ln(u) / 权重；按键值从小到大取前若干个为抽中对象"
    "（按比例抽取时各名录库分别取其配额：配额 = ⌈比例 × 该库候选数⌉），名次即键值的顺序。"
    "权重 = 对象的抽取权重 ×（按数量抽取时）名录库系数。检查组：按名次依次为每个对象，"
    "从执法区域覆盖该对象且符合条件的人员中，选出本次已分配任务最少的若干人，"
    '任务数相同时按 SHA-256(种子 + ":" + 人员编号) 的十六进制串排序，排第一者为默认组长。'
    "公开的种子、候选清单和可选人员足以让任何人重算并核对结果。"
)


def _after_id(cursor: str | None) -> int | None:
    return after_id(cursor, error=DrawRuleError)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise DrawRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")


# ---- staff ---------------------------------------------------------------------------------
def _read(row: Row[Any]) -> DrawRead:
    return DrawRead(
        id=row.id, number=row.number, status=DrawStatus(row.status),
        status_label=STATUS_LABELS[DrawStatus(row.status)],
        item_category_id=row.item_category_id, item_category_name=row.item_category_name,
        region_id=row.region_id, region_name=row.region_name, team_size=row.team_size,
        seed_source=SeedSource(row.seed_source), candidate_count=row.candidate_count,
        pick_count=row.pick_count, unmatched_count=row.unmatched_count,
        drawn_by_name=row.drawn_by_name, drawn_at=row.drawn_at, published_at=row.published_at,
        task_id=row.task_id, task_name=row.task_name,
    )  # fmt: skip


def list_draws(
    session: Session,
    *,
    actor: Actor,
    status: DrawStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> DrawPage:
    """Draws of the actor's scope, newest first."""
    actor.require("inspection.view")
    _check_limit(limit)
    rows = repo.draw_rows(
        session, actor=actor, status=status.value if status else None,
        after_id=_after_id(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return DrawPage(
        items=[_read(r) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def get_draw(session: Session, *, actor: Actor, draw_id: int) -> DrawDetail:
    row = visible_draw(session, actor=actor, draw_id=draw_id)
    picks = [
        PickRead(
            rank=p.rank,
            enterprise_id=p.enterprise_id,
            name=p.name,
            uscc=p.uscc,
            risk_list=RiskList(p.risk_list),
            risk_list_label=RISK_LISTS[p.risk_list],
            weight=p.weight,
            address=p.address,
            lon=p.lon,
            lat=p.lat,
            team=[
                TeamMember(user_id=u, name=n)
                for u, n in zip(p.officer_ids, p.team_names, strict=False)
            ],
            leader_id=p.leader_id,
            leader_name=p.leader_name,
            eligible_count=p.eligible_count,
            unmatched_reason=p.unmatched_reason,
        )  # fmt: skip
        for p in repo.pick_rows(session, draw_id=draw_id)
    ]
    task = None
    if row.task_id is not None:
        count = session.scalar(
            text("SELECT count(*) FROM inspection_assignment WHERE task_id = :t"),
            {"t": row.task_id},
        )
        task = TaskRef(
            id=row.task_id, name=row.task_name, start_date=row.start_date,
            end_date=row.end_date, assignment_count=int(count or 0),
        )  # fmt: skip
    return DrawDetail(
        **_read(row).model_dump(),
        conditions=row.conditions,
        conditions_text=conditions_text(session, row),
        seed=row.seed,
        seed_source_label=SOURCE_LABELS[SeedSource(row.seed_source)],
        seed_note=row.seed_note,
        algorithm=row.algorithm,
        lists=_lists(session, row),
        picks=picks,
        task=task,
    )


def list_candidates(
    session: Session, *, actor: Actor, draw_id: int, cursor: str | None = None, limit: int = 100
) -> CandidatePage:
    visible_draw(session, actor=actor, draw_id=draw_id)
    _check_limit(limit)
    rows = repo.candidate_rows(
        session, draw_id=draw_id, after_id=_after_id(cursor), limit=limit + 1
    )
    page = rows[:limit]
    return CandidatePage(
        items=[CandidateRead(**r._mapping) for r in page],
        next_cursor=str(page[-1].enterprise_id) if len(rows) > limit else None,
    )


def _lists(session: Session, row: Row[Any]) -> list[ListCount]:
    counts = {r.risk_list: r for r in repo.list_counts(session, draw_id=row.id)}
    quotas = row.conditions.get("quotas") or {}
    return [
        ListCount(
            risk_list=RiskList(name),
            label=RISK_LISTS[name],
            candidates=counts[name].candidates if name in counts else 0,
            picks=counts[name].picks if name in counts else 0,
            quota=quotas.get(name),
        )  # fmt: skip
        for name in LISTS
    ]


# ---- the conditions in words ---------------------------------------------------------------
def _names(session: Session, table: str, key: str, ids: list[Any], name: str = "name") -> str:
    if not ids:
        return ""
    rows = session.execute(
        text(f"SELECT {key} AS k, {name} AS n FROM {table} WHERE {key} = ANY(:ids)"), {"ids": ids}
    )
    found = {r.k: r.n for r in rows}
    return "、".join(str(found.get(i, i)) for i in ids)


def conditions_text(session: Session, row: Row[Any]) -> list[str]:
    """One line per condition, as the public page and the record show them."""
    c = row.conditions
    lines = [f"检查事项类别：{row.item_category_name}", f"抽取区域：{row.region_name or '—'}"]
    supervision = c.get("supervision_category_ids") or []
    lines.append(
        "监管类别：" + (_names(session, "supervision_category", "id", supervision) + "（含下级）"
                        if supervision else "不限")
    )  # fmt: skip
    industries = c.get("enterprise_categories") or []
    lines.append(
        "行业：" + ("、".join(ENTERPRISE_CATEGORIES.get(i, i) for i in industries) or "不限")
    )
    if c.get("count") is not None:
        factors = c.get("list_factors") or {}
        lines.append(f"抽取方式：按数量，共抽取 {c['count']} 个对象")
        if factors:
            lines.append(
                "名录库权重系数："
                + "，".join(f"{RISK_LISTS[k]} {factors[k]:g}" for k in LISTS if k in factors)
            )
    else:
        ratios, quotas = c.get("ratios") or {}, c.get("quotas") or {}
        parts = [
            f"{RISK_LISTS[k]} {ratios[k] * 100:g}%（{quotas.get(k, 0)} 个）"
            for k in LISTS
            if ratios.get(k) is not None
        ]
        lines.append("抽取方式：按名录库比例，" + "，".join(parts))
    lines.extend(_officer_lines(session, c.get("officer_scope") or {}))
    lines.append(f"每组执法人员：{row.team_size} 名")
    return lines


def _officer_lines(session: Session, scope: dict[str, Any]) -> list[str]:
    people = [
        ("部门", _names(session, "department", "id", scope.get("department_ids") or [])),
        ("中队", _names(session, "squad", "id", scope.get("squad_ids") or [])),
        ("人员", _names(session, "user_account", "id", scope.get("user_ids") or [],
                      name="display_name")),
    ]  # fmt: skip
    named = "；".join(f"{label} {names}" for label, names in people if names)
    types = _names(session, "officer_type", "code", scope.get("officer_types") or [])
    return [
        "执法人员范围：" + (named or "辖区内全部在岗执法人员"),
        "执法人员类型：" + (types or "不限"),
    ]


# ---- the conditions form -------------------------------------------------------------------
def draw_options(session: Session, *, actor: Actor) -> DrawOptions:
    """What the conditions form picks from, all inside the actor's scope."""
    actor.require("inspection.draw")
    params = scope_params(actor)

    def options(sql: str) -> list[Option]:
        return [Option(**r._mapping) for r in session.execute(text(sql), params)]

    def codes(sql: str) -> list[CodeOption]:
        return [CodeOption(**r._mapping) for r in session.execute(text(sql))]

    officers = session.execute(
        text(f"""
            SELECT o.user_id, u.display_name AS name, ot.name AS officer_type,
                   d.name AS department_name, s.name AS squad_name, r.name AS region_name
            FROM enforcement_officer o
            JOIN user_account u ON u.id = o.user_id
            JOIN officer_type ot ON ot.code = o.officer_type
            LEFT JOIN department d ON d.id = u.department_id
            LEFT JOIN squad s ON s.id = u.squad_id
            LEFT JOIN region r ON r.id = o.region_id
            WHERE o.active AND u.is_active AND {scope_sql(actor, "o.region_id")}
            ORDER BY r.path, u.display_name, o.user_id"""),
        params,
    )
    return DrawOptions(
        item_categories=options(
            "SELECT id, name FROM inspection_item_category ORDER BY sort_order, name, id"
        ),
        supervision_categories=options(
            "SELECT id, name, parent_id FROM supervision_category ORDER BY sort_order, name, id"
        ),
        enterprise_categories=[
            CodeOption(code=k, name=v) for k, v in ENTERPRISE_CATEGORIES.items()
        ],
        regions=options(
            f"SELECT id, name, parent_id FROM region WHERE level IN ('district', 'town', "
            f"'community') AND {scope_sql(actor, 'id')} ORDER BY path"
        ),
        departments=options(
            f"SELECT id, name, parent_id FROM department WHERE {scope_sql(actor, 'region_id')} "
            "ORDER BY sort_order, name, id"
        ),
        squads=options(
            f"SELECT id, name FROM squad WHERE {scope_sql(actor, 'region_id')} ORDER BY name, id"
        ),
        officer_types=codes("SELECT code, name FROM officer_type ORDER BY sort_order, code"),
        officers=[OfficerOption(**r._mapping) for r in officers],
        default_region_id=actor.region_id,
    )


# ---- the public record ---------------------------------------------------------------------
def _summary(row: Row[Any]) -> dict[str, Any]:
    return {
        "number": row.number, "item_category_name": row.item_category_name,
        "region_name": row.region_name, "status_label": STATUS_LABELS[DrawStatus(row.status)],
        "candidate_count": row.candidate_count, "pick_count": row.pick_count,
        "unmatched_count": row.unmatched_count, "drawn_at": row.drawn_at,
        "published_at": row.published_at,
    }  # fmt: skip


def public_draws(session: Session, *, cursor: str | None = None, limit: int = 50) -> PublicDrawPage:
    _check_limit(limit)
    rows = repo.published_rows(session, after_id=_after_id(cursor), limit=limit + 1)
    page = rows[:limit]
    return PublicDrawPage(
        items=[PublicDrawSummary(**_summary(r)) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def published_draw_row(session: Session, *, number: str) -> Row[Any]:
    row = repo.published_row(session, number=number)
    if row is None:
        raise NotFound(f"未找到已公示的抽取记录 {number}")
    return row


def public_draw(session: Session, *, number: str) -> PublicDraw:
    """What anyone may see: no phone numbers, no personal ids — names only."""
    row = published_draw_row(session, number=number)
    picks = [
        PublicPick(
            rank=p.rank,
            name=p.name,
            uscc=p.uscc,
            risk_list=RiskList(p.risk_list),
            risk_list_label=RISK_LISTS[p.risk_list],
            team=list(p.team_names),
            leader_name=p.leader_name,
            unmatched_reason=p.unmatched_reason,
        )  # fmt: skip
        for p in repo.pick_rows(session, draw_id=row.id)
    ]
    return PublicDraw(
        **_summary(row),
        conditions_text=conditions_text(session, row),
        team_size=row.team_size,
        seed=row.seed,
        seed_source=SeedSource(row.seed_source),
        seed_source_label=SOURCE_LABELS[SeedSource(row.seed_source)],
        seed_note=row.seed_note,
        algorithm=row.algorithm,
        algorithm_description=ALGORITHM_DESCRIPTION,
        lists=_lists(session, row),
        picks=picks,
        task_name=row.task_name,
    )


CSV_BATCH = 5000


def candidate_csv(session: Session, *, draw_id: int) -> Iterator[bytes]:
    """Every candidate with its list and weight (UTF-8 with BOM, so Excel reads it),
    streamed from a server-side cursor. The weight is written with full precision
    (repr), so the keys recomputed from the file are exactly the draw's."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["对象编号", "名称", "统一社会信用代码", "名录库代码", "名录库", "权重"])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    result = repo.candidate_stream(session, draw_id=draw_id, batch=CSV_BATCH)
    for batch in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(
            [r.enterprise_id, r.name, r.uscc, r.risk_list, RISK_LISTS[r.risk_list], repr(r.weight)]
            for r in batch
        )
        yield buffer.getvalue().encode("utf-8")
