"""What the inspection-item catalogue reads and writes (DR-5): item categories, items
with their scored check lists, and the check list of a whole category."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

__all__ = [
    "CheckContentIn",
    "CheckContentRead",
    "Checklist",
    "ChecklistItem",
    "ItemCategoryRead",
    "ItemCategoryWrite",
    "ItemDetail",
    "ItemPage",
    "ItemRead",
    "ItemWrite",
]

Id = Annotated[int, Field(ge=1, le=2**62)]
SortOrder = Annotated[int, Field(ge=-100_000, le=100_000)]
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="编码：字母、数字、-、_")]


class ItemCategoryRead(BaseModel):
    id: int
    code: str
    name: str
    sort_order: int
    item_count: int
    active_item_count: int


class ItemCategoryWrite(BaseModel):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    sort_order: SortOrder = 0


class CheckContentIn(BaseModel):
    """One line of the check list; its place in the list is its order (序号)."""

    id: Id | None = Field(default=None, description="保留的已有内容编号；新增时为空")
    content: str = Field(min_length=1, max_length=2000)
    max_score: int = Field(gt=0, le=1000, description="分值，大于 0")
    critical: bool = Field(default=False, description="否决项：不合格则整次检查不合格")


class CheckContentRead(BaseModel):
    id: int
    seq: int
    content: str
    max_score: int
    critical: bool
    in_use: bool = Field(description="已有检查结果：不能删除")


class ItemWrite(BaseModel):
    category_id: Id
    code: Code
    name: str = Field(min_length=1, max_length=200)
    basis: str | None = Field(default=None, max_length=4000, description="检查依据")
    method: str | None = Field(default=None, max_length=100, description="检查方式")
    sort_order: SortOrder = 0
    active: bool = True
    contents: list[CheckContentIn] = Field(
        max_length=200, description="检查内容（按顺序，整体替换）"
    )


class ItemRead(BaseModel):
    id: int
    category_id: int
    category_name: str
    code: str
    name: str
    basis: str | None
    method: str | None
    sort_order: int
    active: bool
    content_count: int
    max_score: int = Field(description="检查内容分值合计")
    updated_at: datetime


class ItemDetail(ItemRead):
    contents: list[CheckContentRead]


class ItemPage(BaseModel):
    items: list[ItemRead]
    next_cursor: str | None = Field(description="下一页游标；null 表示没有更多")


class ChecklistItem(BaseModel):
    id: int
    code: str
    name: str
    basis: str | None
    method: str | None
    max_score: int
    contents: list[CheckContentRead]


class Checklist(BaseModel):
    """Every active item of a category with its check contents (the task form, the app)."""

    category: ItemCategoryRead
    items: list[ChecklistItem]
    total_max_score: int
