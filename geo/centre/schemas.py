"""Request and response shapes of service centres, halls, windows and window staff."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from geo.org.models import CentreLevel

__all__ = [
    "CentreCreate",
    "CentreRead",
    "CentreUpdate",
    "HallRead",
    "HallWrite",
    "StaffRead",
    "WindowCreate",
    "WindowRead",
    "WindowStaffWrite",
    "WindowUpdate",
]

Id = Annotated[int, Field(ge=1, le=2**62)]


class CentreRead(BaseModel):
    id: int
    name: str
    level: str
    level_label: str
    region_id: int
    region_name: str
    address: str | None
    phone: str | None
    hall_count: int
    window_count: int


class CentreCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    level: CentreLevel
    region_id: Id
    address: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)


class CentreUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    level: CentreLevel | None = None
    region_id: Id | None = None
    address: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)


class HallRead(BaseModel):
    id: int
    name: str
    window_count: int


class HallWrite(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class StaffRead(BaseModel):
    id: int
    display_name: str


class WindowRead(BaseModel):
    id: int
    name: str
    number: str
    hall_id: int | None
    hall_name: str | None
    department_id: int
    department_name: str
    staff: list[StaffRead]


class WindowCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    number: str = Field(min_length=1, max_length=20)
    hall_id: Id | None = None
    department_id: Id


class WindowUpdate(BaseModel):
    """Only the fields sent change; `"hall_id": null` takes the window out of its hall."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    number: str | None = Field(default=None, min_length=1, max_length=20)
    hall_id: Id | None = None
    department_id: Id | None = None


class WindowStaffWrite(BaseModel):
    user_ids: list[int] = Field(max_length=200)
