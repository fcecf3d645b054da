"""What the supervised-object API (监管对象, DR-2) reads and writes.

A supervised object is an `enterprise` row: its facts, the supervision categories it is
filed under, its business licences and responsible persons. Its list (red / white /
black) and draw weight are shown here but changed only by the list rules (DR-6)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from geo.enterprise.models import EnterpriseCategory, RiskList

MAX_PAGE = 200
MAX_PARTS = 50  # licences or persons sent with a new object
MAX_CATEGORIES = 100

RowId = Annotated[int, Field(ge=1, le=2**62)]
_LONLAT = "CGCS2000 经纬度（≈WGS84）"


class LicenceCreate(BaseModel):
    """经营许可证."""

    name: str = Field(min_length=1, max_length=100, description="许可证名称，如 食品经营许可证")
    number: str = Field(min_length=1, max_length=64, description="许可证编号")
    issuer: str | None = Field(default=None, max_length=100, description="发证机关")
    valid_from: date | None = None
    valid_to: date | None = None
    scope: str | None = Field(default=None, max_length=2000, description="许可范围")


class LicenceUpdate(BaseModel):
    """Only the fields sent change; null clears an optional field."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    number: str | None = Field(default=None, min_length=1, max_length=64)
    issuer: str | None = Field(default=None, max_length=100)
    valid_from: date | None = None
    valid_to: date | None = None
    scope: str | None = Field(default=None, max_length=2000)


class LicenceRead(BaseModel):
    id: int
    name: str
    number: str
    issuer: str | None
    valid_from: date | None
    valid_to: date | None
    scope: str | None
    expired: bool  # valid_to before today (Asia/Shanghai)


class PersonCreate(BaseModel):
    """责任人: the mobile number must be a mainland one (11 digits, 1 then 3-9)."""

    name: str = Field(min_length=1, max_length=50)
    duty: str | None = Field(default=None, max_length=50, description="职务，如 安全负责人")
    mobile: str = Field(min_length=1, max_length=20)


class PersonUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    duty: str | None = Field(default=None, max_length=50)
    mobile: str | None = Field(default=None, min_length=1, max_length=20)


class PersonRead(BaseModel):
    id: int
    name: str
    duty: str | None
    mobile: str


class ObjectCreate(BaseModel):
    """基本信息, with the categories, licences and persons of the new object (optional):
    one request, one transaction. The point decides the grid (and so the town)."""

    name: str = Field(min_length=1, max_length=200)
    uscc: str = Field(min_length=1, max_length=30, description="统一社会信用代码（18 位）")
    category: EnterpriseCategory
    address: str | None = Field(default=None, max_length=200)
    legal_representative: str | None = Field(default=None, max_length=50)
    contact_phone: str | None = Field(default=None, max_length=30)
    lon: float = Field(allow_inf_nan=False, description=_LONLAT)
    lat: float = Field(allow_inf_nan=False, description=_LONLAT)
    supervision_category_ids: list[RowId] = Field(default=[], max_length=MAX_CATEGORIES)
    licences: list[LicenceCreate] = Field(default=[], max_length=MAX_PARTS)
    persons: list[PersonCreate] = Field(default=[], max_length=MAX_PARTS)


class ObjectUpdate(BaseModel):
    """The facts; only the fields sent change. A new point needs both lon and lat."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    uscc: str | None = Field(default=None, min_length=1, max_length=30)
    category: EnterpriseCategory | None = None
    address: str | None = Field(default=None, max_length=200)
    legal_representative: str | None = Field(default=None, max_length=50)
    contact_phone: str | None = Field(default=None, max_length=30)
    lon: float | None = Field(default=None, allow_inf_nan=False, description=_LONLAT)
    lat: float | None = Field(default=None, allow_inf_nan=False, description=_LONLAT)

    @model_validator(mode="after")
    def _point_whole(self) -> ObjectUpdate:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("经度和纬度须同时提供")
        return self


class CategoriesBody(BaseModel):
    """The complete set of supervision categories the object is filed under."""

    category_ids: list[RowId] = Field(max_length=MAX_CATEGORIES)


class CategoryRef(BaseModel):
    id: int
    code: str
    name: str


class ObjectRead(BaseModel):
    id: int
    name: str
    uscc: str
    category: EnterpriseCategory
    address: str | None
    legal_representative: str | None
    contact_phone: str | None
    risk_list: RiskList
    draw_weight: float
    lon: float
    lat: float
    region_id: int | None  # the grid holding the point
    grid_name: str | None
    community_name: str | None
    town_name: str | None
    supervision_categories: list[CategoryRef]


class ObjectDetail(ObjectRead):
    pass_streak: int
    fail_streak: int
    licences: list[LicenceRead]
    persons: list[PersonRead]
    created_at: datetime
    updated_at: datetime


class ObjectPage(BaseModel):
    items: list[ObjectRead]
    next_cursor: str | None  # pass back as `cursor` for the next page; null: last page
