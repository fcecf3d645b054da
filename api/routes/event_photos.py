"""Photos of work orders: upload (multipart), list, and the stored bytes by hash.
Thin: parse, authorise, call `geo.event.photos`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.event import photos
from geo.event.photo_models import PhotoKind
from geo.file.settings import get_file_settings
from geo.file.store import FileStore, LocalFileStore

router = APIRouter(prefix="/api/v1", tags=["events"])

# Uploading also needs event.report or event.handle: checked in `geo.event.photos`.
Viewer = Annotated[Actor, Depends(require("event.view"))]
EventId = Annotated[int, Path(ge=1, le=2**62, description="工单编号（id）")]
Sha256 = Annotated[str, Path(max_length=64, description="文件的 SHA-256 摘要")]
IMMUTABLE = "private, max-age=31536000, immutable"  # a hash names the same bytes forever


def get_file_store() -> FileStore:
    return LocalFileStore(get_file_settings().file_root)


StoreDep = Annotated[FileStore, Depends(get_file_store)]


async def _read(file: UploadFile, max_bytes: int) -> photos.Upload:
    # One byte past the limit is enough to refuse it; the rest is never read.
    return photos.Upload(name=file.filename or "", data=await file.read(max_bytes + 1))


@router.post(
    "/events/{event_id}/photos",
    response_model=list[photos.PhotoRead],
    status_code=201,
    summary="上传工单照片（JPEG/PNG/WebP，可多张）",
)
async def upload_photos(
    event_id: EventId,
    actor: Viewer,
    session: SessionDep,
    store: StoreDep,
    files: Annotated[list[UploadFile], File(description="照片文件，可多选")],
    kind: Annotated[PhotoKind, Form(description="report 上报 | feedback 反馈 | verify 核查")],
    event_action_id: Annotated[int | None, Form(ge=1, le=2**62)] = None,
) -> list[photos.PhotoRead]:
    max_bytes = get_file_settings().max_photo_bytes
    uploads = [await _read(f, max_bytes) for f in files]
    return await run_in_threadpool(
        photos.attach_photos,
        session,
        store,
        actor=actor,
        event_id=event_id,
        kind=kind,
        uploads=uploads,
        max_bytes=max_bytes,
        event_action_id=event_action_id,
    )


@router.get(
    "/events/{event_id}/photos", response_model=list[photos.PhotoRead], summary="工单照片列表"
)
def list_photos(event_id: EventId, actor: Viewer, session: SessionDep) -> list[photos.PhotoRead]:
    return photos.list_photos(session, actor=actor, event_id=event_id)


@router.get(
    "/files/{sha256}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
    summary="下载文件（按内容摘要）",
)
def download_file(
    sha256: Sha256, request: Request, actor: Viewer, session: SessionDep, store: StoreDep
) -> Response:
    stored = photos.read_file(session, store, actor=actor, sha256=sha256)
    etag = f'"{stored.sha256}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(stored.data, media_type=stored.media_type, headers=headers)
