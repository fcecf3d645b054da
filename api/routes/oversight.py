"""Supervision messages (督办, GM-6) and extension requests (延期, GM-7) on work orders.
Thin: parse, authorise, call `geo.event.supervision` / `geo.event.extension`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.event import extension, supervision
from geo.event.oversight_schemas import (
    Box,
    ExtensionCreate,
    ExtensionRead,
    ExtensionReview,
    SupervisionCreate,
    SupervisionRead,
    SupervisionReply,
)

router = APIRouter(prefix="/api/v1", tags=["events"])

Viewer = Annotated[Actor, Depends(require("event.view"))]
Supervisor = Annotated[Actor, Depends(require("event.supervise"))]
Handler = Annotated[Actor, Depends(require("event.handle"))]
Reviewer = Annotated[Actor, Depends(require("event.review_extension"))]
Id = Annotated[int, Path(ge=1, le=2**62)]


@router.post(
    "/events/{event_id}/supervisions",
    response_model=SupervisionRead,
    status_code=201,
    summary="督办（区指挥中心）",
)
def send_supervision(
    event_id: Id, body: SupervisionCreate, actor: Supervisor, session: SessionDep
) -> SupervisionRead:
    return supervision.send(session, actor=actor, event_id=event_id, data=body)


@router.post(
    "/supervisions/{supervision_id}/reply", response_model=SupervisionRead, summary="回复督办"
)
def reply_supervision(
    supervision_id: Id, body: SupervisionReply, actor: Viewer, session: SessionDep
) -> SupervisionRead:
    return supervision.reply(session, actor=actor, supervision_id=supervision_id, text=body.reply)


@router.get("/supervisions", response_model=list[SupervisionRead], summary="督办消息")
def list_supervisions(
    actor: Viewer,
    session: SessionDep,
    box: Annotated[Box, Query(description="received 收到的（未回复在前）；sent 我发出的")] = (
        Box.RECEIVED
    ),
) -> list[SupervisionRead]:
    return supervision.list_supervisions(session, actor=actor, box=box)


@router.post(
    "/events/{event_id}/extensions",
    response_model=ExtensionRead,
    status_code=201,
    summary="申请延期（承办人）",
)
def request_extension(
    event_id: Id, body: ExtensionCreate, actor: Handler, session: SessionDep
) -> ExtensionRead:
    return extension.request_extension(session, actor=actor, event_id=event_id, data=body)


@router.post(
    "/extensions/{extension_id}/review",
    response_model=ExtensionRead,
    summary="延期审核（一级：镇分中心；二级：区指挥中心）",
)
def review_extension(
    extension_id: Id, body: ExtensionReview, actor: Reviewer, session: SessionDep
) -> ExtensionRead:
    return extension.review_extension(session, actor=actor, extension_id=extension_id, data=body)


@router.get("/extensions", response_model=list[ExtensionRead], summary="延期申请")
def list_extensions(
    actor: Viewer,
    session: SessionDep,
    pending: Annotated[bool, Query(description="只看等待我这一级审核的申请")] = False,
) -> list[ExtensionRead]:
    return extension.list_extensions(session, actor=actor, pending=pending)
