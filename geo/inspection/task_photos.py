"""Photos of an inspection (现场照片): the team attaches them while the assignment is
confirmed; whoever may see the assignment may see them. The bytes live in the
content-addressed file store, like event photos."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.event.photos import StoredBytes, Upload
from geo.file.models import StoredFile
from geo.file.service import store_file
from geo.file.sniff import check_photo
from geo.file.store import FileStore
from geo.inspection import task_queries as q
from geo.inspection import tasks
from geo.inspection.models import AssignmentPhoto
from geo.inspection.task_schemas import AssignmentPhotoRead
from geo.inspection.task_workflow import TaskRuleError

__all__ = ["MAX_PHOTOS_PER_UPLOAD", "attach_photos", "read_photo"]

MAX_PHOTOS_PER_UPLOAD = 9


def attach_photos(
    session: Session,
    store: FileStore,
    *,
    actor: Actor,
    assignment_id: int,
    uploads: Sequence[Upload],
    max_bytes: int,
) -> list[AssignmentPhotoRead]:
    row = tasks.check_may_act(session, actor=actor, assignment_id=assignment_id, what="上传照片")
    if not uploads:
        raise TaskRuleError("请至少选择一张照片")
    if len(uploads) > MAX_PHOTOS_PER_UPLOAD:
        raise TaskRuleError(f"一次最多上传 {MAX_PHOTOS_PER_UPLOAD} 张照片")
    # Check every file before storing any: one bad photo refuses the whole upload.
    checked = [(u, check_photo(u.data, max_bytes=max_bytes, name=u.name)) for u in uploads]
    # Hold the assignment while attaching: a submit at the same moment waits, then wins
    # or loses as a whole (photos never land on a submitted assignment).
    if not q.guarded_update(
        session, assignment_id=assignment_id, source="confirmed", values={}
    ):  # fmt: skip
        tasks.check_may_act(session, actor=actor, assignment_id=assignment_id, what="上传照片")
    photos = []
    for upload, media_type in checked:
        sha256 = store_file(
            session, store, data=upload.data, media_type=media_type, user_id=actor.user_id
        )
        photo = AssignmentPhoto(
            assignment_id=assignment_id, sha256=sha256, uploaded_by=actor.user_id
        )
        session.add(photo)
        photos.append(photo)
    session.flush()
    record(
        session, action="inspection.assignment_photo_upload",
        object_type="inspection_assignment", object_id=assignment_id,
        after={"photos": [p.sha256 for p in photos]}, region_path=row.region_path,
        **actor.audit_fields(),
    )  # fmt: skip
    return tasks.photo_reads(session, assignment_id=assignment_id, photo_ids=[p.id for p in photos])


def read_photo(
    session: Session, store: FileStore, *, actor: Actor, assignment_id: int, photo_id: int
) -> StoredBytes:
    tasks.visible_assignment(session, actor=actor, assignment_id=assignment_id)
    found = session.execute(
        select(AssignmentPhoto.sha256, StoredFile.media_type)
        .join(StoredFile, StoredFile.sha256 == AssignmentPhoto.sha256)
        .where(AssignmentPhoto.id == photo_id, AssignmentPhoto.assignment_id == assignment_id)
    ).first()
    if found is None:
        raise NotFound(f"未找到照片（编号 {photo_id}）")
    try:
        data = store.read(found.sha256)
    except FileNotFoundError:
        raise NotFound("文件记录存在但文件本身已丢失，请联系系统管理员") from None
    return StoredBytes(sha256=found.sha256, media_type=found.media_type, data=data)
