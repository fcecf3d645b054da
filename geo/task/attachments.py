"""Files of a dispatched task: the matter's attachments (登记附件: documents, photos,
spreadsheets the superior sent) and the officer's feedback photos (反馈附件).

The type is read from the file's first bytes and must agree with its extension: a renamed
executable is not a PDF. A file of a task outside the actor's view is "not found" (404).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import ColumnElement, text
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.file.errors import EmptyFile, FileTooLarge, UnsupportedFileType
from geo.file.service import store_file
from geo.file.sniff import sniff_media_type
from geo.file.store import FileStore
from geo.task import repository as repo
from geo.task.errors import TaskRuleError
from geo.task.models import AttachmentKind, TaskAttachment
from geo.task.schemas import ATTACHMENT_KIND_LABELS, AttachmentRead
from geo.task.workflow import STATUS_LABELS, Status

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "MAX_FILES_PER_UPLOAD",
    "Upload",
    "attach_files",
    "attachment_reads",
    "check_document",
    "read_attachment",
]

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_UPLOAD = 9

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc / .xls / .ppt (Office 97-2003)
_ZIP = b"PK\x03\x04"  # .docx / .xlsx / .pptx (Office Open XML), .ofd
# Extension → (media type, how its bytes begin: None = text that must be UTF-8).
_DOCUMENTS: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".doc": ("application/msword", _OLE2),
    ".xls": ("application/vnd.ms-excel", _OLE2),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE2),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".ofd": ("application/ofd", _ZIP),
    ".txt": ("text/plain", None),
}
_PHOTOS = {".jpg", ".jpeg", ".png", ".webp"}
ACCEPTED = "PDF、Word、Excel、PowerPoint、OFD、TXT 文档或 JPEG、PNG、WebP 图片"

# Who may add files of each kind, and while the task is in which statuses.
_KIND_RULES: dict[AttachmentKind, frozenset[Status]] = {
    AttachmentKind.MATTER: frozenset({Status.REGISTERED, Status.AT_SQUAD, Status.DISPATCHED,
                                      Status.HANDLING}),
    AttachmentKind.FEEDBACK: frozenset({Status.HANDLING, Status.FED_BACK, Status.CONVERTED}),
}  # fmt: skip


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class StoredAttachment:
    filename: str
    media_type: str
    data: bytes


def check_document(data: bytes, *, name: str, max_bytes: int = MAX_ATTACHMENT_BYTES) -> str:
    """The file's media type, or why it is refused (empty, too large, unknown or false type)."""
    label = f"“{name}”" if name else "上传的文件"
    if not data:
        raise EmptyFile(f"{label}是空文件，请重新选择")
    if len(data) > max_bytes:
        raise FileTooLarge(f"{label}太大（上限 {max_bytes // (1024 * 1024)} MB），请压缩后再上传")
    suffix = PurePosixPath(name.lower()).suffix
    if suffix in _PHOTOS:
        media_type = sniff_media_type(data)
        if media_type is None:
            raise UnsupportedFileType(f"{label}的内容不是图片，请重新选择")
        return media_type
    known = _DOCUMENTS.get(suffix)
    if known is None:
        raise UnsupportedFileType(f"{label}的类型不受支持；可上传{ACCEPTED}")
    media_type, magic = known
    if magic is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise UnsupportedFileType(f"{label}不是 UTF-8 编码的文本文件") from None
        return media_type
    if not data.startswith(magic):
        raise UnsupportedFileType(f"{label}的内容与扩展名 {suffix} 不符，请确认文件未损坏")
    return media_type


def _clean_name(name: str) -> str:
    """The base name without path or control characters, at most 200 characters."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return (base or "附件")[-200:]


def attach_files(
    session: Session,
    store: FileStore,
    *,
    actor: Actor,
    task_id: int,
    kind: AttachmentKind,
    uploads: Sequence[Upload],
) -> list[AttachmentRead]:
    """Store the files on the task. Matter attachments: a dispatcher, while the task is
    open; feedback files: the officer it was sent to, once received."""
    from geo.task.service import visible_task

    row = visible_task(session, actor=actor, task_id=task_id)
    status = Status(row.status)
    if kind is AttachmentKind.MATTER and not actor.can("task.dispatch"):
        raise Forbidden("只有登记与下派任务的人员可以上传登记附件")
    if kind is AttachmentKind.FEEDBACK and row.assignee_id != actor.user_id:
        raise Forbidden("只有接收该任务的队员可以上传反馈附件")
    if status not in _KIND_RULES[kind]:
        raise TaskRuleError(
            f"任务当前状态为“{STATUS_LABELS[status]}”，不能再上传{ATTACHMENT_KIND_LABELS[kind]}"
        )
    if not uploads:
        raise TaskRuleError("请至少选择一个文件")
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise TaskRuleError(f"一次最多上传 {MAX_FILES_PER_UPLOAD} 个文件")
    # Check every file before storing any: one bad file refuses the whole upload.
    checked = [(u, check_document(u.data, name=u.name)) for u in uploads]
    # Hold the task while attaching: a transition at the same moment waits, and a task
    # moved meanwhile to a status that takes no such files refuses the upload.
    _hold(session, task_id=task_id, statuses=_KIND_RULES[kind], kind=kind)
    added = []
    for upload, media_type in checked:
        sha256 = store_file(
            session, store, data=upload.data, media_type=media_type, user_id=actor.user_id
        )
        attachment = TaskAttachment(
            task_id=task_id, sha256=sha256, kind=kind.value,
            filename=_clean_name(upload.name), uploaded_by=actor.user_id,
        )  # fmt: skip
        session.add(attachment)
        added.append(attachment)
    session.flush()
    record(
        session, action="task.attach", object_type="enforcement_task", object_id=task_id,
        after={"kind": kind.value, "files": [[a.filename, a.sha256] for a in added]},
        region_path=row.region_path, **actor.audit_fields(),
    )  # fmt: skip
    return attachment_reads(session, TaskAttachment.id.in_([a.id for a in added]))


def read_attachment(
    session: Session, store: FileStore, *, actor: Actor, task_id: int, attachment_id: int
) -> StoredAttachment:
    from geo.task.service import visible_task

    visible_task(session, actor=actor, task_id=task_id)
    rows = repo.attachment_rows(
        session, where=(TaskAttachment.id == attachment_id) & (TaskAttachment.task_id == task_id)
    )
    if not rows:
        raise NotFound(f"未找到附件（编号 {attachment_id}）")
    row = rows[0]
    try:
        data = store.read(row.sha256)
    except FileNotFoundError:
        raise NotFound("附件记录存在但文件本身已丢失，请联系系统管理员") from None
    return StoredAttachment(filename=row.filename, media_type=row.media_type, data=data)


def attachment_reads(session: Session, where: ColumnElement[bool] | Any) -> list[AttachmentRead]:
    return [
        AttachmentRead(
            **{k: v for k, v in r._mapping.items() if k != "sha256"},
            kind_label=ATTACHMENT_KIND_LABELS[AttachmentKind(r.kind)],
            url=f"/api/v1/enforcement-tasks/{r.task_id}/attachments/{r.id}",
        )
        for r in repo.attachment_rows(session, where=where)
    ]


def _hold(
    session: Session, *, task_id: int, statuses: Collection[Status], kind: AttachmentKind
) -> None:
    locked = session.execute(
        text("SELECT status FROM enforcement_task WHERE id = :id FOR UPDATE"), {"id": task_id}
    ).scalar_one()
    if Status(locked) not in statuses:
        raise Conflict(
            f"任务刚被他人处理，当前状态为“{STATUS_LABELS[Status(locked)]}”，"
            f"不能再上传{ATTACHMENT_KIND_LABELS[kind]}，请刷新后查看"
        )
