"""What the inspection task API reads and writes (DR-8). The phone app scores through the
same bodies as the web form: small and self-describing."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from geo.enterprise.models import RiskList
from geo.inspection.list_schemas import ListChange
from geo.inspection.task_workflow import Action, Status

MAX_PAGE = 200
MAX_LINES = 500  # check contents one form may carry


class MineView(StrEnum):
    """The tabs of 检查任务: 未完成 (to confirm, confirmed), 已完成 (submitted), 所有."""

    OPEN = "open"
    COMPLETED = "completed"
    ALL = "all"


# ---- writing -----------------------------------------------------------------------------
class ConfirmBody(BaseModel):
    """`expected_status`: the status the screen showed; changed meanwhile → 409."""

    expected_status: Status | None = None


class ResultLine(BaseModel):
    """The score of one check-content line (0 … its max_score) and the officer's verdict."""

    content_id: int = Field(ge=1, le=2**62)
    score: int = Field(ge=0, le=10000)
    passed: bool
    remark: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _strip(self) -> ResultLine:
        self.remark = (self.remark or "").strip() or None
        return self


class ResultsBody(BaseModel):
    """保存 (and 提交, which may carry the last changes): some or all lines, and the
    结果说明. Lines not sent keep what was saved before; `note` null keeps the note."""

    expected_status: Status | None = None
    results: list[ResultLine] = Field(default_factory=list, max_length=MAX_LINES)
    note: str | None = Field(default=None, max_length=4000)


# ---- reading -----------------------------------------------------------------------------
class CheckLine(BaseModel):
    content_id: int
    seq: int
    content: str
    max_score: int
    critical: bool  # 否决项: failing it fails the inspection whatever the total
    score: int | None  # saved result (null: not scored yet)
    passed: bool | None
    remark: str | None


class CheckItem(BaseModel):
    """One inspection item of the task's category with its check contents."""

    item_id: int
    code: str
    name: str
    basis: str | None
    method: str | None
    lines: list[CheckLine]


class TeamMember(BaseModel):
    user_id: int
    display_name: str
    is_leader: bool


class ObjectCard(BaseModel):
    """The inspected object: facts, list standing and location (lon/lat, CGCS2000)."""

    id: int
    name: str
    uscc: str
    category: str
    address: str | None
    legal_representative: str | None
    contact_phone: str | None
    region_name: str | None
    risk_list: RiskList
    risk_list_label: str
    draw_weight: float
    pass_streak: int
    fail_streak: int
    lon: float
    lat: float


class AssignmentPhotoRead(BaseModel):
    id: int
    sha256: str
    media_type: str
    size: int
    uploaded_by: int
    uploaded_by_name: str
    at: datetime
    url: str


class AssignmentRow(BaseModel):
    """An assignment in a list (我的检查任务, a task's objects)."""

    id: int
    task_id: int
    task_name: str
    start_date: date
    end_date: date
    enterprise_id: int
    enterprise_name: str
    address: str | None
    risk_list: RiskList
    status: Status
    status_label: str
    leader_id: int
    leader_name: str
    team: list[TeamMember]
    score: int | None
    max_score: int | None
    passed: bool | None
    submitted_at: datetime | None


class AssignmentPage(BaseModel):
    items: list[AssignmentRow]
    next_cursor: str | None  # pass back as `cursor` for the next page; null: last page


class AssignmentDetail(BaseModel):
    """The task form: object, team, check list with saved results, note, photos, and the
    actions the reader may take now (empty: read only)."""

    id: int
    task_id: int
    task_name: str
    start_date: date
    end_date: date
    item_category_id: int
    item_category_name: str
    status: Status
    status_label: str
    object: ObjectCard
    team: list[TeamMember]
    leader_id: int
    leader_name: str
    on_team: bool
    note: str | None
    score: int | None
    max_score: int | None
    passed: bool | None
    confirmed_at: datetime | None
    submitted_at: datetime | None
    submitted_by_name: str | None
    check_list: list[CheckItem]
    photos: list[AssignmentPhotoRead]
    actions: list[Action]


class SubmitOutcome(BaseModel):
    """What submitting did: the verdict and the object's list change."""

    assignment: AssignmentDetail
    passed: bool
    score: int
    max_score: int
    pass_score: float  # the pass line: inspection.pass_ratio × max_score
    critical_failed: list[str]  # the 否决项 that failed
    list_change: ListChange


class TaskRow(BaseModel):
    """A task of the scope with the progress of its assignments."""

    id: int
    name: str
    item_category_id: int
    item_category_name: str
    start_date: date
    end_date: date
    region_id: int | None
    region_name: str | None
    created_by_name: str
    created_at: datetime
    total: int
    to_confirm: int
    confirmed: int
    submitted: int
    passed: int
    failed: int


class TaskPage(BaseModel):
    items: list[TaskRow]
    next_cursor: str | None


class TaskDetail(BaseModel):
    task: TaskRow
    assignments: list[AssignmentRow]
