"""专家管理 (DR-4): experts and the inspection items they cover; `item_id` (or
`item_category_id`) on the list finds the experts for an item. Region-scoped."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.inspection import experts
from geo.inspection.expert_schemas import ExpertPage, ExpertRead, ExpertWrite
from geo.inspection.register_rules import CONFIGURE, MAX_PAGE, VIEW

router = APIRouter(prefix="/api/v1/inspection", tags=["inspection"])

Viewer = Annotated[Actor, Depends(require(VIEW))]
Configurer = Annotated[Actor, Depends(require(CONFIGURE))]
ExpertId = Annotated[int, Path(ge=1, le=2**62, description="专家编号")]


@router.get("/experts", summary="专家列表（本辖区内；可按检查事项或事项类别匹配）")
def list_experts(
    actor: Viewer,
    session: SessionDep,
    keyword: Annotated[str | None, Query(max_length=50, description="姓名、单位或专业")] = None,
    item_id: Annotated[int | None, Query(ge=1, le=2**62, description="擅长该检查事项")] = None,
    item_category_id: Annotated[
        int | None, Query(ge=1, le=2**62, description="擅长该类别中任一事项")
    ] = None,
    active: Annotated[bool | None, Query(description="是否在库")] = None,
    cursor: Annotated[str | None, Query(max_length=20, description="上一页的 next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> ExpertPage:
    return experts.list_experts(
        session, actor=actor, keyword=keyword, item_id=item_id,
        item_category_id=item_category_id, active=active, cursor=cursor, limit=limit,
    )  # fmt: skip


@router.get("/experts/{expert_id}", summary="专家详情")
def get_expert(expert_id: ExpertId, actor: Viewer, session: SessionDep) -> ExpertRead:
    return experts.get_expert(session, actor=actor, expert_id=expert_id)


@router.post("/experts", status_code=201, summary="新增专家（连同擅长的检查事项）")
def create_expert(body: ExpertWrite, actor: Configurer, session: SessionDep) -> ExpertRead:
    return experts.create_expert(session, actor=actor, data=body)


@router.put("/experts/{expert_id}", summary="修改专家（擅长事项整体替换）")
def update_expert(
    expert_id: ExpertId, body: ExpertWrite, actor: Configurer, session: SessionDep
) -> ExpertRead:
    return experts.update_expert(session, actor=actor, expert_id=expert_id, data=body)


@router.delete("/experts/{expert_id}", status_code=204, summary="删除专家")
def delete_expert(expert_id: ExpertId, actor: Configurer, session: SessionDep) -> Response:
    experts.delete_expert(session, actor=actor, expert_id=expert_id)
    return Response(status_code=204)
