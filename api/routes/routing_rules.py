"""Routing rules of work orders (GIS-5): category × area → the department a dispatch
defaults to. Dispatchers keep the rules of their own area."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.event import dispatch
from geo.event.schemas import RoutingRuleCreate, RoutingRuleRead, RoutingRuleUpdate

router = APIRouter(prefix="/api/v1/event-routing-rules", tags=["events"])

Dispatcher = Annotated[Actor, Depends(require("event.dispatch"))]
RuleId = Annotated[int, Path(ge=1, le=2**62, description="派遣规则编号")]


@router.get("", response_model=list[RoutingRuleRead], summary="派遣规则列表")
def list_rules(
    actor: Dispatcher,
    session: SessionDep,
    category: Annotated[str | None, Query(max_length=16, description="分类编码（含下级）")] = None,
) -> list[RoutingRuleRead]:
    return dispatch.list_rules(session, actor=actor, category=category)


@router.post("", response_model=RoutingRuleRead, status_code=201, summary="新增派遣规则")
def create_rule(body: RoutingRuleCreate, actor: Dispatcher, session: SessionDep) -> RoutingRuleRead:
    return dispatch.create_rule(session, actor=actor, data=body)


@router.get("/{rule_id}", response_model=RoutingRuleRead, summary="派遣规则详情")
def get_rule(rule_id: RuleId, actor: Dispatcher, session: SessionDep) -> RoutingRuleRead:
    return dispatch.get_rule(session, actor=actor, rule_id=rule_id)


@router.put("/{rule_id}", response_model=RoutingRuleRead, summary="修改派遣规则的部门")
def update_rule(
    rule_id: RuleId, body: RoutingRuleUpdate, actor: Dispatcher, session: SessionDep
) -> RoutingRuleRead:
    return dispatch.update_rule(session, actor=actor, rule_id=rule_id, data=body)


@router.delete("/{rule_id}", status_code=204, summary="删除派遣规则")
def delete_rule(rule_id: RuleId, actor: Dispatcher, session: SessionDep) -> Response:
    dispatch.delete_rule(session, actor=actor, rule_id=rule_id)
    return Response(status_code=204)
