"""What the supervision-category API (监管类别, DR-1) reads and writes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

MAX_SORT_ORDER = 99_999


class SupervisionCategoryCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32, description="类别编码（字母、数字、- _ .）")
    name: str = Field(min_length=1, max_length=100)
    parent_id: int | None = Field(default=None, ge=1, le=2**62, description="上级类别；空为顶级")
    sort_order: int = Field(default=0, ge=0, le=MAX_SORT_ORDER, description="排序号，小的在前")
    description: str | None = Field(default=None, max_length=2000)


class SupervisionCategoryUpdate(BaseModel):
    """Only the fields sent change; `parent_id: null` moves the category to the top."""

    code: str | None = Field(default=None, min_length=1, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: int | None = Field(default=None, ge=1, le=2**62)
    sort_order: int | None = Field(default=None, ge=0, le=MAX_SORT_ORDER)
    description: str | None = Field(default=None, max_length=2000)


class SupervisionCategoryRead(BaseModel):
    id: int
    code: str
    name: str
    parent_id: int | None
    sort_order: int
    description: str | None
    child_count: int  # 下级类别数
    object_count: int  # 直接归入本类别、且在读者管辖范围内的监管对象数
    updated_at: datetime


class SupervisionCategoryNode(SupervisionCategoryRead):
    """The tree: siblings by sort order, then name."""

    children: list[SupervisionCategoryNode] = []
