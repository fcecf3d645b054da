"""What the task-dispatch API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from geo.case.schemas import CaseCreate
from geo.task.models import AttachmentKind
from geo.task.workflow import Status

MAX_PAGE = 200
ATTACHMENT_KIND_LABELS = {AttachmentKind.MATTER: "登记附件", AttachmentKind.FEEDBACK: "反馈附件"}


class TaskView(StrEnum):
    """The lists of the screens: 我登记的, 中队待派 (squads I lead), 我的任务, 全部."""

    REGISTERED_BY_ME = "registered_by_me"
    MY_SQUAD = "my_squad"
    MINE = "mine"
    ALL = "all"


class TaskCreate(BaseModel):
    """事件下派: a matter to check on site, where it is (lon/lat, CGCS2000 ≈ WGS84), who
    assigned it (交办来源) and by when."""

    # Stripped before the length checks: a title of spaces is no title.
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=4000)
    source: str | None = Field(default=None, max_length=100, description="交办来源，如 区城管局")
    address: str | None = Field(default=None, max_length=200)
    # Range, order and place are checked by the service (it can tell a swapped pair).
    lon: float = Field(allow_inf_nan=False)
    lat: float = Field(allow_inf_nan=False)
    deadline: date | None = None

    @model_validator(mode="after")
    def _strip(self) -> TaskCreate:
        self.title = self.title.strip()
        self.description = self.description.strip()
        self.source = (self.source or "").strip() or None
        self.address = (self.address or "").strip() or None
        return self


class ActionBody(BaseModel):
    """The fields of one action (which are required: see the workflow table):
    `user_id` (派给队员、中队转派), `squad_id` (转中队), `findings` (反馈), `reason`
    (撤销), `case` (转为案件). `expected_status`: the status the client showed; a task
    changed meanwhile answers 409."""

    expected_status: Status
    user_id: int | None = Field(default=None, ge=1, le=2**62)
    squad_id: int | None = Field(default=None, ge=1, le=2**62)
    findings: str | None = Field(default=None, max_length=4000)
    reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=1000, description="派发说明（可选）")
    case: CaseCreate | None = None

    @model_validator(mode="after")
    def _strip(self) -> ActionBody:
        self.findings = (self.findings or "").strip() or None
        self.reason = (self.reason or "").strip() or None
        self.note = (self.note or "").strip() or None
        return self


class TaskRead(BaseModel):
    id: int
    number: str
    title: str
    description: str
    source: str | None
    address: str | None
    deadline: date | None
    status: Status
    status_label: str
    is_open: bool
    lon: float
    lat: float
    region_id: int | None
    grid_name: str | None
    community_name: str | None
    town_name: str | None
    squad_id: int | None
    squad_name: str | None
    squad_leader_id: int | None
    assignee_id: int | None
    assignee_name: str | None
    findings: str | None
    case_id: int | None
    case_number: str | None
    created_by: int
    created_by_name: str
    created_at: datetime
    updated_at: datetime
    actions: list[str]  # what the reader may do now


class TaskActionRead(BaseModel):
    id: int
    action: str
    action_label: str
    from_status: str | None
    to_status: str
    to_status_label: str
    actor_id: int
    actor_name: str
    note: str | None
    at: datetime


class AttachmentRead(BaseModel):
    id: int
    task_id: int
    kind: AttachmentKind
    kind_label: str
    filename: str
    media_type: str
    size: int
    uploaded_by: int
    uploaded_by_name: str
    at: datetime
    url: str


class TaskDetail(TaskRead):
    history: list[TaskActionRead]
    attachments: list[AttachmentRead]


class TaskPage(BaseModel):
    items: list[TaskRead]
    next_cursor: str | None = None


class OfficerTarget(BaseModel):
    id: int
    display_name: str
    region_name: str
    squad_id: int | None
    squad_name: str | None


class SquadTarget(BaseModel):
    id: int
    name: str
    region_name: str
    leader_id: int | None
    leader_name: str | None


class TaskTargets(BaseModel):
    """Whom the task may be sent to: officers who receive tasks and whose region holds
    it (for a squad's task: that squad's officers), and the squads of the scope."""

    officers: list[OfficerTarget]
    squads: list[SquadTarget]
