"""Admin API of Open311 keys: list (system.parameter.view), issue and revoke
(system.parameter.manage). The plain key is in the answer to the issue, and never again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.open311 import keys
from geo.open311.schemas import MAX_PAGE, KeyCreate, KeyIssued, KeyPage, KeyRead

router = APIRouter(prefix="/api/v1/admin/open311-keys", tags=["open311"])

Viewer = Annotated[Actor, Depends(require("system.parameter.view"))]
Manager = Annotated[Actor, Depends(require("system.parameter.manage"))]
KeyId = Annotated[int, Path(ge=1, le=2**62, description="密钥编号")]


@router.get("", response_model=KeyPage, summary="开放接口密钥列表")
def list_keys(
    actor: Viewer,
    session: SessionDep,
    include_revoked: Annotated[bool, Query(description="是否包含已吊销的密钥")] = True,
    cursor: Annotated[str | None, Query(max_length=18)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> KeyPage:
    return keys.list_keys(
        session, actor=actor, include_revoked=include_revoked, cursor=cursor, limit=limit
    )


@router.post("", response_model=KeyIssued, status_code=201, summary="发放开放接口密钥")
def issue_key(body: KeyCreate, actor: Manager, session: SessionDep) -> KeyIssued:
    return keys.issue_key(session, actor=actor, data=body)


@router.post("/{key_id}/revoke", response_model=KeyRead, summary="吊销开放接口密钥")
def revoke_key(key_id: KeyId, actor: Manager, session: SessionDep) -> KeyRead:
    return keys.revoke_key(session, actor=actor, key_id=key_id)
