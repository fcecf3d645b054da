"""What the event API reads and writes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from geo.event.models import EventSource
from geo.event.workflow import Status

MAX_PAGE = 200
MAX_CLAIM = 50


CLIENT_REF_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


class EventCreate(BaseModel):
    """A report: what, where (lon/lat, CGCS2000 ≈ WGS84), how serious."""

    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    category_code: str = Field(min_length=1, max_length=16)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    address: str | None = Field(default=None, max_length=200)
    source: EventSource = EventSource.GRID_MEMBER
    severity: int = Field(default=1, ge=1, le=3)
    urgency: int = Field(default=1, ge=1, le=3)
    reporter_name: str | None = Field(default=None, max_length=50)  # 诉求人; default: me
    # The reporting app's idempotency key: the same key from the same user is one report.
    client_ref: str | None = Field(default=None, pattern=CLIENT_REF_PATTERN)


class ClaimBody(BaseModel):
    count: int = Field(default=1, ge=1, le=MAX_CLAIM)


class ActionBody(BaseModel):
    """The fields of one action; which are required depends on the action (see the
    workflow table): `opinion` (意见、反馈内容、核查结果), a target `user_id` or
    `department_id` (派遣), a `user_id` (核查人员). `expected_status`: the status the
    client showed; a work order changed meanwhile answers 409."""

    opinion: str | None = Field(default=None, max_length=2000)
    user_id: int | None = Field(default=None, ge=1, le=2**62)
    department_id: int | None = Field(default=None, ge=1, le=2**62)
    expected_status: Status | None = None

    @model_validator(mode="after")
    def _strip(self) -> ActionBody:
        self.opinion = (self.opinion or "").strip() or None
        return self


class TimeState(StrEnum):
    """The colour of the remaining time: 绿 on time, 黄 near the deadline, 红 overdue."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class EventRead(BaseModel):
    id: int
    event_no: str
    title: str
    description: str | None
    category_code: str
    category_name: str
    status: Status
    status_label: str
    is_open: bool
    source: str
    severity: int
    urgency: int
    address: str | None
    reporter_name: str | None
    reported_at: datetime
    closed_at: datetime | None
    deadline: datetime | None
    lon: float
    lat: float
    grid_id: int | None
    grid_name: str | None
    community_name: str | None
    town_name: str | None
    claimed_by_id: int | None
    claimed_by_name: str | None
    assignee_user_id: int | None
    assignee_user_name: str | None
    assignee_department_id: int | None
    assignee_department_name: str | None
    verifier_id: int | None
    verifier_name: str | None
    actions: list[str]  # what the reader may do now (buttons of the detail page)
    # Working hours to the deadline on the calendar (negative once overdue); null when
    # the work order is finished or the calendar does not cover the deadline.
    remaining_hours: float | None = None
    time_state: TimeState | None = None
    suspected_duplicate: bool = False  # a near work order of the category is still open
    merged_into_id: int | None = None  # cancelled as a duplicate of this work order
    # The grid as it was at report time: its outline version and responsible member.
    grid_version: int | None = None
    responsible_member_id: int | None = None
    responsible_member_name: str | None = None


class EventActionRead(BaseModel):
    id: int
    action: str
    action_label: str
    from_status: str | None
    to_status: str
    to_status_label: str
    actor_id: int | None
    actor_name: str
    at: datetime
    opinion: str | None
    target_user_id: int | None
    target_user_name: str | None
    target_department_id: int | None
    target_department_name: str | None


class DuplicateCandidate(BaseModel):
    id: int
    event_no: str
    title: str
    status: Status
    reported_at: datetime
    distance_m: float


class EventDetail(EventRead):
    history: list[EventActionRead]
    duplicate_of_candidates: list[DuplicateCandidate] = []
    # The department the routing rules suggest for the dispatch (null: no rule applies).
    suggested_department_id: int | None = None
    suggested_department_name: str | None = None


class MergeBody(BaseModel):
    """Merge this work order into `into_id` (kept): it is cancelled as a duplicate."""

    into_id: int = Field(ge=1, le=2**62)
    opinion: str | None = Field(default=None, max_length=2000)
    expected_status: Status | None = None


class RoutingRuleCreate(BaseModel):
    category_code: str = Field(min_length=1, max_length=16)
    region_id: int = Field(ge=1, le=2**62)
    department_id: int = Field(ge=1, le=2**62)


class RoutingRuleUpdate(BaseModel):
    department_id: int = Field(ge=1, le=2**62)


class RoutingRuleRead(BaseModel):
    id: int
    category_code: str
    category_name: str
    region_id: int
    region_name: str
    region_level: str
    department_id: int
    department_name: str
    updated_at: datetime


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None  # pass back as `cursor` for the next page; null: last page


class ClaimResult(BaseModel):
    claimed: list[EventRead]
    pool_left: int  # still unclaimed in the actor's scope


class PoolCount(BaseModel):
    count: int


class WorkBox(StrEnum):
    """The desks' tabs (GM-8): which work orders concern the reader, and how."""

    TODO = "todo"  # 待办: dispatched to me or my department, not yet fed back
    DONE = "done"  # 已办: I (or my department) acted on it and no longer hold it
    VERIFYING = "verifying"  # 核查任务: waiting for my on-site verification
    REPORTED = "reported"  # 我上报的


class CategoryNode(BaseModel):
    """The category dictionary as a tree: a leaf has a default time limit and is the
    only level a report may choose."""

    code: str
    name: str
    default_days: int | None  # 处置时限（工作日）; null for a parent category
    children: list[CategoryNode] = []


class PointLocation(BaseModel):
    """Where a point would be reported (GIS-5): its grid, community, town and the grid's
    responsible member; or why a report there is refused."""

    lon: float
    lat: float
    reportable: bool
    reason: str | None = None  # the refusal, when not reportable
    notice: str | None = None  # reportable but not into a grid: sent up to the district
    grid_id: int | None = None
    grid_name: str | None = None
    community_name: str | None = None
    town_name: str | None = None
    responsible_user_id: int | None = None  # null: the grid has no responsible member yet
    responsible_name: str | None = None


class TargetUser(BaseModel):
    """A person a work order can be dispatched to (or sent to verify): their region
    covers the work order's grid and they may sign and feed back."""

    id: int
    display_name: str
    username: str
    region_name: str
    department_name: str | None
    grid_role: str | None  # 责任网格员 / 协助网格员 of the work order's grid, else null


class TargetDepartment(BaseModel):
    id: int
    name: str
    region_name: str


class EventTargets(BaseModel):
    """Whom the dispatch and verification dialogs offer: the grid's members first."""

    users: list[TargetUser]
    departments: list[TargetDepartment]
    suggested_department_id: int | None
