"""党建引领 (CMD-2): party organisations (a tree), their members (keyset-paged) and their
activities (keyset-paged, by organisation and date range). Region-scoped; leaders read
(party.view), town admins keep them (party.manage)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.party import activities, members, organisations
from geo.party.rules import MANAGE, MAX_PAGE, VIEW
from geo.party.schemas import (
    ActivityPage,
    ActivityRead,
    ActivityWrite,
    MemberPage,
    MemberRead,
    MemberWrite,
    OrganisationRead,
    OrganisationWrite,
    SiteRead,
)

router = APIRouter(prefix="/api/v1/party", tags=["party"])

Viewer = Annotated[Actor, Depends(require(VIEW))]
Manager = Annotated[Actor, Depends(require(MANAGE))]
OrgId = Annotated[int, Path(ge=1, le=2**62, description="党组织编号")]
MemberId = Annotated[int, Path(ge=1, le=2**62, description="党员编号")]
ActivityId = Annotated[int, Path(ge=1, le=2**62, description="活动编号")]
OrgFilter = Annotated[int | None, Query(ge=1, le=2**62, description="党组织编号")]
Cursor = Annotated[str | None, Query(max_length=20, description="上一页的 next_cursor")]
ActivityCursor = Annotated[str | None, Query(max_length=40, description="上一页的 next_cursor")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("/sites", summary="党建阵地（本辖区内；供选择党组织与活动的位置）")
def list_sites(actor: Viewer, session: SessionDep) -> list[SiteRead]:
    return organisations.list_sites(session, actor=actor)


@router.get("/organisations", summary="党组织列表（本辖区内，上级在前；前端组成树）")
def list_organisations(actor: Viewer, session: SessionDep) -> list[OrganisationRead]:
    return organisations.list_organisations(session, actor=actor)


@router.get("/organisations/{organisation_id}", summary="党组织详情")
def get_organisation(
    organisation_id: OrgId, actor: Viewer, session: SessionDep
) -> OrganisationRead:
    return organisations.get_organisation(session, actor=actor, organisation_id=organisation_id)


@router.post("/organisations", status_code=201, summary="新增党组织")
def create_organisation(
    body: OrganisationWrite, actor: Manager, session: SessionDep
) -> OrganisationRead:
    return organisations.create_organisation(session, actor=actor, data=body)


@router.put("/organisations/{organisation_id}", summary="修改党组织")
def update_organisation(
    organisation_id: OrgId, body: OrganisationWrite, actor: Manager, session: SessionDep
) -> OrganisationRead:
    return organisations.update_organisation(
        session, actor=actor, organisation_id=organisation_id, data=body
    )


@router.delete(
    "/organisations/{organisation_id}", status_code=204,
    summary="删除党组织（有下级组织、党员或活动时不能删除）",
)  # fmt: skip
def delete_organisation(organisation_id: OrgId, actor: Manager, session: SessionDep) -> Response:
    organisations.delete_organisation(session, actor=actor, organisation_id=organisation_id)
    return Response(status_code=204)


@router.get("/members", summary="党员列表（本辖区内；按党组织、姓名筛选）")
def list_members(
    actor: Viewer,
    session: SessionDep,
    organisation_id: OrgFilter = None,
    name: Annotated[str | None, Query(max_length=50, description="姓名（部分）")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MemberPage:
    return members.list_members(
        session, actor=actor, organisation_id=organisation_id, name=name, cursor=cursor,
        limit=limit,
    )  # fmt: skip


@router.get("/members/{member_id}", summary="党员详情")
def get_member(member_id: MemberId, actor: Viewer, session: SessionDep) -> MemberRead:
    return members.get_member(session, actor=actor, member_id=member_id)


@router.post("/members", status_code=201, summary="新增党员")
def create_member(body: MemberWrite, actor: Manager, session: SessionDep) -> MemberRead:
    return members.create_member(session, actor=actor, data=body)


@router.put("/members/{member_id}", summary="修改党员")
def update_member(
    member_id: MemberId, body: MemberWrite, actor: Manager, session: SessionDep
) -> MemberRead:
    return members.update_member(session, actor=actor, member_id=member_id, data=body)


@router.delete("/members/{member_id}", status_code=204, summary="删除党员")
def delete_member(member_id: MemberId, actor: Manager, session: SessionDep) -> Response:
    members.delete_member(session, actor=actor, member_id=member_id)
    return Response(status_code=204)


@router.get("/activities", summary="党建活动列表（本辖区内，新登记在前；按党组织、日期筛选）")
def list_activities(
    actor: Viewer,
    session: SessionDep,
    organisation_id: OrgFilter = None,
    date_from: Annotated[date | None, Query(description="开始日期（含）")] = None,
    date_to: Annotated[date | None, Query(description="结束日期（含）")] = None,
    cursor: ActivityCursor = None,
    limit: Limit = 50,
) -> ActivityPage:
    return activities.list_activities(
        session, actor=actor, organisation_id=organisation_id, date_from=date_from,
        date_to=date_to, cursor=cursor, limit=limit,
    )  # fmt: skip


@router.get("/activities/{activity_id}", summary="党建活动详情")
def get_activity(activity_id: ActivityId, actor: Viewer, session: SessionDep) -> ActivityRead:
    return activities.get_activity(session, actor=actor, activity_id=activity_id)


@router.post("/activities", status_code=201, summary="登记党建活动")
def create_activity(body: ActivityWrite, actor: Manager, session: SessionDep) -> ActivityRead:
    return activities.create_activity(session, actor=actor, data=body)


@router.put("/activities/{activity_id}", summary="修改党建活动")
def update_activity(
    activity_id: ActivityId, body: ActivityWrite, actor: Manager, session: SessionDep
) -> ActivityRead:
    return activities.update_activity(session, actor=actor, activity_id=activity_id, data=body)


@router.delete("/activities/{activity_id}", status_code=204, summary="删除党建活动")
def delete_activity(activity_id: ActivityId, actor: Manager, session: SessionDep) -> Response:
    activities.delete_activity(session, actor=actor, activity_id=activity_id)
    return Response(status_code=204)
