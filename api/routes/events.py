"""Events and their work orders (GM-1, GM-2, GM-4, GM-5): report, list, detail, claim
from the pool, and one sub-resource per workflow action
(`POST /api/v1/events/{id}/dispatch` …). Thin: parse, authorise, call `geo.event.service`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.event import dispatch, locate, replay, service, sheet
from geo.event.errors import EventRuleError
from geo.event.schemas import (
    CLIENT_REF_PATTERN,
    MAX_PAGE,
    ActionBody,
    CategoryNode,
    ClaimBody,
    ClaimResult,
    EventCreate,
    EventDetail,
    EventPage,
    EventTargets,
    MergeBody,
    PointLocation,
    PoolCount,
    TimeState,
    WorkBox,
)
from geo.event.workflow import ACTION_LABELS, ACTION_PERMISSIONS, Action, Field, Status

router = APIRouter(prefix="/api/v1/events", tags=["events"])

Viewer = Annotated[Actor, Depends(require("event.view"))]
Reporter = Annotated[Actor, Depends(require("event.report"))]
Dispatcher = Annotated[Actor, Depends(require("event.dispatch"))]
EventId = Annotated[int, Path(ge=1, le=2**62, description="工单编号（id）")]


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4:
        raise EventRuleError("范围（bbox）应为 最小经度,最小纬度,最大经度,最大纬度 四个数")
    return parts[0], parts[1], parts[2], parts[3]


@router.get("", response_model=EventPage, summary="工单列表（通用查询）")
def list_events(
    actor: Viewer,
    session: SessionDep,
    status: Annotated[list[Status] | None, Query(description="状态，可多选")] = None,
    category: Annotated[str | None, Query(max_length=16, description="分类编码（含下级）")] = None,
    region_id: Annotated[int | None, Query(ge=1, le=2**62, description="区划（含下级）")] = None,
    mine: Annotated[bool, Query(description="只看等待我处理的工单")] = False,
    bbox: Annotated[str | None, Query(max_length=200, description="经纬度范围")] = None,
    box: Annotated[
        WorkBox | None,
        Query(
            description="工作台页签：todo 待办（派给我或本部门）、done 已办（我或本部门"
            "处理过且已不在手上）、verifying 核查任务、reported 我上报的"
        ),
    ] = None,  # fmt: skip
    q: Annotated[str | None, Query(max_length=100, description="关键字：标题、编号或地址")] = None,
    time_state: Annotated[
        TimeState | None, Query(description="剩余时间：green 正常、yellow 临期、red 超期")
    ] = None,
    dispatched_by_me: Annotated[
        bool, Query(description="只看我派遣过的工单（工作台“已派遣”）")
    ] = False,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> EventPage:
    return service.list_events(
        session, actor=actor, statuses=status, category=category, region_id=region_id,
        mine=mine, bbox=_bbox(bbox), box=box, keyword=q, time_state=time_state,
        dispatched_by_me=dispatched_by_me, cursor=cursor, limit=limit,
    )  # fmt: skip


@router.post(
    "",
    response_model=EventDetail,
    status_code=201,
    summary="上报事件",
    description="可带幂等键（请求头 Idempotency-Key 或字段 client_ref，8–64 位字母、数字、"
    "-、_）：同一用户同一幂等键的重复提交不再新建工单，以 200 返回第一次上报的工单。",
    responses={200: {"model": EventDetail, "description": "重复提交：第一次上报的工单"}},
)
def report_event(
    body: EventCreate,
    actor: Reporter,
    session: SessionDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", pattern=CLIENT_REF_PATTERN, description="幂等键"),
    ] = None,
) -> EventDetail:
    if idempotency_key and body.client_ref and idempotency_key != body.client_ref:
        raise EventRuleError("请求头 Idempotency-Key 与字段 client_ref 不一致")
    data = body.model_copy(update={"client_ref": body.client_ref or idempotency_key})
    submitted = replay.submit_report(session, actor=actor, data=data)
    if not submitted.created:
        response.status_code = 200
    return submitted.event


@router.get("/pool", response_model=PoolCount, summary="待索取工单数（本辖区工单池）")
def pool_count(actor: Dispatcher, session: SessionDep) -> PoolCount:
    return PoolCount(count=service.pool_count(session, actor=actor))


@router.post("/claim", response_model=ClaimResult, summary="索取工单")
def claim_events(body: ClaimBody, actor: Dispatcher, session: SessionDep) -> ClaimResult:
    return service.claim_events(session, actor=actor, count=body.count)


@router.get("/categories", response_model=list[CategoryNode], summary="事件分类字典（树）")
def list_categories(actor: Viewer, session: SessionDep) -> list[CategoryNode]:
    return locate.list_categories(session, actor=actor)


@router.get(
    "/locate",
    response_model=PointLocation,
    summary="上报位置所属网格",
    description="上报前查看一个位置所属的网格、社区、镇街与责任网格员；不能在此上报时 "
    "reportable 为 false，reason 说明原因（不在任何网格内、不在您的管辖范围内）。",
)
def locate_point(
    actor: Reporter,
    session: SessionDep,
    lon: Annotated[float, Query(ge=-180, le=180, description="经度（CGCS2000）")],
    lat: Annotated[float, Query(ge=-90, le=90, description="纬度（CGCS2000）")],
) -> PointLocation:
    return locate.locate_point(session, actor=actor, lon=lon, lat=lat)


@router.get(
    "/{event_id}/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="导出工单（CSV，含流转记录）",
    description="一张工单的各项信息及全部流转记录，UTF-8（带 BOM，Excel 可直接打开）。",
)
def export_event(event_id: EventId, actor: Viewer, session: SessionDep) -> Response:
    name, text = sheet.work_order_csv(session, actor=actor, event_id=event_id)
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{event_id}", response_model=EventDetail, summary="工单详情（含流转记录）")
def get_event(event_id: EventId, actor: Viewer, session: SessionDep) -> EventDetail:
    return service.get_event(session, actor=actor, event_id=event_id)


@router.get(
    "/{event_id}/targets",
    response_model=EventTargets,
    summary="可派遣的人员与部门",
    description="辖区覆盖该工单所在网格、可签收处置的人员（本网格的网格员在前）和部门，"
    "以及分类×区域规则建议的部门；派遣与发起核查时选择。需要受理派遣或核查结案的权限。",
)
def event_targets(event_id: EventId, actor: Viewer, session: SessionDep) -> EventTargets:
    return service.event_targets(session, actor=actor, event_id=event_id)


@router.post(
    "/{event_id}/merge",
    response_model=EventDetail,
    summary="合并疑似重复工单",
    description="把本工单作为重复工单合并到 into_id（保留的工单）：本工单作废并指向保留工单，"
    "两张工单的流转记录都写明合并；不同镇街之间、或保留工单已办结时不能合并。",
)
def merge_event(
    event_id: EventId, body: MergeBody, actor: Dispatcher, session: SessionDep
) -> EventDetail:
    return dispatch.merge(
        session, actor=actor, event_id=event_id, into_id=body.into_id, opinion=body.opinion,
        expected_status=body.expected_status,
    )  # fmt: skip


_FIELD_HELP = {
    Field.OPINION: "opinion（必填）",
    Field.TARGET: "user_id 或 department_id（二选一）",
    Field.VERIFIER: "user_id（核查人员）",
}


def _action_route(action: Action) -> Callable[..., EventDetail]:
    """The route of one action, declaring the action's permission from the workflow table."""

    def act(event_id: int, body: ActionBody, actor: Actor, session: SessionDep) -> EventDetail:
        return service.transition(
            session, actor=actor, event_id=event_id, action=action,
            expected_status=body.expected_status, opinion=body.opinion,
            user_id=body.user_id, department_id=body.department_id,
        )  # fmt: skip

    # Real objects, not the module's postponed (string) annotations: the permission
    # dependency differs per action and exists only in this scope.
    act.__annotations__ = {
        "event_id": EventId,
        "body": ActionBody,
        "actor": Annotated[Actor, Depends(require(ACTION_PERMISSIONS[action]))],
        "session": SessionDep,
        "return": EventDetail,
    }
    act.__name__ = f"event_{action.value}"
    return act


def _description(action: Action) -> str:
    from geo.event.workflow import TRANSITIONS

    lines = [
        f"- {t.source.label} → {t.target.label}"
        + ("；" + "、".join(_FIELD_HELP[f] for f in t.required) if t.required else "")
        for t in TRANSITIONS.values()
        if t.action is action
    ]
    return "可执行的状态与所需字段：\n" + "\n".join(lines)


for _action in Action:
    router.post(
        f"/{{event_id}}/{_action.value}",
        response_model=EventDetail,
        summary=ACTION_LABELS[_action],
        description=_description(_action),
    )(_action_route(_action))
