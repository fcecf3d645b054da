"""检查事项配置 (DR-5): item categories, items with their scored check lists (saved with
the item, replacing the list) and the check list of a category, which the task form and
the phone app read. One catalogue for the district: read with `inspection.view`, changed
by district-wide holders of `inspection.configure`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.inspection import items
from geo.inspection.item_schemas import (
    Checklist,
    ItemCategoryRead,
    ItemCategoryWrite,
    ItemDetail,
    ItemPage,
    ItemWrite,
)
from geo.inspection.register_rules import CONFIGURE, MAX_PAGE, VIEW

router = APIRouter(prefix="/api/v1/inspection", tags=["inspection"])

Viewer = Annotated[Actor, Depends(require(VIEW))]
Configurer = Annotated[Actor, Depends(require(CONFIGURE))]
CategoryId = Annotated[int, Path(ge=1, le=2**62, description="事项类别编号")]
ItemId = Annotated[int, Path(ge=1, le=2**62, description="检查事项编号")]
IN_USE: dict[int | str, dict[str, Any]] = {409: {"description": "已有检查结果或仍被引用，不能删除"}}


# ---- categories ------------------------------------------------------------------------------
@router.get("/item-categories", summary="事项类别（按排序号）")
def list_categories(actor: Viewer, session: SessionDep) -> list[ItemCategoryRead]:
    return items.list_categories(session, actor=actor)


@router.post("/item-categories", status_code=201, summary="新增事项类别（区级）")
def create_category(
    body: ItemCategoryWrite, actor: Configurer, session: SessionDep
) -> ItemCategoryRead:
    return items.create_category(session, actor=actor, data=body)


@router.put("/item-categories/{category_id}", summary="修改事项类别（区级）")
def update_category(
    category_id: CategoryId, body: ItemCategoryWrite, actor: Configurer, session: SessionDep
) -> ItemCategoryRead:
    return items.update_category(session, actor=actor, category_id=category_id, data=body)


@router.delete(
    "/item-categories/{category_id}", status_code=204, summary="删除事项类别", responses=IN_USE
)
def delete_category(category_id: CategoryId, actor: Configurer, session: SessionDep) -> Response:
    items.delete_category(session, actor=actor, category_id=category_id)
    return Response(status_code=204)


@router.get(
    "/item-categories/{category_id}/checklist",
    summary="某类别全部启用事项的检查内容及总分（任务表单与执法 app 使用）",
)
def checklist(category_id: CategoryId, actor: Viewer, session: SessionDep) -> Checklist:
    return items.checklist(session, actor=actor, category_id=category_id)


# ---- items -------------------------------------------------------------------------------------
@router.get("/items", summary="检查事项列表（按排序号，游标分页）")
def list_items(
    actor: Viewer,
    session: SessionDep,
    category_id: Annotated[int | None, Query(ge=1, le=2**62, description="事项类别")] = None,
    keyword: Annotated[str | None, Query(max_length=50, description="名称或编码")] = None,
    active: Annotated[bool | None, Query(description="是否启用")] = None,
    cursor: Annotated[str | None, Query(max_length=40, description="上一页的 next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> ItemPage:
    return items.list_items(
        session, actor=actor, category_id=category_id, keyword=keyword, active=active,
        cursor=cursor, limit=limit,
    )  # fmt: skip


@router.get("/items/{item_id}", summary="检查事项详情（含检查内容）")
def get_item(item_id: ItemId, actor: Viewer, session: SessionDep) -> ItemDetail:
    return items.get_item(session, actor=actor, item_id=item_id)


@router.post("/items", status_code=201, summary="新增检查事项（连同检查内容）")
def create_item(body: ItemWrite, actor: Configurer, session: SessionDep) -> ItemDetail:
    return items.create_item(session, actor=actor, data=body)


@router.put("/items/{item_id}", summary="修改检查事项（检查内容按顺序整体替换）", responses=IN_USE)
def update_item(
    item_id: ItemId, body: ItemWrite, actor: Configurer, session: SessionDep
) -> ItemDetail:
    return items.update_item(session, actor=actor, item_id=item_id, data=body)


@router.delete("/items/{item_id}", status_code=204, summary="删除检查事项", responses=IN_USE)
def delete_item(item_id: ItemId, actor: Configurer, session: SessionDep) -> Response:
    items.delete_item(session, actor=actor, item_id=item_id)
    return Response(status_code=204)
