"""Random-inspection draws (DR-7, DR-9, GIS-6): make a draw from conditions, read it,
choose team leaders, discard, submit it as a task, publish it. Thin: parse, authorise,
call `geo.inspection.draw` / `draw_view`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.inspection import draw, draw_view
from geo.inspection.draw_schemas import (
    MAX_PAGE,
    CandidatePage,
    DrawCreate,
    DrawDetail,
    DrawOptions,
    DrawPage,
    LeaderBody,
    SubmitBody,
    TaskRef,
)
from geo.inspection.models import DrawStatus

router = APIRouter(prefix="/api/v1/inspection/draws", tags=["inspection-draws"])

Viewer = Annotated[Actor, Depends(require("inspection.view"))]
Drawer = Annotated[Actor, Depends(require("inspection.draw"))]
DrawId = Annotated[int, Path(ge=1, le=2**62, description="抽取记录编号（id）")]
ObjectId = Annotated[int, Path(ge=1, le=2**62, description="抽查对象（企业）编号")]
Cursor = Annotated[str | None, Query(max_length=20, description="上一页返回的 next_cursor")]


@router.get("/options", response_model=DrawOptions, summary="抽取条件的可选项")
def draw_options(actor: Drawer, session: SessionDep) -> DrawOptions:
    return draw_view.draw_options(session, actor=actor)


@router.get("", response_model=DrawPage, summary="抽取记录（新的在前）")
def list_draws(
    actor: Viewer,
    session: SessionDep,
    status: Annotated[DrawStatus | None, Query(description="状态")] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> DrawPage:
    return draw_view.list_draws(session, actor=actor, status=status, cursor=cursor, limit=limit)


@router.post(
    "",
    response_model=DrawDetail,
    status_code=201,
    summary="按条件抽取",
    description="按条件抽取对象并匹配检查组，保存种子、候选清单和结果。count（数量）与 "
    "ratios（各名录库比例）二选一；seed_source=public 时须在 seed_note 中填写事先公布的数值。",
)
def create_draw(body: DrawCreate, actor: Drawer, session: SessionDep) -> DrawDetail:
    draw_id = draw.create_draw(session, actor=actor, data=body)
    return draw_view.get_draw(session, actor=actor, draw_id=draw_id)


@router.get("/{draw_id}", response_model=DrawDetail, summary="抽取结果")
def get_draw(draw_id: DrawId, actor: Viewer, session: SessionDep) -> DrawDetail:
    return draw_view.get_draw(session, actor=actor, draw_id=draw_id)


@router.get("/{draw_id}/candidates", response_model=CandidatePage, summary="候选对象清单")
def list_candidates(
    draw_id: DrawId,
    actor: Viewer,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> CandidatePage:
    return draw_view.list_candidates(
        session, actor=actor, draw_id=draw_id, cursor=cursor, limit=limit
    )


@router.patch(
    "/{draw_id}/picks/{enterprise_id}",
    response_model=DrawDetail,
    summary="设置检查组组长",
    description="组长须为该组成员；仅在提交或作废之前可以调整。",
)
def set_leader(
    draw_id: DrawId, enterprise_id: ObjectId, body: LeaderBody, actor: Drawer,
    session: SessionDep,
) -> DrawDetail:  # fmt: skip
    draw.set_leader(
        session, actor=actor, draw_id=draw_id, enterprise_id=enterprise_id,
        leader_id=body.leader_id,
    )  # fmt: skip
    return draw_view.get_draw(session, actor=actor, draw_id=draw_id)


@router.post("/{draw_id}/discard", response_model=DrawDetail, summary="作废抽取结果")
def discard_draw(draw_id: DrawId, actor: Drawer, session: SessionDep) -> DrawDetail:
    draw.discard_draw(session, actor=actor, draw_id=draw_id)
    return draw_view.get_draw(session, actor=actor, draw_id=draw_id)


@router.post(
    "/{draw_id}/submit",
    response_model=TaskRef,
    status_code=201,
    summary="提交结果，生成抽查任务",
    description="生成一个抽查任务（名称、开始和结束日期），每个已匹配检查组的对象一条待确认的"
    "检查分派；未匹配的对象保留在抽取记录中。同一抽取只能提交一次（再次提交返回 409）。",
)
def submit_draw(draw_id: DrawId, body: SubmitBody, actor: Drawer, session: SessionDep) -> TaskRef:
    return draw.submit_draw(session, actor=actor, draw_id=draw_id, data=body)


@router.post(
    "/{draw_id}/publish",
    response_model=DrawDetail,
    summary="公示抽取结果",
    description="提交或作废之后才能公示；公示后任何人可在 /public/inspection/draws/{编号} "
    "查看并核验。",
)
def publish_draw(draw_id: DrawId, actor: Drawer, session: SessionDep) -> DrawDetail:
    draw.publish_draw(session, actor=actor, draw_id=draw_id)
    return draw_view.get_draw(session, actor=actor, draw_id=draw_id)
