"""Storing a file: the bytes go to the store, the row to `stored_file` (once per hash).

The bytes are written before the transaction commits; if it then rolls back, the store
keeps a file no row names. That is harmless (the same bytes map to the same name) and a
sweep can remove such files later; the reverse — a row without its bytes — cannot occur.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo.file.models import StoredFile
from geo.file.store import FileStore

__all__ = ["media_type_of", "store_file"]


def store_file(
    session: Session, store: FileStore, *, data: bytes, media_type: str, user_id: int | None
) -> str:
    sha256 = store.put(data)
    session.execute(
        insert(StoredFile)
        .values(sha256=sha256, media_type=media_type, size=len(data), created_by=user_id)
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    return sha256


def media_type_of(session: Session, sha256: str) -> str | None:
    return session.scalar(select(StoredFile.media_type).where(StoredFile.sha256 == sha256))
