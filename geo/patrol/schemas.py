"""What the patrol API reads and writes: plans (巡检任务), their assignments, today's
patrols of an officer and check-ins (巡检登记)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from geo.enterprise.models import EnterpriseCategory
from geo.patrol.models import PlanKind

MAX_PAGE = 200
MAX_ASSIGNMENT_PAGE = 1000
KIND_LABELS = {PlanKind.DAILY: "日常巡检", PlanKind.SPECIAL: "专项检查"}
CATEGORY_LABELS = {
    EnterpriseCategory.CATERING: "餐饮",
    EnterpriseCategory.HAZARDOUS_CHEMICALS: "危险化学品",
    EnterpriseCategory.CONSTRUCTION: "建筑施工",
    EnterpriseCategory.RETAIL: "商贸零售",
    EnterpriseCategory.MANUFACTURING: "工业制造",
    EnterpriseCategory.LOGISTICS: "仓储物流",
    EnterpriseCategory.ACCOMMODATION: "住宿",
    EnterpriseCategory.ENTERTAINMENT: "文化娱乐",
    EnterpriseCategory.AUTO_REPAIR: "机动车维修",
    EnterpriseCategory.HEALTHCARE: "医疗卫生",
}


class PlanCreate(BaseModel):
    """日常巡检: officers patrol on the ISO weekdays (1 = Monday) between the dates, on an
    optional route. 专项检查: every enterprise of the category in the region (default: the
    planner's) goes to an officer whose enforcement area holds it."""

    # Stripped before the length checks: a title of spaces is no title.
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    kind: PlanKind
    start_date: date
    end_date: date
    weekdays: list[int] = Field(default_factory=list, max_length=7)
    officer_ids: list[int] = Field(default_factory=list, max_length=200)
    route_id: int | None = Field(default=None, ge=1, le=2**62)
    enterprise_category: EnterpriseCategory | None = None
    region_id: int | None = Field(default=None, ge=1, le=2**62)
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _tidy(self) -> PlanCreate:
        self.name = self.name.strip()
        self.note = (self.note or "").strip() or None
        self.weekdays = sorted(set(self.weekdays))
        self.officer_ids = list(dict.fromkeys(self.officer_ids))
        return self


class PlanRead(BaseModel):
    id: int
    name: str
    kind: PlanKind
    kind_label: str
    start_date: date
    end_date: date
    weekdays: list[int]
    enterprise_category: str | None
    enterprise_category_label: str | None
    region_id: int | None
    region_name: str | None
    route_id: int | None
    route_name: str | None
    note: str | None
    active: bool
    created_by: int
    created_by_name: str
    created_at: datetime
    assignment_count: int
    done_count: int  # special: enterprises checked; daily: always 0
    unmatched_count: int  # special: enterprises no officer's area holds
    check_in_count: int
    officer_names: list[str]


class PlanPage(BaseModel):
    items: list[PlanRead]
    next_cursor: str | None = None


class AssignmentRead(BaseModel):
    id: int
    plan_id: int
    officer_id: int | None
    officer_name: str | None
    enterprise_id: int | None
    enterprise_name: str | None
    enterprise_address: str | None
    lon: float | None  # the enterprise's position (special plans)
    lat: float | None
    unmatched_reason: str | None
    done_at: datetime | None
    check_in_count: int


class AssignmentPage(BaseModel):
    items: list[AssignmentRead]
    next_cursor: str | None = None


class OfficerOption(BaseModel):
    id: int
    display_name: str
    region_name: str
    squad_name: str | None
    has_area: bool  # registered as enforcement staff with an area (专项检查 can match them)


class RouteOption(BaseModel):
    id: int
    name: str
    kind: PlanKind  # the route's own kind: daily or special patrols
    length_m: float
    region_name: str | None


class TodayPatrol(BaseModel):
    kind: PlanKind
    plan_id: int
    plan_name: str
    assignment_id: int
    end_date: date
    route_name: str | None
    enterprise_id: int | None
    enterprise_name: str | None
    address: str | None
    lon: float | None
    lat: float | None
    check_ins_today: int


class MyPatrols(BaseModel):
    day: date
    weekday: int
    daily: list[TodayPatrol]
    special: list[TodayPatrol]


class CheckInCreate(BaseModel):
    """巡检登记: the plan, the phone's position fix and its accuracy (metres), optionally the
    enterprise visited (required for a special plan), what was found."""

    plan_id: int = Field(ge=1, le=2**62)
    enterprise_id: int | None = Field(default=None, ge=1, le=2**62)
    # Range, order and place are checked by the service, which can tell a swapped pair.
    lon: float = Field(allow_inf_nan=False, description="经度（-180～180）")
    lat: float = Field(allow_inf_nan=False, description="纬度（-90～90）")
    accuracy_m: float = Field(gt=0, le=100_000, description="定位精度（米），须大于 0")
    findings: str | None = Field(default=None, max_length=4000)
    problem_found: bool = False

    @model_validator(mode="after")
    def _strip(self) -> CheckInCreate:
        self.findings = (self.findings or "").strip() or None
        return self


class NearbyEnterprise(BaseModel):
    """An enterprise near the phone, to name in a check-in (nearest first)."""

    id: int
    name: str
    address: str | None
    lon: float
    lat: float
    distance_m: float


class PhotoRead(BaseModel):
    id: int
    check_in_id: int
    media_type: str
    size: int
    at: datetime
    url: str


class CheckInRead(BaseModel):
    id: int
    plan_id: int
    plan_name: str
    plan_kind: PlanKind
    assignment_id: int | None
    officer_id: int
    officer_name: str
    enterprise_id: int | None
    enterprise_name: str | None
    at: datetime
    lon: float
    lat: float
    accuracy_m: float | None
    distance_m: float | None
    findings: str | None
    problem_found: bool
    region_id: int | None
    region_name: str | None
    photo_count: int


class CheckInSaved(CheckInRead):
    assignment_done: bool  # this check-in completed a special assignment
    notice: str | None  # e.g. too far from the enterprise to count


class CheckInDetail(CheckInRead):
    photos: list[PhotoRead]


class CheckInPage(BaseModel):
    items: list[CheckInRead]
    next_cursor: str | None = None
