"""What the red / white / black list API reads and writes (DR-6)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from geo.enterprise.models import RiskList
from geo.inspection.models import RiskListMoveKind

MAX_PAGE = 200

LIST_LABELS: dict[RiskList, str] = {
    RiskList.RED: "红库",
    RiskList.WHITE: "白库",
    RiskList.BLACK: "黑库",
}

KIND_LABELS: dict[RiskListMoveKind, str] = {
    RiskListMoveKind.MANUAL: "手动调整",
    RiskListMoveKind.AUTOMATIC: "自动调整",
    RiskListMoveKind.WEIGHT: "同库权重调整",
}


class ListedObject(BaseModel):
    """A supervised object as the list screens show it."""

    id: int
    name: str
    uscc: str
    category: str
    address: str | None
    region_id: int | None
    region_name: str | None
    risk_list: RiskList
    risk_list_label: str
    draw_weight: float
    pass_streak: int
    fail_streak: int


class ListedPage(BaseModel):
    items: list[ListedObject]
    next_cursor: str | None  # pass back as `cursor` for the next page; null: last page


class ListCounts(BaseModel):
    """How many objects of the actor's scope sit in each list."""

    red: int
    white: int
    black: int


class MoveCreate(BaseModel):
    """A manual move (调整名录): `expected_list` is the list the screen showed; when the
    object moved meanwhile the answer is 409."""

    enterprise_id: int = Field(ge=1, le=2**62)
    to_list: RiskList
    expected_list: RiskList
    reason: str = Field(min_length=1, max_length=500, description="调整原因（必填）")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("请填写调整原因")
        return value


class MoveRead(BaseModel):
    """One row of an object's history: a list move or an in-list weight change."""

    id: int
    enterprise_id: int
    enterprise_name: str
    kind: RiskListMoveKind
    kind_label: str
    from_list: RiskList
    from_list_label: str
    to_list: RiskList
    to_list_label: str
    from_weight: float
    to_weight: float
    reason: str
    assignment_id: int | None
    moved_by: int | None
    moved_by_name: str | None
    at: datetime


class MovePage(BaseModel):
    items: list[MoveRead]
    next_cursor: str | None


class RuleRead(BaseModel):
    """A rule as it applies in the actor's region, and where the value came from."""

    key: str
    label: str
    value: float | int
    default: float | int
    unit: str
    source: str = Field(description="default、global，或生效覆盖值所在区划的层级")
    source_region_id: int | None


class RulesRead(BaseModel):
    region_id: int
    rules: list[RuleRead]
    weight_floor: float
    weight_cap: float


class ListChange(BaseModel):
    """What a submitted result (or a manual move) did to the object's list and weight."""

    enterprise_id: int
    kind: RiskListMoveKind
    from_list: RiskList
    to_list: RiskList
    from_weight: float
    to_weight: float
    pass_streak: int
    fail_streak: int
    moved: bool  # the list changed (not only the weight)
    reason: str
