"""Task dispatch (任务下派, LE-9): register a matter, list and read tasks, whom a task may
go to, its attachments, and one sub-resource per workflow action
(`POST /api/v1/enforcement-tasks/{id}/send_to_officer` …). Thin: parse, authorise, call
`geo.task`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.auth import require, require_any
from api.deps import SessionDep
from api.routes.event_photos import StoreDep
from geo.core.actor import Actor
from geo.task import attachments, service
from geo.task.models import AttachmentKind
from geo.task.schemas import (
    MAX_PAGE,
    ActionBody,
    AttachmentRead,
    TaskCreate,
    TaskDetail,
    TaskPage,
    TaskTargets,
    TaskView,
)
from geo.task.workflow import ACTION_LABELS, ACTION_PERMISSIONS, TRANSITIONS, Action, Field, Status

router = APIRouter(prefix="/api/v1/enforcement-tasks", tags=["enforcement-tasks"])


Reader = Annotated[Actor, Depends(require_any(*service.READERS))]
Dispatcher = Annotated[Actor, Depends(require("task.dispatch"))]
TaskId = Annotated[int, Path(ge=1, le=2**62, description="任务编号（id）")]


@router.get("", response_model=TaskPage, summary="任务列表")
def list_tasks(
    actor: Reader,
    session: SessionDep,
    view: Annotated[
        TaskView,
        Query(
            description="registered_by_me 我登记的、my_squad 我带领的中队的、mine 派给我的、"
            "all 辖区全部（需登记与下派任务的权限）"
        ),
    ] = TaskView.ALL,  # fmt: skip
    status: Annotated[list[Status] | None, Query(description="状态，可多选")] = None,
    q: Annotated[str | None, Query(max_length=100, description="关键字：标题、编号或地址")] = None,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> TaskPage:
    return service.list_tasks(
        session, actor=actor, view=view, statuses=status, keyword=q, cursor=cursor, limit=limit
    )


@router.post("", response_model=TaskDetail, status_code=201, summary="登记任务（事件下派）")
def register_task(body: TaskCreate, actor: Dispatcher, session: SessionDep) -> TaskDetail:
    return service.register_task(session, actor=actor, data=body)


@router.get("/{task_id}", response_model=TaskDetail, summary="任务详情（含流转记录与附件）")
def get_task(task_id: TaskId, actor: Reader, session: SessionDep) -> TaskDetail:
    return service.get_task(session, actor=actor, task_id=task_id)


@router.get(
    "/{task_id}/targets",
    response_model=TaskTargets,
    summary="可派发的执法队员与中队",
    description="辖区包含任务所在网格、可接收任务的执法队员，以及中队；任务在中队待派时只列该中队的队员。",
)
def task_targets(task_id: TaskId, actor: Reader, session: SessionDep) -> TaskTargets:
    return service.task_targets(session, actor=actor, task_id=task_id)


@router.post(
    "/{task_id}/attachments",
    response_model=list[AttachmentRead],
    status_code=201,
    summary="上传任务附件",
    description=f"kind=matter 登记附件（登记与下派人员，任务未办结时）；kind=feedback 反馈附件"
    f"（接收任务的队员）。可上传{attachments.ACCEPTED}，每个不超过 20 MB，一次最多 9 个。",
)
async def upload_attachments(
    task_id: TaskId,
    actor: Reader,
    session: SessionDep,
    store: StoreDep,
    files: Annotated[list[UploadFile], File(description="文件，可多选")],
    kind: Annotated[AttachmentKind, Form(description="matter 登记附件 | feedback 反馈附件")],
) -> list[AttachmentRead]:
    limit = attachments.MAX_ATTACHMENT_BYTES
    uploads = [
        attachments.Upload(name=f.filename or "", data=await f.read(limit + 1)) for f in files
    ]
    return await run_in_threadpool(
        attachments.attach_files, session, store, actor=actor, task_id=task_id, kind=kind,
        uploads=uploads,
    )  # fmt: skip


@router.get(
    "/{task_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
    summary="下载任务附件",
)
def download_attachment(
    task_id: TaskId,
    attachment_id: Annotated[int, Path(ge=1, le=2**62)],
    actor: Reader,
    session: SessionDep,
    store: StoreDep,
) -> Response:
    stored = attachments.read_attachment(
        session, store, actor=actor, task_id=task_id, attachment_id=attachment_id
    )
    disposition = f"attachment; filename=\"attachment\"; filename*=UTF-8''{quote(stored.filename)}"
    return Response(
        stored.data,
        media_type=stored.media_type,
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )


_FIELD_HELP = {
    Field.OFFICER: "user_id（执法队员）",
    Field.SQUAD: "squad_id（中队）",
    Field.FINDINGS: "findings（现场核查情况）",
    Field.REASON: "reason（撤销原因）",
    Field.CASE: "case（procedure 简易/一般程序、source 来源（默认上级交办）、"
    "title、facts、party_name）",
}


def _action_route(action: Action) -> Callable[..., TaskDetail]:
    """The route of one action, declaring the action's permission from the workflow table."""

    def act(task_id: int, body: ActionBody, actor: Actor, session: SessionDep) -> TaskDetail:
        return service.transition(
            session, actor=actor, task_id=task_id, action=action,
            expected_status=body.expected_status, user_id=body.user_id, squad_id=body.squad_id,
            findings=body.findings, reason=body.reason, note=body.note, case=body.case,
        )  # fmt: skip

    # Real objects, not the module's postponed (string) annotations: the permission
    # dependency differs per action and exists only in this scope.
    act.__annotations__ = {
        "task_id": TaskId,
        "body": ActionBody,
        "actor": Annotated[Actor, Depends(require(ACTION_PERMISSIONS[action]))],
        "session": SessionDep,
        "return": TaskDetail,
    }
    act.__name__ = f"task_{action.value}"
    return act


def _description(action: Action) -> str:
    lines = [
        f"- {t.source.value} → {t.target.value}"
        + ("；" + "、".join(_FIELD_HELP[f] for f in t.required) if t.required else "")
        for t in TRANSITIONS.values()
        if t.action is action
    ]
    return "expected_status 必填（他人已先处理时返回 409）。可执行的状态与所需字段：\n" + "\n".join(
        lines
    )


for _action in Action:
    router.post(
        f"/{{task_id}}/{_action.value}",
        response_model=TaskDetail,
        summary=ACTION_LABELS[_action],
        description=_description(_action),
    )(_action_route(_action))
