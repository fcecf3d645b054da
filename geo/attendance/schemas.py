"""What the attendance API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from geo.attendance.models import Verdict
from geo.attendance.workflow import Status

MAX_PAGE = 200


class CheckInCreate(BaseModel):
    """A position fix from the member's phone (lon/lat, CGCS2000 ≈ WGS84) and its accuracy
    as the device reports it (radius in metres, 68 %)."""

    # Range, order and place are checked by the service, which can tell a swapped pair
    # (纬度, 经度) or a point outside the district from a typo and say so.
    lon: float = Field(allow_inf_nan=False, description="经度（-180～180）")
    lat: float = Field(allow_inf_nan=False, description="纬度（-90～90）")
    accuracy_m: float = Field(gt=0, le=100_000, description="定位精度（米），须大于 0")
    note: str | None = Field(default=None, max_length=500)
    # Set by the phone per check-in: a retried submission answers the first one.
    client_ref: str | None = Field(default=None, min_length=8, max_length=64)

    @model_validator(mode="after")
    def _strip(self) -> CheckInCreate:
        self.note = (self.note or "").strip() or None
        return self


class CheckInRead(BaseModel):
    id: int
    day_id: int
    at: datetime
    lon: float
    lat: float
    accuracy_m: float
    note: str | None
    verdict: Verdict
    verdict_label: str
    grid_id: int
    grid_name: str
    distance_m: float
    allowance_m: float


class DayRead(BaseModel):
    id: int
    user_id: int
    user_name: str
    work_day: date
    grid_id: int
    grid_name: str
    community_name: str | None
    first_at: datetime
    last_at: datetime
    in_count: int
    out_count: int
    low_accuracy_count: int
    in_grid_rate: float | None  # in / (in + out); null when nothing was counted
    status: Status
    status_label: str
    reviewer_name: str | None
    reviewed_at: datetime | None
    opinion: str | None
    actions: list[str]  # what the reader may do now


class DayPage(BaseModel):
    items: list[DayRead]
    next_cursor: str | None = None


class DayDetail(DayRead):
    # GeoJSON FeatureCollections: the day's check-ins (points, verdict in properties) and
    # the outlines of the grids the member covers (RFC 7946 lon/lat).
    check_ins: dict[str, Any]
    grids: dict[str, Any]


class MyDay(BaseModel):
    """The member's own day: the report (null before the first check-in) and check-ins."""

    work_day: date
    day: DayRead | None
    check_ins: list[CheckInRead]


class ReviewBody(BaseModel):
    """`expected_status`: the status the reviewer saw; 409 when someone decided first."""

    expected_status: Status
    opinion: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _strip(self) -> ReviewBody:
        self.opinion = (self.opinion or "").strip() or None
        return self


class SummaryRow(BaseModel):
    user_id: int
    user_name: str
    grid_names: str  # the grids the member covers, 、-separated
    working_days: int  # of the month, on the calendar
    due_days: int  # working days up to today (the ones absence is counted on)
    days_checked_in: int
    approved: int
    rejected: int
    pending: int
    absent: int  # due working days without any check-in
    in_count: int
    out_count: int
    in_grid_rate: float | None


class Summary(BaseModel):
    month: str  # YYYY-MM
    working_days: int
    until: date  # absence counted up to this day (today, or the month's end)
    rows: list[SummaryRow]
