"""Request and response shapes of the region administration screens (SYS-3)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from geo.region.models import RegionLevel

__all__ = ["RegionCreate", "RegionDetail", "RegionRead", "RegionUpdate"]


class RegionRead(BaseModel):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    child_count: int
    area_km2: float


class RegionDetail(RegionRead):
    geometry: dict[str, Any] = Field(description="GeoJSON MultiPolygon（经度, 纬度）")


class RegionCreate(BaseModel):
    code: str = Field(min_length=1, max_length=15, description="辖区编码：12 位，网格 15 位")
    name: str = Field(min_length=1, max_length=100)
    level: RegionLevel
    parent_id: int | None = Field(default=None, ge=1, le=2**62)
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon 或 MultiPolygon（经度, 纬度）")


class RegionUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    geometry: dict[str, Any] | None = None
    # Accepted only to refuse a change with a clear message: the code never changes.
    code: str | None = Field(default=None, max_length=15)
