"""What the draw API reads and writes (DR-7, DR-9)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from geo.enterprise.models import EnterpriseCategory, RiskList
from geo.inspection.models import DrawStatus, SeedSource

MAX_PAGE = 200
MAX_COUNT = 10_000  # objects in one draw: a district's year of inspections, not more
MAX_IDS = 500  # ids in one list of a condition
MAX_TEAM = 10
DbId = Field(ge=1, le=2**62)

LIST_LABELS = {RiskList.RED: "红名单", RiskList.WHITE: "白名单", RiskList.BLACK: "黑名单"}
STATUS_LABELS = {
    DrawStatus.DRAWN: "已抽取",
    DrawStatus.SUBMITTED: "已提交",
    DrawStatus.DISCARDED: "已作废",
}
SOURCE_LABELS = {SeedSource.SYSTEM: "系统随机数", SeedSource.PUBLIC: "事先公布的公开数值"}


class OfficerScope(BaseModel):
    """Who may be sent: the officers of these departments, squads or these users (any of
    them; none given = every active officer the actor may see), of these types (none
    given = every type)."""

    department_ids: list[int] = Field(default_factory=list, max_length=MAX_IDS)
    squad_ids: list[int] = Field(default_factory=list, max_length=MAX_IDS)
    user_ids: list[int] = Field(default_factory=list, max_length=MAX_IDS)
    officer_types: list[str] = Field(default_factory=list, max_length=50)


class Ratios(BaseModel):
    """Sampling rate per list (0 … 1); a list left out is not sampled."""

    red: float | None = Field(default=None, ge=0, le=1)
    white: float | None = Field(default=None, ge=0, le=1)
    black: float | None = Field(default=None, ge=0, le=1)

    def given(self) -> dict[str, float]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class DrawCreate(BaseModel):
    """The conditions of a draw: EITHER `count` objects OR `ratios` per list (checked by
    the service, which answers in words)."""

    item_category_id: int = DbId
    supervision_category_ids: list[int] = Field(default_factory=list, max_length=MAX_IDS)
    enterprise_categories: list[EnterpriseCategory] = Field(default_factory=list, max_length=20)
    region_id: int | None = Field(default=None, ge=1, le=2**62)
    count: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    ratios: Ratios | None = None
    officer_scope: OfficerScope = Field(default_factory=OfficerScope)
    team_size: int = Field(default=2, ge=2, le=MAX_TEAM)
    seed_source: SeedSource = SeedSource.SYSTEM
    seed_note: str | None = Field(default=None, max_length=200)


class LeaderBody(BaseModel):
    leader_id: int = DbId


class SubmitBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    start_date: date
    end_date: date


class ListCount(BaseModel):
    risk_list: RiskList
    label: str
    candidates: int
    picks: int
    quota: int | None = None  # ratio mode: ceil(ratio × candidates)


class TeamMember(BaseModel):
    user_id: int
    name: str


class PickRead(BaseModel):
    rank: int
    enterprise_id: int
    name: str
    uscc: str
    risk_list: RiskList
    risk_list_label: str
    weight: float
    address: str | None
    lon: float
    lat: float
    team: list[TeamMember]  # the default leader first
    leader_id: int | None
    leader_name: str | None
    eligible_count: int
    unmatched_reason: str | None


class DrawRead(BaseModel):
    id: int
    number: str
    status: DrawStatus
    status_label: str
    item_category_id: int
    item_category_name: str
    region_id: int | None
    region_name: str | None
    team_size: int
    seed_source: SeedSource
    candidate_count: int
    pick_count: int
    unmatched_count: int
    drawn_by_name: str
    drawn_at: datetime
    published_at: datetime | None
    task_id: int | None
    task_name: str | None


class DrawPage(BaseModel):
    items: list[DrawRead]
    next_cursor: str | None  # pass back as `cursor`; null: last page


class TaskRef(BaseModel):
    id: int
    name: str
    start_date: date
    end_date: date
    assignment_count: int


class DrawDetail(DrawRead):
    conditions: dict[str, object]
    conditions_text: list[str]  # the conditions in words, one line each
    seed: str
    seed_source_label: str
    seed_note: str | None
    algorithm: str
    lists: list[ListCount]
    picks: list[PickRead]
    task: TaskRef | None


class CandidateRead(BaseModel):
    enterprise_id: int
    name: str
    uscc: str
    risk_list: RiskList
    weight: float
    picked: bool


class CandidatePage(BaseModel):
    items: list[CandidateRead]
    next_cursor: str | None


class Option(BaseModel):
    id: int
    name: str
    parent_id: int | None = None


class CodeOption(BaseModel):
    code: str
    name: str


class OfficerOption(BaseModel):
    user_id: int
    name: str
    officer_type: str
    department_name: str | None
    squad_name: str | None
    region_name: str | None


class DrawOptions(BaseModel):
    """What the conditions form picks from (all readable by the actor)."""

    item_categories: list[Option]
    supervision_categories: list[Option]  # a tree by parent_id, in display order
    enterprise_categories: list[CodeOption]
    regions: list[Option]  # district / towns / communities of the actor's scope
    departments: list[Option]
    squads: list[Option]
    officer_types: list[CodeOption]
    officers: list[OfficerOption]
    default_region_id: int


# ---- the public record ---------------------------------------------------------------------
class PublicDrawSummary(BaseModel):
    number: str
    item_category_name: str
    region_name: str | None
    status_label: str
    candidate_count: int
    pick_count: int
    unmatched_count: int
    drawn_at: datetime
    published_at: datetime


class PublicDrawPage(BaseModel):
    items: list[PublicDrawSummary]
    next_cursor: str | None


class PublicPick(BaseModel):
    rank: int
    name: str
    uscc: str
    risk_list: RiskList
    risk_list_label: str
    team: list[str]  # names only: no phone numbers, no personal ids
    leader_name: str | None
    unmatched_reason: str | None


class PublicDraw(PublicDrawSummary):
    conditions_text: list[str]
    team_size: int
    seed: str
    seed_source: SeedSource
    seed_source_label: str
    seed_note: str | None
    algorithm: str
    algorithm_description: str
    lists: list[ListCount]
    picks: list[PublicPick]
    task_name: str | None


class VerifyResult(BaseModel):
    number: str
    verified: bool  # picks and teams recomputed from the stored data equal the stored ones
    picks_match: bool
    teams_match: bool
    candidate_count: int
    recomputed_picks: int
    differences: list[str]  # at most a few, in words
