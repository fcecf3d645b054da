"""Photos of a work order (事件照片): attach, list, and serve a stored photo.

Everything is scoped like the work order itself: an event outside the actor's region
subtree, and a file that belongs only to such events, is "not found" (404), never
"forbidden", so ids and hashes reveal nothing. Attaching needs `event.report` or
`event.handle`; each upload writes one audit row on the event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Row, exists, func, select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Forbidden, NotFound
from geo.core.scope import readable
from geo.event import repository as repo
from geo.event.errors import EventRuleError
from geo.event.models import Event, EventAction
from geo.event.photo_models import EventPhoto, PhotoKind
from geo.file.models import StoredFile
from geo.file.service import store_file
from geo.file.sniff import check_photo
from geo.file.store import FileStore, is_sha256
from geo.org.models import UserAccount

__all__ = [
    "MAX_PHOTOS_PER_UPLOAD",
    "PhotoRead",
    "Upload",
    "attach_photos",
    "list_photos",
    "read_file",
]

MAX_PHOTOS_PER_UPLOAD = 9
UPLOADERS = ("event.report", "event.handle")
PUBLIC_UPLOADER = "开放接口上报"  # a photo sent with an Open311 request: no user uploaded it


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


class PhotoRead(BaseModel):
    id: int
    event_id: int
    sha256: str
    media_type: str
    size: int
    kind: PhotoKind
    kind_label: str
    uploaded_by: int | None  # None: sent through the Open311 interface
    uploaded_by_name: str
    at: datetime
    event_action_id: int | None
    url: str


@dataclass(frozen=True)
class StoredBytes:
    sha256: str
    media_type: str
    data: bytes


def attach_photos(
    session: Session,
    store: FileStore,
    *,
    actor: Actor,
    event_id: int,
    kind: PhotoKind,
    uploads: Sequence[Upload],
    max_bytes: int,
    event_action_id: int | None = None,
) -> list[PhotoRead]:
    if not any(actor.can(p) for p in UPLOADERS):
        raise Forbidden("您的角色没有上报或处置工单的权限，不能上传照片")
    row = _visible(session, actor=actor, event_id=event_id)
    if not uploads:
        raise EventRuleError("请至少选择一张照片")
    if len(uploads) > MAX_PHOTOS_PER_UPLOAD:
        raise EventRuleError(f"一次最多上传 {MAX_PHOTOS_PER_UPLOAD} 张照片")
    if event_action_id is not None:
        _check_action(session, event_id=event_id, action_id=event_action_id)
    # Check every file before storing any: one bad photo refuses the whole upload.
    checked = [(u, check_photo(u.data, max_bytes=max_bytes, name=u.name)) for u in uploads]
    photos = []
    for upload, media_type in checked:
        sha256 = store_file(
            session, store, data=upload.data, media_type=media_type, user_id=actor.user_id
        )
        photo = EventPhoto(
            event_id=event_id,
            sha256=sha256,
            kind=kind.value,
            uploaded_by=actor.user_id,
            event_action_id=event_action_id,
        )
        session.add(photo)
        photos.append(photo)
    session.flush()
    record(
        session,
        action="event.photo_upload",
        object_type="event",
        object_id=event_id,
        after={"kind": kind.value, "photos": [p.sha256 for p in photos]},
        region_path=row.region_path,
        **actor.audit_fields(),
    )
    return _photo_reads(session, EventPhoto.id.in_([p.id for p in photos]))


def list_photos(session: Session, *, actor: Actor, event_id: int) -> list[PhotoRead]:
    _visible(session, actor=actor, event_id=event_id)
    return _photo_reads(session, EventPhoto.event_id == event_id)


def read_file(session: Session, store: FileStore, *, actor: Actor, sha256: str) -> StoredBytes:
    """A stored photo, for an actor who can see at least one work order showing it."""
    actor.require("event.view")
    missing = NotFound("未找到该文件，或它不属于您管辖范围内的工单")
    if not is_sha256(sha256):
        raise missing
    seen = exists().where(
        EventPhoto.sha256 == StoredFile.sha256,
        EventPhoto.event_id == Event.id,
        readable(actor, Event.region_id),
    )
    media_type = session.scalar(
        select(StoredFile.media_type).where(StoredFile.sha256 == sha256, seen)
    )
    if media_type is None:
        raise missing
    try:
        data = store.read(sha256)
    except FileNotFoundError:
        raise NotFound("文件记录存在但文件本身已丢失，请联系系统管理员") from None
    return StoredBytes(sha256=sha256, media_type=media_type, data=data)


def _visible(session: Session, *, actor: Actor, event_id: int) -> Row[Any]:
    actor.require("event.view")
    row = repo.event_row(session, actor=actor, event_id=event_id)
    if row is None:
        raise NotFound(f"未找到工单（编号 {event_id}），或不在您的管辖范围内")
    return row


def _check_action(session: Session, *, event_id: int, action_id: int) -> None:
    owner = session.scalar(select(EventAction.event_id).where(EventAction.id == action_id))
    if owner != event_id:
        raise EventRuleError(f"处理记录 {action_id} 不属于工单 {event_id}")


def _photo_reads(session: Session, where: Any) -> list[PhotoRead]:
    rows = session.execute(
        select(
            EventPhoto.id,
            EventPhoto.event_id,
            EventPhoto.sha256,
            StoredFile.media_type,
            StoredFile.size,
            EventPhoto.kind,
            EventPhoto.uploaded_by,
            func.coalesce(UserAccount.display_name, PUBLIC_UPLOADER).label("uploaded_by_name"),
            EventPhoto.at,
            EventPhoto.event_action_id,
        )
        .join(StoredFile, StoredFile.sha256 == EventPhoto.sha256)
        .outerjoin(UserAccount, UserAccount.id == EventPhoto.uploaded_by)
        .where(where)
        .order_by(EventPhoto.id)
    )
    return [
        PhotoRead(
            **row._mapping,
            kind_label=PhotoKind(row.kind).label,
            url=f"/api/v1/files/{row.sha256}",
        )
        for row in rows
    ]
