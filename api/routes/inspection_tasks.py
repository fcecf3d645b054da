"""Inspection tasks (DR-8): my assignments, the tasks of a scope, the task form and its
actions (confirm, save, submit), and site photos. The phone app uses the same routes.
Thin: parse, authorise, call `geo.inspection.tasks`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.auth import require
from api.deps import SessionDep
from api.routes.event_photos import IMMUTABLE, StoreDep
from geo.core.actor import Actor
from geo.event.photos import Upload
from geo.file.settings import get_file_settings
from geo.inspection import task_photos, tasks
from geo.inspection.task_schemas import (
    MAX_PAGE,
    AssignmentDetail,
    AssignmentPage,
    AssignmentPhotoRead,
    ConfirmBody,
    MineView,
    ResultsBody,
    SubmitOutcome,
    TaskDetail,
    TaskPage,
)

router = APIRouter(prefix="/api/v1/inspection", tags=["inspection"])

Viewer = Annotated[Actor, Depends(require("inspection.view"))]
Performer = Annotated[Actor, Depends(require("inspection.perform"))]
Id = Annotated[int, Path(ge=1, le=2**62)]
Cursor = Annotated[str | None, Query(max_length=20, description="上一页返回的 next_cursor")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("/tasks/mine", summary="我的检查任务（未完成 / 已完成 / 所有）")
def list_my_assignments(
    actor: Performer,
    session: SessionDep,
    view: Annotated[
        MineView, Query(description="open 未完成（待确认、已确认）、completed 已完成、all 所有")
    ] = MineView.OPEN,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> AssignmentPage:
    return tasks.list_my_assignments(session, actor=actor, view=view, cursor=cursor, limit=limit)


@router.get("/tasks", summary="抽查任务（本辖区，含各状态进度）")
def list_tasks(
    actor: Viewer,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100, description="任务名称关键字")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> TaskPage:
    return tasks.list_tasks(session, actor=actor, keyword=q, cursor=cursor, limit=limit)


@router.get("/tasks/{task_id}", summary="抽查任务详情（含各检查对象）")
def get_task(task_id: Id, actor: Viewer, session: SessionDep) -> TaskDetail:
    return tasks.get_task(session, actor=actor, task_id=task_id)


@router.get("/assignments/{assignment_id}", summary="检查任务表单（对象、检查组、检查清单、照片）")
def get_assignment(assignment_id: Id, actor: Viewer, session: SessionDep) -> AssignmentDetail:
    return tasks.get_assignment(session, actor=actor, assignment_id=assignment_id)


@router.post("/assignments/{assignment_id}/confirm", summary="确认接收检查任务")
def confirm_assignment(
    assignment_id: Id, body: ConfirmBody, actor: Performer, session: SessionDep
) -> AssignmentDetail:
    return tasks.confirm_assignment(
        session, actor=actor, assignment_id=assignment_id, expected_status=body.expected_status
    )


@router.put(
    "/assignments/{assignment_id}/results",
    summary="保存检查结果（可部分填写，仍为已确认）",
)
def save_results(
    assignment_id: Id, body: ResultsBody, actor: Performer, session: SessionDep
) -> AssignmentDetail:
    return tasks.save_results(session, actor=actor, assignment_id=assignment_id, body=body)


@router.post(
    "/assignments/{assignment_id}/submit",
    summary="提交检查结果（须全部评分；结果定稿并更新红黑库）",
)
def submit_results(
    assignment_id: Id, body: ResultsBody, actor: Performer, session: SessionDep
) -> SubmitOutcome:
    return tasks.submit_results(session, actor=actor, assignment_id=assignment_id, body=body)


@router.post(
    "/assignments/{assignment_id}/photos",
    status_code=201,
    summary="上传现场照片（JPEG/PNG/WebP，可多张；已确认时）",
)
async def upload_photos(
    assignment_id: Id,
    actor: Performer,
    session: SessionDep,
    store: StoreDep,
    files: Annotated[list[UploadFile], File(description="照片文件，可多选")],
) -> list[AssignmentPhotoRead]:
    max_bytes = get_file_settings().max_photo_bytes
    # One byte past the limit is enough to refuse it; the rest is never read.
    uploads = [Upload(name=f.filename or "", data=await f.read(max_bytes + 1)) for f in files]
    return await run_in_threadpool(
        task_photos.attach_photos,
        session,
        store,
        actor=actor,
        assignment_id=assignment_id,
        uploads=uploads,
        max_bytes=max_bytes,
    )


@router.get(
    "/assignments/{assignment_id}/photos/{photo_id}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
    summary="现场照片文件",
)
def read_photo(
    assignment_id: Id,
    photo_id: Id,
    request: Request,
    actor: Viewer,
    session: SessionDep,
    store: StoreDep,
) -> Response:
    stored = task_photos.read_photo(
        session, store, actor=actor, assignment_id=assignment_id, photo_id=photo_id
    )
    etag = f'"{stored.sha256}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(stored.data, media_type=stored.media_type, headers=headers)
