"""Organisation administration (SYS-2): roles and the permission matrix, departments,
squads (中队) and users. Thin: parse, authorise, call one use case of `geo.org.service`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from api.auth import require
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.org import service
from geo.org.schemas import (
    CertificateBody,
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
    PasswordResetBody,
    PermissionCatalogue,
    RoleCreate,
    RoleRead,
    RoleUpdate,
    SquadCreate,
    SquadRead,
    SquadUpdate,
    UserCreate,
    UserDetail,
    UserPage,
    UserUpdate,
)
from geo.org.users import MAX_PAGE

router = APIRouter(prefix="/api/v1/org", tags=["org"])

RoleViewer = Annotated[Actor, Depends(require("system.role.view"))]
RoleManager = Annotated[Actor, Depends(require("system.role.manage"))]
DepartmentViewer = Annotated[Actor, Depends(require("system.department.view"))]
DepartmentManager = Annotated[Actor, Depends(require("system.department.manage"))]
UserViewer = Annotated[Actor, Depends(require("system.user.view"))]
UserManager = Annotated[Actor, Depends(require("system.user.manage"))]

ObjectId = Annotated[int, Path(ge=1, le=2**62)]
RoleCode = Annotated[str, Path(min_length=1, max_length=60)]
FilterId = Annotated[int | None, Query(ge=1, le=2**62)]


def _no_content() -> Response:
    return Response(status_code=204)


# ---- permissions and roles --------------------------------------------------------------
@router.get("/permissions", response_model=PermissionCatalogue, summary="权限目录（按模块）")
def list_permissions(actor: RoleViewer) -> PermissionCatalogue:
    return service.list_permission_modules()


@router.get("/roles", response_model=list[RoleRead], summary="角色与授权")
def list_roles(actor: RoleViewer, session: SessionDep) -> list[RoleRead]:
    return service.list_roles(session, actor=actor)


@router.post("/roles", response_model=RoleRead, status_code=201, summary="新增角色")
def create_role(body: RoleCreate, actor: RoleManager, session: SessionDep) -> RoleRead:
    return service.create_role(session, actor=actor, data=body)


@router.patch("/roles/{code}", response_model=RoleRead, summary="修改角色或其授权")
def update_role(
    code: RoleCode, body: RoleUpdate, actor: RoleManager, session: SessionDep
) -> RoleRead:
    return service.update_role(session, actor=actor, code=code, changes=body)


@router.delete("/roles/{code}", status_code=204, summary="删除角色")
def delete_role(code: RoleCode, actor: RoleManager, session: SessionDep) -> Response:
    service.delete_role(session, actor=actor, code=code)
    return _no_content()


# ---- departments ------------------------------------------------------------------------
@router.get("/departments", response_model=list[DepartmentRead], summary="部门（按树排列）")
def list_departments(
    actor: DepartmentViewer, session: SessionDep, region_id: FilterId = None
) -> list[DepartmentRead]:
    return service.list_departments(session, actor=actor, region_id=region_id)


@router.post("/departments", response_model=DepartmentRead, status_code=201, summary="新增部门")
def create_department(
    body: DepartmentCreate, actor: DepartmentManager, session: SessionDep
) -> DepartmentRead:
    return service.create_department(session, actor=actor, data=body)


@router.patch("/departments/{department_id}", response_model=DepartmentRead, summary="修改部门")
def update_department(
    department_id: ObjectId, body: DepartmentUpdate, actor: DepartmentManager, session: SessionDep
) -> DepartmentRead:
    return service.update_department(
        session, actor=actor, department_id=department_id, changes=body
    )


@router.delete("/departments/{department_id}", status_code=204, summary="删除部门")
def delete_department(
    department_id: ObjectId, actor: DepartmentManager, session: SessionDep
) -> Response:
    service.delete_department(session, actor=actor, department_id=department_id)
    return _no_content()


# ---- squads -----------------------------------------------------------------------------
@router.get("/squads", response_model=list[SquadRead], summary="执法中队")
def list_squads(
    actor: DepartmentViewer, session: SessionDep, department_id: FilterId = None
) -> list[SquadRead]:
    return service.list_squads(session, actor=actor, department_id=department_id)


@router.post("/squads", response_model=SquadRead, status_code=201, summary="新增中队")
def create_squad(body: SquadCreate, actor: DepartmentManager, session: SessionDep) -> SquadRead:
    return service.create_squad(session, actor=actor, data=body)


@router.patch("/squads/{squad_id}", response_model=SquadRead, summary="修改中队")
def update_squad(
    squad_id: ObjectId, body: SquadUpdate, actor: DepartmentManager, session: SessionDep
) -> SquadRead:
    return service.update_squad(session, actor=actor, squad_id=squad_id, changes=body)


@router.delete("/squads/{squad_id}", status_code=204, summary="删除中队")
def delete_squad(squad_id: ObjectId, actor: DepartmentManager, session: SessionDep) -> Response:
    service.delete_squad(session, actor=actor, squad_id=squad_id)
    return _no_content()


# ---- users ------------------------------------------------------------------------------
@router.get("/users", response_model=UserPage, summary="用户列表")
def list_users(
    actor: UserViewer,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100, description="用户名、姓名或手机号")] = None,
    region_id: FilterId = None,
    role: Annotated[str | None, Query(max_length=60)] = None,
    department_id: FilterId = None,
    active: bool | None = None,
    cursor: Annotated[str | None, Query(max_length=20, description="上一页的 next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> UserPage:
    return service.list_users(
        session, actor=actor, q=q, region_id=region_id, role=role,
        department_id=department_id, active=active, cursor=cursor, limit=limit,
    )  # fmt: skip


@router.get("/users/{user_id}", response_model=UserDetail, summary="用户详情")
def get_user(user_id: ObjectId, actor: UserViewer, session: SessionDep) -> UserDetail:
    return service.get_user(session, actor=actor, user_id=user_id)


@router.post("/users", response_model=UserDetail, status_code=201, summary="新增用户")
def create_user(body: UserCreate, actor: UserManager, session: SessionDep) -> UserDetail:
    return service.create_user(session, actor=actor, data=body)


@router.patch("/users/{user_id}", response_model=UserDetail, summary="修改、启用或停用用户")
def update_user(
    user_id: ObjectId, body: UserUpdate, actor: UserManager, session: SessionDep
) -> UserDetail:
    return service.update_user(session, actor=actor, user_id=user_id, changes=body)


@router.post("/users/{user_id}/unlock", status_code=204, summary="解除登录锁定")
def unlock_user(user_id: ObjectId, actor: UserManager, session: SessionDep) -> Response:
    service.unlock_user(session, actor=actor, user_id=user_id)
    return _no_content()


@router.post("/users/{user_id}/password", status_code=204, summary="重置密码")
def reset_password(
    user_id: ObjectId, body: PasswordResetBody, actor: UserManager, session: SessionDep
) -> Response:
    service.reset_password(session, actor=actor, user_id=user_id, new_password=body.new_password)
    return _no_content()


@router.put("/users/{user_id}/certificate", response_model=UserDetail, summary="绑定 CA 锁证书")
def bind_certificate(
    user_id: ObjectId, body: CertificateBody, actor: UserManager, session: SessionDep
) -> UserDetail:
    return service.bind_certificate(session, actor=actor, user_id=user_id, pem=body.pem)


@router.delete("/users/{user_id}/certificate", status_code=204, summary="解除 CA 锁绑定")
def unbind_certificate(user_id: ObjectId, actor: UserManager, session: SessionDep) -> Response:
    service.unbind_certificate(session, actor=actor, user_id=user_id)
    return _no_content()
