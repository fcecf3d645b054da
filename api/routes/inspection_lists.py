"""The red / white / black lists (DR-6): objects per list, their history, manual moves and
the rules in force. Editing the rules goes through the parameter API (`/parameters`).
Thin: parse, authorise, call `geo.inspection.lists`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.enterprise.models import RiskList
from geo.inspection import lists
from geo.inspection.list_schemas import (
    MAX_PAGE,
    ListChange,
    ListCounts,
    ListedPage,
    MoveCreate,
    MovePage,
    RulesRead,
)

router = APIRouter(prefix="/api/v1/inspection/lists", tags=["inspection"])

Viewer = Annotated[Actor, Depends(require("inspection.view"))]
Configurer = Annotated[Actor, Depends(require("inspection.configure"))]
Cursor = Annotated[str | None, Query(max_length=20, description="上一页返回的 next_cursor")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("", summary="红黑库对象（本辖区，按库）")
def list_objects(
    actor: Viewer,
    session: SessionDep,
    list: Annotated[RiskList, Query(description="red 红库、white 白库、black 黑库")],  # noqa: A002
    q: Annotated[str | None, Query(max_length=100, description="名称、地址或信用代码")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ListedPage:
    return lists.list_objects(
        session, actor=actor, risk_list=list, keyword=q, cursor=cursor, limit=limit
    )


@router.get("/counts", summary="各库对象数（本辖区）")
def count_lists(actor: Viewer, session: SessionDep) -> ListCounts:
    return lists.count_lists(session, actor=actor)


@router.get("/moves", summary="变动记录（某对象或本辖区全部，新的在前）")
def list_moves(
    actor: Viewer,
    session: SessionDep,
    enterprise_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MovePage:
    return lists.list_moves(
        session, actor=actor, enterprise_id=enterprise_id, cursor=cursor, limit=limit
    )


@router.post("/moves", status_code=201, summary="调整名录（手动调库，须填写原因）")
def move_manually(body: MoveCreate, actor: Configurer, session: SessionDep) -> ListChange:
    return lists.move_manually(session, actor=actor, data=body)


@router.get("/rules", summary="红黑库规则（在本人所属区划生效的值）")
def effective_rules(actor: Viewer, session: SessionDep) -> RulesRead:
    return lists.effective_rules(session, actor=actor)
