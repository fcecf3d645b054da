"""What the expert register reads and writes (专家管理, DR-4)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

__all__ = ["ExpertItemRead", "ExpertPage", "ExpertRead", "ExpertWrite"]

Id = Annotated[int, Field(ge=1, le=2**62)]


class ExpertWrite(BaseModel):
    """The whole entry as it should be; `item_ids` replaces the items covered."""

    name: str = Field(min_length=1, max_length=50)
    user_id: Id | None = Field(default=None, description="关联的系统用户（可选，每人一条）")
    region_id: Id | None = Field(
        default=None, description="所属区划；空：关联用户的区划，否则您的区划"
    )
    organisation: str | None = Field(default=None, max_length=100, description="工作单位")
    title: str | None = Field(default=None, max_length=50, description="职称")
    speciality: str | None = Field(default=None, max_length=200, description="专业特长")
    mobile: str | None = Field(default=None, max_length=11, description="手机号码（11 位）")
    active: bool = True
    item_ids: list[Id] = Field(default_factory=list, max_length=500, description="擅长的检查事项")


class ExpertItemRead(BaseModel):
    id: int
    code: str
    name: str
    category_id: int


class ExpertRead(BaseModel):
    id: int
    name: str
    user_id: int | None
    username: str | None
    region_id: int | None
    region_name: str | None
    organisation: str | None
    title: str | None
    speciality: str | None
    mobile: str | None
    active: bool
    items: list[ExpertItemRead]
    updated_at: datetime


class ExpertPage(BaseModel):
    items: list[ExpertRead]
    next_cursor: str | None = Field(description="下一页游标；null 表示没有更多")
