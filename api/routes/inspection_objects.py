"""The registers of random inspections: supervision categories (监管类别, DR-1) and
supervised objects (监管对象, DR-2) with their categories, business licences and
responsible persons. Reading needs inspection.view, changing inspection.configure. Thin:
parse, authorise, call one use case of `geo.inspection.categories` / `objects` /
`object_parts`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.enterprise.models import EnterpriseCategory, RiskList
from geo.inspection import categories, object_parts, objects
from geo.inspection.category_schemas import (
    SupervisionCategoryCreate,
    SupervisionCategoryNode,
    SupervisionCategoryRead,
    SupervisionCategoryUpdate,
)
from geo.inspection.object_schemas import (
    MAX_PAGE,
    CategoriesBody,
    LicenceCreate,
    LicenceRead,
    LicenceUpdate,
    ObjectCreate,
    ObjectDetail,
    ObjectPage,
    ObjectUpdate,
    PersonCreate,
    PersonRead,
    PersonUpdate,
)

router = APIRouter(prefix="/api/v1/inspection", tags=["inspection-registers"])

Viewer = Annotated[Actor, Depends(require("inspection.view"))]
Configurer = Annotated[Actor, Depends(require("inspection.configure"))]
RowId = Annotated[int, Path(ge=1, le=2**62)]


def _no_content() -> Response:
    return Response(status_code=204)


# ---- supervision categories -------------------------------------------------------------
@router.get(
    "/supervision-categories", response_model=list[SupervisionCategoryNode], summary="监管类别树"
)
def list_categories(actor: Viewer, session: SessionDep) -> list[SupervisionCategoryNode]:
    return categories.list_category_tree(session, actor=actor)


@router.get(
    "/supervision-categories/{category_id}",
    response_model=SupervisionCategoryRead,
    summary="查看监管类别",
)
def get_category(category_id: RowId, actor: Viewer, session: SessionDep) -> SupervisionCategoryRead:
    return categories.get_category(session, actor=actor, category_id=category_id)


@router.post(
    "/supervision-categories",
    response_model=SupervisionCategoryRead,
    status_code=201,
    summary="新增监管类别（区级）",
)
def create_category(
    body: SupervisionCategoryCreate, actor: Configurer, session: SessionDep
) -> SupervisionCategoryRead:
    return categories.create_category(session, actor=actor, data=body)


@router.patch(
    "/supervision-categories/{category_id}",
    response_model=SupervisionCategoryRead,
    summary="修改监管类别（名称、编码、上级、排序号）",
)
def update_category(
    category_id: RowId, body: SupervisionCategoryUpdate, actor: Configurer, session: SessionDep
) -> SupervisionCategoryRead:
    return categories.update_category(session, actor=actor, category_id=category_id, changes=body)


@router.delete("/supervision-categories/{category_id}", status_code=204, summary="删除监管类别")
def delete_category(category_id: RowId, actor: Configurer, session: SessionDep) -> Response:
    categories.delete_category(session, actor=actor, category_id=category_id)
    return _no_content()


# ---- supervised objects -----------------------------------------------------------------
@router.get("/objects", response_model=ObjectPage, summary="监管对象列表")
def list_objects(
    actor: Viewer,
    session: SessionDep,
    supervision_category_id: Annotated[
        int | None, Query(ge=1, le=2**62, description="监管类别（含下级类别）")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="关键字：名称、统一社会信用代码或地址")
    ] = None,
    category: Annotated[EnterpriseCategory | None, Query(description="企业类别")] = None,
    risk_list: Annotated[RiskList | None, Query(description="红/白/黑名单")] = None,
    region_id: Annotated[
        int | None, Query(ge=1, le=2**62, description="所在区域：镇、社区或网格（含下级）")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=1200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> ObjectPage:
    return objects.list_objects(
        session,
        actor=actor,
        supervision_category_id=supervision_category_id,
        q=q,
        category=category.value if category else None,
        risk_list=risk_list.value if risk_list else None,
        region_id=region_id,
        cursor=cursor,
        limit=limit,
    )


@router.post("/objects", response_model=ObjectDetail, status_code=201, summary="新增监管对象")
def create_object(body: ObjectCreate, actor: Configurer, session: SessionDep) -> ObjectDetail:
    return objects.create_object(session, actor=actor, data=body)


@router.get("/objects/{object_id}", response_model=ObjectDetail, summary="查看监管对象")
def get_object(object_id: RowId, actor: Viewer, session: SessionDep) -> ObjectDetail:
    return objects.get_object(session, actor=actor, enterprise_id=object_id)


@router.patch("/objects/{object_id}", response_model=ObjectDetail, summary="修改监管对象基本信息")
def update_object(
    object_id: RowId, body: ObjectUpdate, actor: Configurer, session: SessionDep
) -> ObjectDetail:
    return objects.update_object(session, actor=actor, enterprise_id=object_id, changes=body)


@router.put("/objects/{object_id}/categories", response_model=ObjectDetail, summary="设置监管类别")
def set_categories(
    object_id: RowId, body: CategoriesBody, actor: Configurer, session: SessionDep
) -> ObjectDetail:
    return objects.set_object_categories(
        session, actor=actor, enterprise_id=object_id, category_ids=body.category_ids
    )


@router.post(
    "/objects/{object_id}/licences",
    response_model=LicenceRead,
    status_code=201,
    summary="新增经营许可证",
)
def add_licence(
    object_id: RowId, body: LicenceCreate, actor: Configurer, session: SessionDep
) -> LicenceRead:
    return object_parts.add_licence(session, actor=actor, enterprise_id=object_id, data=body)


@router.patch(
    "/objects/{object_id}/licences/{licence_id}",
    response_model=LicenceRead,
    summary="修改经营许可证",
)
def update_licence(
    object_id: RowId, licence_id: RowId, body: LicenceUpdate, actor: Configurer, session: SessionDep
) -> LicenceRead:
    return object_parts.update_licence(
        session, actor=actor, enterprise_id=object_id, licence_id=licence_id, changes=body
    )


@router.delete(
    "/objects/{object_id}/licences/{licence_id}", status_code=204, summary="删除经营许可证"
)
def delete_licence(
    object_id: RowId, licence_id: RowId, actor: Configurer, session: SessionDep
) -> Response:
    object_parts.delete_licence(
        session, actor=actor, enterprise_id=object_id, licence_id=licence_id
    )
    return _no_content()


@router.post(
    "/objects/{object_id}/persons", response_model=PersonRead, status_code=201, summary="新增责任人"
)
def add_person(
    object_id: RowId, body: PersonCreate, actor: Configurer, session: SessionDep
) -> PersonRead:
    return object_parts.add_person(session, actor=actor, enterprise_id=object_id, data=body)


@router.patch(
    "/objects/{object_id}/persons/{person_id}", response_model=PersonRead, summary="修改责任人"
)
def update_person(
    object_id: RowId, person_id: RowId, body: PersonUpdate, actor: Configurer, session: SessionDep
) -> PersonRead:
    return object_parts.update_person(
        session, actor=actor, enterprise_id=object_id, person_id=person_id, changes=body
    )


@router.delete("/objects/{object_id}/persons/{person_id}", status_code=204, summary="删除责任人")
def delete_person(
    object_id: RowId, person_id: RowId, actor: Configurer, session: SessionDep
) -> Response:
    object_parts.delete_person(session, actor=actor, enterprise_id=object_id, person_id=person_id)
    return _no_content()
