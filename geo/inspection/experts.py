"""Use cases of the expert register (专家管理, DR-4).

Experts are matched by inspection items, not by area: each lists the items they cover,
and `list_experts(item_id=…)` (or `item_category_id=…`) answers "who can help with this".
An expert may be linked to a user (one entry per user) and belongs to a region, which is
their data scope like any region-bound row. A mobile number, when given, must be a valid
mainland one. Every change is audited.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.scope import ensure_readable_region
from geo.inspection import expert_repository as repo
from geo.inspection import officer_repository as people
from geo.inspection.expert_schemas import ExpertItemRead, ExpertPage, ExpertRead, ExpertWrite
from geo.inspection.models import MOBILE_PATTERN, Expert
from geo.inspection.register_rules import (
    CONFIGURE,
    MAX_PAGE,
    VIEW,
    RegisterRuleError,
    after_id,
)
from geo.org.rules import flush_unique

__all__ = ["create_expert", "delete_expert", "get_expert", "list_experts", "update_expert"]

_MOBILE = re.compile(MOBILE_PATTERN)
_GONE = "所选的用户、区划或检查事项已被删除，请刷新后重新选择"


def _read(row: Row[Any]) -> ExpertRead:
    data = dict(row._mapping)
    data["items"] = [ExpertItemRead(**i) for i in data["items"]]
    return ExpertRead(**data)


def _not_found(expert_id: int) -> NotFound:
    return NotFound(f"未找到专家（编号 {expert_id}），或不在您的管辖范围内")


def list_experts(
    session: Session,
    *,
    actor: Actor,
    keyword: str | None = None,
    item_id: int | None = None,
    item_category_id: int | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ExpertPage:
    """Experts of the actor's scope, by id; matched by an item or any item of a category."""
    actor.require(VIEW)
    if not 1 <= limit <= MAX_PAGE:
        raise RegisterRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    rows = repo.expert_rows(
        session, actor=actor, keyword=(keyword or "").strip() or None, item_id=item_id,
        item_category_id=item_category_id, active=active, after_id=after_id(cursor),
        limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return ExpertPage(
        items=[_read(r) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def get_expert(session: Session, *, actor: Actor, expert_id: int) -> ExpertRead:
    actor.require(VIEW)
    row = repo.expert_row(session, actor=actor, expert_id=expert_id)
    if row is None:
        raise _not_found(expert_id)
    return _read(row)


def _region_of(session: Session, actor: Actor, data: ExpertWrite, self_id: int | None) -> int:
    """Check the linked user and the region; the expert's region (see `ExpertWrite`)."""
    user_region = None
    if data.user_id is not None:
        user = people.user_facts(session, actor=actor, user_id=data.user_id)
        if user is None:
            raise NotFound(f"未找到用户（编号 {data.user_id}），或不在您的管辖范围内")
        if repo.expert_of_user(session, user.id, self_id=self_id) is not None:
            raise Conflict(f"{user.display_name} 已登记为专家，请在列表中修改其信息")
        user_region = user.region_id
    if data.region_id is not None:
        ensure_readable_region(session, actor, data.region_id)
        return data.region_id
    return user_region if user_region is not None else actor.region_id


def _check(session: Session, data: ExpertWrite) -> list[int]:
    """The item ids, de-duplicated; 422 for a bad mobile number or an unknown item."""
    if data.mobile is not None and data.mobile != "" and not _MOBILE.match(data.mobile):
        raise RegisterRuleError("手机号码格式不正确：应为 1 开头的 11 位大陆手机号码")
    ids = sorted(set(data.item_ids))
    unknown = sorted(set(ids) - repo.existing_items(session, ids))
    if unknown:
        raise RegisterRuleError(f"检查事项（编号 {unknown[0]}）不存在，请重新选择")
    return ids


def _apply(expert: Expert, data: ExpertWrite, region_id: int) -> None:
    expert.name = data.name.strip()
    expert.user_id, expert.region_id = data.user_id, region_id
    expert.organisation = (data.organisation or "").strip() or None
    expert.title = (data.title or "").strip() or None
    expert.speciality = (data.speciality or "").strip() or None
    expert.mobile = data.mobile or None
    expert.active = data.active


def _state(expert: Expert, item_ids: list[int]) -> dict[str, Any]:
    keys = ("name", "user_id", "region_id", "organisation", "title", "speciality", "mobile",
            "active")  # fmt: skip
    return {**{k: getattr(expert, k) for k in keys}, "item_ids": item_ids}


def _path(session: Session, region_id: int | None) -> str | None:
    return people.region_path(session, region_id) if region_id is not None else None


def create_expert(session: Session, *, actor: Actor, data: ExpertWrite) -> ExpertRead:
    actor.require(CONFIGURE)
    region_id = _region_of(session, actor, data, None)
    ids = _check(session, data)
    expert = Expert()
    _apply(expert, data, region_id)
    flush_unique(session, expert, "该用户已登记为专家", gone=_GONE)
    repo.replace_items(session, expert_id=expert.id, item_ids=ids)
    record(
        session, action="inspection.expert_create", object_type="expert", object_id=expert.id,
        after=_state(expert, ids), region_path=_path(session, region_id),
        detail=f"新增专家“{expert.name}”", **actor.audit_fields(),
    )  # fmt: skip
    return get_expert(session, actor=actor, expert_id=expert.id)


def _locked(session: Session, actor: Actor, expert_id: int) -> Expert:
    expert = repo.lock_expert(session, actor=actor, expert_id=expert_id)
    if expert is None:
        raise _not_found(expert_id)
    return expert


def update_expert(
    session: Session, *, actor: Actor, expert_id: int, data: ExpertWrite
) -> ExpertRead:
    actor.require(CONFIGURE)
    expert = _locked(session, actor, expert_id)
    before = _state(expert, repo.item_ids_of(session, expert.id))
    region_id = _region_of(session, actor, data, expert.id)
    ids = _check(session, data)
    _apply(expert, data, region_id)
    flush_unique(session, expert, "该用户已登记为专家", gone=_GONE)
    repo.replace_items(session, expert_id=expert.id, item_ids=ids)
    after = _state(expert, ids)
    if after != before:
        record(
            session, action="inspection.expert_update", object_type="expert",
            object_id=expert.id, before=before, after=after,
            region_path=_path(session, region_id), **actor.audit_fields(),
        )  # fmt: skip
    return get_expert(session, actor=actor, expert_id=expert.id)


def delete_expert(session: Session, *, actor: Actor, expert_id: int) -> None:
    actor.require(CONFIGURE)
    expert = _locked(session, actor, expert_id)
    before = _state(expert, repo.item_ids_of(session, expert.id))
    region_id = expert.region_id
    session.delete(expert)
    session.flush()
    record(
        session, action="inspection.expert_delete", object_type="expert", object_id=expert_id,
        before=before, region_path=_path(session, region_id), **actor.audit_fields(),
    )  # fmt: skip
