"""What the grid administration API reads and writes (GIS-4, GM-12)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "GridCreate",
    "GridDetail",
    "GridGeometryUpdate",
    "GridMemberIn",
    "GridMemberRead",
    "GridMembersUpdate",
    "GridPage",
    "GridRead",
    "GridRefusal",
    "GridSaved",
    "GridVersionDetail",
    "GridVersionRead",
    "MemberCandidate",
]

MAX_PAGE = 200
GEOJSON = "GeoJSON Polygon 或 MultiPolygon（经度, 纬度；CGCS2000）"


class GridRead(BaseModel):
    id: int
    code: str
    name: str
    community_id: int
    community_name: str
    town_id: int
    town_name: str
    version: int | None = Field(description="当前边界版本号")
    responsible_member_id: int | None
    responsible_member_name: str | None
    member_count: int
    area_m2: float


class GridPage(BaseModel):
    items: list[GridRead]
    next_cursor: str | None = Field(description="下一页游标；null 表示没有更多")


class GridMemberRead(BaseModel):
    user_id: int
    display_name: str
    username: str
    phone: str | None
    is_responsible: bool
    assigned_at: datetime


class GridVersionRead(BaseModel):
    id: int
    version: int
    valid_from: datetime
    valid_to: datetime | None = Field(description="null：当前边界")
    changed_by: int | None
    changed_by_name: str | None
    reason: str | None
    area_m2: float
    event_count: int = Field(description="按此版本边界上报的事件数")


class GridVersionDetail(GridVersionRead):
    grid_id: int
    geometry: dict[str, Any] = Field(description="该版本的边界，GeoJSON MultiPolygon")


class GridDetail(GridRead):
    geometry: dict[str, Any] = Field(description="当前边界，GeoJSON MultiPolygon")
    members: list[GridMemberRead]
    versions: list[GridVersionRead] = Field(description="边界版本，新版本在前")


class GridSaved(GridDetail):
    snapped: bool = Field(description="是否把顶点吸附到了相邻网格或社区边界上")
    notice: str | None = Field(description="吸附等提示（中文）")


class GridCreate(BaseModel):
    community_id: int = Field(ge=1, le=2**62, description="所属社区/村")
    name: str = Field(min_length=1, max_length=100)
    geometry: dict[str, Any] = Field(description=GEOJSON)
    reason: str | None = Field(default=None, max_length=200, description="新建原因（可选）")


class GridGeometryUpdate(BaseModel):
    geometry: dict[str, Any] = Field(description=GEOJSON)
    reason: str = Field(min_length=1, max_length=200, description="调整原因")
    expected_version: int = Field(
        ge=1, le=2**31 - 1, description="编辑时看到的版本号；其间他人已修改则返回 409"
    )


class GridMemberIn(BaseModel):
    user_id: int = Field(ge=1, le=2**62)
    is_responsible: bool = False


class GridMembersUpdate(BaseModel):
    members: list[GridMemberIn] = Field(max_length=50, description="新的网格员名单（整体替换）")


class MemberCandidate(BaseModel):
    user_id: int
    display_name: str
    username: str
    region_name: str
    grid_count: int = Field(description="已负责或协助的网格数")


class GridRefusal(BaseModel):
    """A drawn outline refused by a rule: the reason and the offending area to show."""

    code: str
    detail: str
    area_m2: float | None = Field(default=None, description="越界或重叠部分的面积（平方米）")
    geometry: dict[str, Any] | None = Field(default=None, description="越界或重叠部分，GeoJSON")
    snapped: bool = False
