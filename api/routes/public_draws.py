"""The public record of random inspections ("one public", DR-9): published draws, read
without sign-in. Read-only; a draw that was not published answers 404 like an unknown one.
Each client address is held to a request rate (api/throttle.py); `verify`, which recomputes
a draw, to a lower one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.routes.event_query import export_session
from api.throttle import throttle
from geo.inspection import draw_view, verify
from geo.inspection.draw_schemas import MAX_PAGE, PublicDraw, PublicDrawPage, VerifyResult

router = APIRouter(
    prefix="/public/inspection",
    tags=["public-inspection"],
    dependencies=[Depends(throttle("reads"))],
)

Number = Annotated[
    str, Path(max_length=20, pattern=r"^[A-Z]{2}[0-9]{4}-[0-9]{4,6}$", description="抽取编号")
]
StreamSession = Annotated[Session, Depends(export_session)]


@router.get("/draws", response_model=PublicDrawPage, summary="已公示的抽取（新的在前）")
def public_draws(
    session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> PublicDrawPage:
    return draw_view.public_draws(session, cursor=cursor, limit=limit)


@router.get("/draws/{number}", response_model=PublicDraw, summary="公示的抽取结果")
def public_draw(number: Number, session: SessionDep) -> PublicDraw:
    return draw_view.public_draw(session, number=number)


@router.get(
    "/draws/{number}/candidates.csv",
    response_class=StreamingResponse,
    summary="候选对象清单（CSV）",
    description="每个候选对象的编号、名称、统一社会信用代码、名录库与权重（UTF-8，带 BOM）。",
)
def candidates_csv(number: Number, session: SessionDep, rows: StreamSession) -> StreamingResponse:
    draw = draw_view.published_draw_row(session, number=number)
    chunks: Iterator[bytes] = draw_view.candidate_csv(rows, draw_id=draw.id)
    filename = f"{number}-候选清单.csv"
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{number}-candidates.csv"; '
            f"filename*=UTF-8''{quote(filename)}",
        },
    )


@router.get(
    "/draws/{number}/verify",
    response_model=VerifyResult,
    summary="核验抽取结果",
    description="用公示的种子、候选清单（权重）和各对象的可选执法人员，以独立实现重算抽中对象"
    "和检查组，并与保存的结果比较。",
    dependencies=[Depends(throttle("verifies"))],
    responses={429: {"description": "同一地址核验过于频繁"}},
)
def verify_draw(number: Number, session: SessionDep) -> VerifyResult:
    return verify.verify_draw(session, number=number)
