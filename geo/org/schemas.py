"""Bodies and answers of the organisation API (SYS-2): roles and the permission matrix,
departments, squads (中队) and users.

`XUpdate` models are partial: only the fields the caller sent (`model_fields_set`) change,
so `"phone": null` clears a phone while a missing `phone` leaves it alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

__all__ = [
    "CertificateBody",
    "DepartmentCreate",
    "DepartmentRead",
    "DepartmentUpdate",
    "ModuleRead",
    "PasswordResetBody",
    "PermissionCatalogue",
    "PermissionRead",
    "RoleCreate",
    "RoleRead",
    "RoleUpdate",
    "SquadCreate",
    "SquadRead",
    "SquadUpdate",
    "UserCreate",
    "UserDetail",
    "UserPage",
    "UserRead",
    "UserUpdate",
]

Id = Annotated[int, Field(ge=1, le=2**62)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
SortOrder = Annotated[int, Field(ge=-100_000, le=100_000)]
Phone = Annotated[str, Field(max_length=40)]
Codes = Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=200)]


# ---- permissions and roles --------------------------------------------------------------
class PermissionRead(BaseModel):
    code: str
    label: str


class ModuleRead(BaseModel):
    code: str
    label: str
    permissions: list[PermissionRead]


class PermissionCatalogue(BaseModel):
    modules: list[ModuleRead]


class RoleRead(BaseModel):
    code: str
    name: str
    description: str
    is_builtin: bool
    is_superuser: bool
    permissions: list[str]
    user_count: int  # users of the reader's data scope holding the role


class RoleCreate(BaseModel):
    code: str = Field(min_length=1, max_length=60, description="角色代码：小写字母开头，2～40 位")
    name: str = Field(min_length=1, max_length=50)
    description: str = Field(default="", max_length=500)
    permissions: Codes = Field(default_factory=list)


class RoleUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=500)
    permissions: Codes | None = None


# ---- departments and squads -------------------------------------------------------------
class DepartmentRead(BaseModel):
    id: int
    name: str
    parent_id: int | None
    region_id: int
    region_name: str
    is_window_department: bool
    sort_order: int
    phone: str | None


class DepartmentCreate(BaseModel):
    name: Name
    parent_id: Id | None = None
    region_id: Id
    is_window_department: bool = False
    sort_order: SortOrder = 0
    phone: Phone | None = None


class DepartmentUpdate(BaseModel):
    name: Name | None = None
    parent_id: Id | None = None
    region_id: Id | None = None
    is_window_department: bool | None = None
    sort_order: SortOrder | None = None
    phone: Phone | None = None


class SquadRead(BaseModel):
    id: int
    name: str
    department_id: int
    region_id: int
    leader_id: int | None
    leader_name: str | None
    member_count: int


class SquadCreate(BaseModel):
    name: Name
    department_id: Id
    leader_id: Id | None = None


class SquadUpdate(BaseModel):
    name: Name | None = None
    department_id: Id | None = None
    leader_id: Id | None = None


# ---- users ------------------------------------------------------------------------------
class UserRead(BaseModel):
    id: int
    username: str
    display_name: str
    phone: str | None
    id_number_masked: str | None  # the full number never leaves the server
    region_id: int
    region_name: str
    department_id: int | None
    department_name: str | None
    squad_id: int | None
    squad_name: str | None
    roles: list[str]
    is_active: bool
    locked: bool
    last_login_at: datetime | None
    has_certificate: bool


class UserDetail(UserRead):
    window_ids: list[int]


class UserPage(BaseModel):
    items: list[UserRead]
    next_cursor: str | None  # pass back as `cursor` for the next page; null: last page


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=128)
    phone: Phone | None = None
    id_number: str | None = Field(default=None, max_length=40)
    region_id: Id
    department_id: Id | None = None
    squad_id: Id | None = None
    roles: Codes = Field(default_factory=list)


class UserUpdate(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=50)
    phone: Phone | None = None
    id_number: str | None = Field(default=None, max_length=40)
    region_id: Id | None = None
    department_id: Id | None = None
    squad_id: Id | None = None
    roles: Codes | None = None
    is_active: bool | None = None


class PasswordResetBody(BaseModel):
    new_password: str = Field(min_length=1, max_length=128)


class CertificateBody(BaseModel):
    pem: str = Field(min_length=1, max_length=20_000, description="CA 锁证书（PEM）")
