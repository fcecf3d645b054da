"""What the admin API of Open311 keys reads and writes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

MAX_PAGE = 200


class KeyCreate(BaseModel):
    """A key for one client (e.g. “12345 热线平台”), allowed to report into `region_id`'s
    subtree."""

    name: str = Field(min_length=1, max_length=50)
    region_id: int = Field(ge=1, le=2**62)


class KeyRead(BaseModel):
    id: int
    name: str
    region_id: int
    region_name: str
    created_by: int | None
    created_by_name: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    is_demo: bool
    is_active: bool


class KeyIssued(KeyRead):
    key: str  # shown this once: the database keeps only its HMAC


class KeyPage(BaseModel):
    items: list[KeyRead]
    next_cursor: str | None  # pass back as `cursor` for the next page; null: last page
