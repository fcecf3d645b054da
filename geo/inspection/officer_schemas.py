"""What the enforcement-officer register reads and writes (DR-3, GIS-6): officer types,
officers with their enforcement area, and the objects each officer is related to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "AreaPreview",
    "AreaPreviewIn",
    "AreaRefusal",
    "AreaRegionRead",
    "ConflictCreate",
    "ConflictRead",
    "EnterpriseOption",
    "OfficerCandidate",
    "OfficerCreate",
    "OfficerDetail",
    "OfficerPage",
    "OfficerRead",
    "OfficerTypeCreate",
    "OfficerTypeRead",
    "OfficerTypeUpdate",
    "OfficerUpdate",
]

Id = Annotated[int, Field(ge=1, le=2**62)]
SortOrder = Annotated[int, Field(ge=-100_000, le=100_000)]
RegionIds = Annotated[
    list[Id],
    Field(min_length=1, max_length=200, description="选中的网格、社区或镇街编号"),
]
GEOJSON = "绘制的执法区域：GeoJSON Polygon 或 MultiPolygon（经度, 纬度；CGCS2000）"
AreaSource = Literal["drawn", "picked"]


# ---- officer types (代码项) -----------------------------------------------------------
class OfficerTypeRead(BaseModel):
    code: str
    name: str
    sort_order: int
    officer_count: int = Field(description="该类型的执法人员数（全区）")


class OfficerTypeCreate(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$", description="代码：小写字母开头")
    name: str = Field(min_length=1, max_length=50)
    sort_order: SortOrder = 0


class OfficerTypeUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    sort_order: SortOrder = 0


# ---- officers ----------------------------------------------------------------------------
class OfficerWrite(BaseModel):
    """The enforcement area is either drawn (`area`) or picked (`area_region_ids`)."""

    officer_type: str = Field(min_length=1, max_length=32, description="执法人员类型代码")
    certificate_no: str | None = Field(
        default=None, pattern=r"^[0-9A-Za-z-]{4,32}$", description="执法证号"
    )
    active: bool = True
    area: dict[str, Any] | None = Field(default=None, description=GEOJSON)
    area_region_ids: RegionIds | None = None


class OfficerCreate(OfficerWrite):
    user_id: Id = Field(description="从用户中选择（本辖区内，每人只登记一次）")


class OfficerUpdate(OfficerWrite):
    """The whole entry as it should be (the user cannot change)."""


class OfficerRead(BaseModel):
    id: int
    user_id: int
    username: str
    display_name: str
    region_id: int | None
    region_name: str | None
    department_id: int | None = Field(description="所在部门（取自用户，只读）")
    department_name: str | None
    squad_id: int | None
    squad_name: str | None
    officer_type: str
    officer_type_name: str
    certificate_no: str | None
    active: bool
    area_source: AreaSource | None = Field(description="drawn：绘制；picked：选择区划")
    area_m2: float | None
    conflict_count: int
    updated_at: datetime


class AreaRegionRead(BaseModel):
    id: int
    code: str
    name: str
    level: str


class ConflictRead(BaseModel):
    enterprise_id: int
    enterprise_name: str
    address: str | None
    reason: str
    recorded_by: int | None
    recorded_by_name: str | None
    recorded_at: datetime


class OfficerDetail(OfficerRead):
    area: dict[str, Any] | None = Field(description="执法区域，GeoJSON MultiPolygon")
    area_regions: list[AreaRegionRead] = Field(description="选择的区划（绘制时为空）")
    conflicts: list[ConflictRead] = Field(description="回避关系")


class OfficerPage(BaseModel):
    items: list[OfficerRead]
    next_cursor: str | None = Field(description="下一页游标；null 表示没有更多")


class OfficerCandidate(BaseModel):
    """A user who may be registered as an officer."""

    user_id: int
    username: str
    display_name: str
    region_id: int
    region_name: str
    department_name: str | None
    squad_name: str | None
    officer_id: int | None = Field(description="已登记为执法人员时的编号")


class AreaPreviewIn(BaseModel):
    area_region_ids: RegionIds
    user_id: Id | None = Field(default=None, description="为该人员选择时，检查区划属于其辖区")


class AreaPreview(BaseModel):
    geometry: dict[str, Any] = Field(description="选中区划的合并范围，GeoJSON MultiPolygon")
    area_m2: float


class AreaRefusal(BaseModel):
    """A refused area: the reason and the offending part to draw."""

    code: str
    detail: str
    area_m2: float | None = Field(default=None, description="越界部分的面积（平方米）")
    geometry: dict[str, Any] | None = Field(default=None, description="越界部分，GeoJSON")


# ---- conflicts (回避) --------------------------------------------------------------------
class ConflictCreate(BaseModel):
    enterprise_id: Id
    reason: str = Field(min_length=1, max_length=200, description="关联原因，如亲属关系、曾任职")


class EnterpriseOption(BaseModel):
    id: int
    name: str
    address: str | None
    uscc: str
