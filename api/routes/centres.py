"""Service centres, halls, windows and window staff (SYS-4, SYS-7). Thin: each route
authorises, calls one service function and returns its answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from api.auth import require
from api.deps import SessionDep
from geo.centre import service, windows
from geo.centre.schemas import (
    CentreCreate,
    CentreRead,
    CentreUpdate,
    HallRead,
    HallWrite,
    WindowCreate,
    WindowRead,
    WindowStaffWrite,
    WindowUpdate,
)
from geo.core.actor import Actor

router = APIRouter(prefix="/api/v1", tags=["centres"])

CentreViewer = Annotated[Actor, Depends(require("system.centre.view"))]
CentreManager = Annotated[Actor, Depends(require("system.centre.manage"))]


# ---- centres ---------------------------------------------------------------------------
@router.get("/centres", summary="服务中心列表")
def list_centres(actor: CentreViewer, session: SessionDep) -> list[CentreRead]:
    return service.list_centres(session, actor=actor)


@router.post("/centres", status_code=201, summary="新增服务中心")
def create_centre(body: CentreCreate, actor: CentreManager, session: SessionDep) -> CentreRead:
    return service.create_centre(session, actor=actor, data=body)


@router.patch("/centres/{centre_id}", summary="修改服务中心")
def update_centre(
    centre_id: int, body: CentreUpdate, actor: CentreManager, session: SessionDep
) -> CentreRead:
    return service.update_centre(session, actor=actor, centre_id=centre_id, data=body)


@router.delete(
    "/centres/{centre_id}", status_code=204, summary="删除服务中心（须先删除大厅和窗口）"
)
def delete_centre(centre_id: int, actor: CentreManager, session: SessionDep) -> Response:
    service.delete_centre(session, actor=actor, centre_id=centre_id)
    return Response(status_code=204)


# ---- halls -----------------------------------------------------------------------------
@router.get("/centres/{centre_id}/halls", summary="中心的大厅")
def list_halls(centre_id: int, actor: CentreViewer, session: SessionDep) -> list[HallRead]:
    return service.list_halls(session, actor=actor, centre_id=centre_id)


@router.post("/centres/{centre_id}/halls", status_code=201, summary="新增大厅")
def create_hall(
    centre_id: int, body: HallWrite, actor: CentreManager, session: SessionDep
) -> HallRead:
    return service.create_hall(session, actor=actor, centre_id=centre_id, data=body)


@router.patch("/halls/{hall_id}", summary="修改大厅名称")
def update_hall(
    hall_id: int, body: HallWrite, actor: CentreManager, session: SessionDep
) -> HallRead:
    return service.update_hall(session, actor=actor, hall_id=hall_id, data=body)


@router.delete("/halls/{hall_id}", status_code=204, summary="删除大厅（须先移走其中的窗口）")
def delete_hall(hall_id: int, actor: CentreManager, session: SessionDep) -> Response:
    service.delete_hall(session, actor=actor, hall_id=hall_id)
    return Response(status_code=204)


# ---- windows ---------------------------------------------------------------------------
@router.get("/centres/{centre_id}/windows", summary="中心的窗口（含窗口人员）")
def list_windows(centre_id: int, actor: CentreViewer, session: SessionDep) -> list[WindowRead]:
    return windows.list_windows(session, actor=actor, centre_id=centre_id)


@router.post("/centres/{centre_id}/windows", status_code=201, summary="新增窗口")
def create_window(
    centre_id: int, body: WindowCreate, actor: CentreManager, session: SessionDep
) -> WindowRead:
    return windows.create_window(session, actor=actor, centre_id=centre_id, data=body)


@router.patch("/windows/{window_id}", summary="修改窗口")
def update_window(
    window_id: int, body: WindowUpdate, actor: CentreManager, session: SessionDep
) -> WindowRead:
    return windows.update_window(session, actor=actor, window_id=window_id, data=body)


@router.delete("/windows/{window_id}", status_code=204, summary="删除窗口")
def delete_window(window_id: int, actor: CentreManager, session: SessionDep) -> Response:
    windows.delete_window(session, actor=actor, window_id=window_id)
    return Response(status_code=204)


@router.put("/windows/{window_id}/staff", summary="设置窗口人员（整体替换）")
def replace_window_staff(
    window_id: int, body: WindowStaffWrite, actor: CentreManager, session: SessionDep
) -> WindowRead:
    return windows.replace_window_staff(
        session, actor=actor, window_id=window_id, user_ids=body.user_ids
    )
