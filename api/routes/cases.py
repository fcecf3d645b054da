"""Case records (立案登记): read one, e.g. following the link from a converted task. A case
is registered by converting a dispatched task (`POST /api/v1/enforcement-tasks/{id}/convert`);
the case procedures come with their own routes later."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.auth import require
from api.deps import SessionDep
from geo.case import service
from geo.case.schemas import CaseRead
from geo.core.actor import Actor

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

Viewer = Annotated[Actor, Depends(require("case.view"))]


@router.get("/{case_id}", response_model=CaseRead, summary="案件登记信息")
def get_case(
    case_id: Annotated[int, Path(ge=1, le=2**62, description="案件编号（id）")],
    actor: Viewer,
    session: SessionDep,
) -> CaseRead:
    return service.get_case(session, actor=actor, case_id=case_id)
