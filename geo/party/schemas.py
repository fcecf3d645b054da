"""What the party-building registers read and write (党建引领, CMD-2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from geo.party.models import PartyActivityKind, PartyMemberStatus, PartyOrganisationKind

__all__ = [
    "ActivityPage",
    "ActivityRead",
    "ActivityWrite",
    "MemberPage",
    "MemberRead",
    "MemberWrite",
    "OrganisationRead",
    "OrganisationWrite",
    "SiteRead",
]

Id = Annotated[int, Field(ge=1, le=2**62)]
# Not bounded here: the service names a swapped pair or a point outside the district.
Lon = Annotated[float, Field(allow_inf_nan=False, description="经度（CGCS2000）")]
Lat = Annotated[float, Field(allow_inf_nan=False, description="纬度（CGCS2000）")]
Phone = Annotated[str, Field(max_length=11, description="手机号码（11 位大陆手机号）")]


class OrganisationWrite(BaseModel):
    """The whole organisation as it should be. Its map position: the site's point when
    `site_id` is given, else `lon`/`lat` (both or neither)."""

    name: str = Field(min_length=1, max_length=100)
    kind: PartyOrganisationKind
    parent_id: Id | None = Field(default=None, description="上级党组织")
    region_id: Id | None = Field(default=None, description="所属区划；空：您的区划")
    secretary: str | None = Field(default=None, max_length=50, description="书记")
    contact_phone: Phone | None = None
    founded_on: date | None = Field(default=None, description="成立日期")
    site_id: Id | None = Field(default=None, description="所在党建阵地")
    lon: Lon | None = None
    lat: Lat | None = None


class OrganisationRead(BaseModel):
    id: int
    name: str
    kind: str
    parent_id: int | None
    region_id: int | None
    region_name: str | None
    secretary: str | None
    contact_phone: str | None
    founded_on: date | None
    site_id: int | None
    site_name: str | None
    lon: float | None = Field(description="地图位置：阵地的点或自身的点")
    lat: float | None
    members_full: int
    members_probationary: int
    activities_30d: int
    child_count: int = Field(description="下级党组织数")
    updated_at: datetime


class MemberWrite(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    gender: str = Field(pattern="^(male|female)$", description="male 男 / female 女")
    organisation_id: Id
    joined_on: date | None = Field(default=None, description="入党日期")
    status: PartyMemberStatus = PartyMemberStatus.FULL
    phone: Phone | None = None
    user_id: Id | None = Field(default=None, description="关联的系统用户（如党员网格员）")


class MemberRead(BaseModel):
    id: int
    name: str
    gender: str
    organisation_id: int
    organisation_name: str
    joined_on: date | None
    status: str
    phone: str | None
    user_id: int | None
    username: str | None
    user_display_name: str | None
    region_id: int | None
    updated_at: datetime


class MemberPage(BaseModel):
    items: list[MemberRead]
    next_cursor: str | None = Field(description="下一页游标；null 表示没有更多")


class ActivityWrite(BaseModel):
    """An activity; its position is `lon`/`lat`, or the site's point when only `site_id`
    is given."""

    title: str = Field(min_length=1, max_length=100)
    kind: PartyActivityKind
    organisation_id: Id
    held_at: datetime
    site_id: Id | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    participants: int = Field(default=0, ge=0, le=100000, description="参加人数")
    summary: str | None = Field(default=None, max_length=2000)


class ActivityRead(BaseModel):
    id: int
    title: str
    kind: str
    organisation_id: int
    organisation_name: str
    held_at: datetime
    site_id: int | None
    site_name: str | None
    lon: float
    lat: float
    participants: int
    summary: str | None
    region_id: int | None
    updated_at: datetime


class ActivityPage(BaseModel):
    items: list[ActivityRead]
    next_cursor: str | None = Field(description="下一页游标；null 表示没有更多")


class SiteRead(BaseModel):
    id: int
    name: str
    kind: str
    organisation: str
    lon: float
    lat: float
