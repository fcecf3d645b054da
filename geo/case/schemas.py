"""What the case API reads and writes (registration only: the procedures come later)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from geo.case.models import CaseSource, Procedure

PROCEDURE_LABELS = {Procedure.SIMPLE: "简易程序", Procedure.GENERAL: "一般程序"}
SOURCE_LABELS = {
    CaseSource.PATROL: "日常巡查",
    CaseSource.MEDIA: "媒体曝光",
    CaseSource.COMPLAINT: "群众投诉",
    CaseSource.REPORT: "群众举报",
    CaseSource.TRANSFER: "其他机关移送",
    CaseSource.SUPERIOR: "上级交办",
    CaseSource.OTHER: "其他",
}
STATUS_LABELS = {"registered": "已登记（待初审）"}


class CaseCreate(BaseModel):
    """立案登记: the procedure, where the case came from, what happened, who is the party."""

    # Stripped before the length checks: a title of spaces is no title.
    model_config = ConfigDict(str_strip_whitespace=True)

    procedure: Procedure
    source: CaseSource = CaseSource.SUPERIOR
    title: str = Field(min_length=1, max_length=200)
    facts: str = Field(min_length=1, max_length=4000, description="案情摘要")
    party_name: str | None = Field(default=None, max_length=200, description="当事人")

    @model_validator(mode="after")
    def _strip(self) -> CaseCreate:
        self.title = self.title.strip()
        self.facts = self.facts.strip()
        self.party_name = (self.party_name or "").strip() or None
        return self


class CaseRead(BaseModel):
    id: int
    number: str
    procedure: Procedure
    procedure_label: str
    source: CaseSource
    source_label: str
    status: str
    status_label: str
    title: str
    facts: str
    party_name: str | None
    enterprise_id: int | None
    address: str | None
    lon: float
    lat: float
    region_id: int | None
    region_name: str | None
    registered_by: int
    registered_by_name: str
    registered_at: datetime
    task_id: int | None  # the dispatched task it was converted from
    task_number: str | None
