"""Sign-in, sign-out, the current user, password change and window choice (SYS-1)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.auth import ActorDep, client_ip, peer_ip
from api.deps import SessionDep
from geo.core.actor import Actor
from geo.core.errors import Unauthorized
from geo.core.settings import get_auth_settings
from geo.org import auth
from geo.org.models import ServiceWindow, SessionKind, WindowStaff
from geo.org.permissions import PERMISSIONS
from geo.region.models import Region

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)
    window_id: int | None = Field(
        default=None, ge=1, le=2**62, description="窗口人员选择的工作窗口"
    )
    client: Literal["browser", "app"] | None = Field(
        default=None,
        description="不填：网页会话（设置 HttpOnly Cookie）并同时返回同一会话的 access_token；"
        "browser：只设 Cookie，不返回令牌（本系统网页用）；app：手机应用的长期令牌，不设 Cookie",
    )


class WindowRead(BaseModel):
    id: int
    name: str
    number: str


class Me(BaseModel):
    id: int
    username: str
    display_name: str
    region_id: int
    region_name: str
    region_level: str
    roles: list[str]
    permissions: list[str]
    superuser: bool
    department_id: int | None
    squad_id: int | None
    window_id: int | None
    windows: list[WindowRead]
    csrf_token: str | None = None


class LoginResult(Me):
    access_token: str | None = Field(
        description="Authorization: Bearer 令牌；"
        "client=browser 时为空（令牌只在 HttpOnly Cookie 中）"
    )
    token_type: str = "bearer"
    expires_at: datetime


class PasswordBody(BaseModel):
    old_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)


class WindowBody(BaseModel):
    window_id: int = Field(ge=1, le=2**62)


def _me(session: SessionDep, actor: Actor, csrf_token: str | None = None) -> Me:
    region_name = session.scalar(select(Region.name).where(Region.id == actor.region_id))
    windows = session.execute(
        select(ServiceWindow.id, ServiceWindow.name, ServiceWindow.number)
        .join(WindowStaff, WindowStaff.window_id == ServiceWindow.id)
        .where(WindowStaff.user_id == actor.user_id)
        .order_by(ServiceWindow.number)
    ).all()
    permissions = sorted(PERMISSIONS) if actor.superuser else sorted(actor.permissions)
    return Me(
        id=actor.user_id, username=actor.username, display_name=actor.display_name,
        region_id=actor.region_id, region_name=region_name or "", region_level=actor.region_level,
        roles=list(actor.roles), permissions=permissions, superuser=actor.superuser,
        department_id=actor.department_id, squad_id=actor.squad_id, window_id=actor.window_id,
        windows=[WindowRead(id=w.id, name=w.name, number=w.number) for w in windows],
        csrf_token=csrf_token,
    )  # fmt: skip


def _forwarded_certificate(request: Request) -> str | None:
    """The client certificate the TLS proxy forwarded, believed only when the connection
    itself comes from a trusted proxy (which always overwrites the header)."""
    settings = get_auth_settings()
    peer = peer_ip(request)
    if peer is None or peer not in settings.trusted_proxies:
        return None
    return request.headers.get(settings.client_cert_header) or None


@router.post("/login", response_model=LoginResult, summary="登录")
def login(
    body: LoginBody, request: Request, response: Response, session: SessionDep
) -> LoginResult:
    """Username and password (and the CA lock if the account has one). By default: a
    browser session — the HttpOnly cookie is set, and the same session's bearer token and
    CSRF token are in the answer (scripts and API clients use either). `client: "browser"`
    (our web app) leaves the token out, so page scripts can never read it; `client: "app"`
    gives the phone app a long-lived token and no cookie. The CSRF token goes in
    `X-CSRF-Token` on cookie-authenticated changing requests."""
    settings = get_auth_settings()
    kind = SessionKind.BEARER if body.client == "app" else SessionKind.BROWSER
    result = auth.sign_in(
        session, username=body.username, password=body.password, kind=kind,
        ip=client_ip(request), user_agent=request.headers.get("User-Agent"),
        client_certificate=_forwarded_certificate(request), window_id=body.window_id,
    )  # fmt: skip
    session.commit()  # failures, lockouts and their audit rows are kept even on a 401
    if result.throttled:
        raise auth.TooManyAttempts(result.failure or "")
    if result.failure or result.actor is None or result.token is None:
        raise Unauthorized(result.failure or auth.WRONG_CREDENTIALS)
    token: str | None = None if body.client == "browser" else result.token
    if kind is SessionKind.BROWSER:
        response.set_cookie(
            settings.cookie_name, result.token, httponly=True, samesite="strict",
            secure=settings.cookie_secure, path="/",
            max_age=int(settings.browser_session_hours * 3600),
        )  # fmt: skip
    # The CSRF token guards the cookie; an app's bearer token needs none.
    me = _me(session, result.actor, result.csrf_token if kind is SessionKind.BROWSER else None)
    assert result.expires_at is not None
    return LoginResult(**me.model_dump(), access_token=token, expires_at=result.expires_at)


@router.post("/logout", status_code=204, summary="退出登录")
def logout(actor: ActorDep, session: SessionDep, response: Response) -> Response:
    auth.sign_out(session, actor=actor)
    response.delete_cookie(get_auth_settings().cookie_name, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=Me, summary="当前用户")
def me(actor: ActorDep, session: SessionDep, request: Request) -> Me:
    """The user, roles, permissions and region; the CSRF token of a browser session."""
    csrf = None
    cookie = request.cookies.get(get_auth_settings().cookie_name)
    if cookie and not request.headers.get("Authorization"):
        from geo.org.models import AuthSession

        csrf = session.scalar(
            select(AuthSession.csrf_token).where(AuthSession.id == actor.session_id)
        )
    return _me(session, actor, csrf)


@router.post("/password", status_code=204, summary="修改密码")
def change_password(body: PasswordBody, actor: ActorDep, session: SessionDep) -> Response:
    """Other sessions of the user end; this one stays signed in."""
    try:
        auth.change_password(
            session, actor=actor, old_password=body.old_password, new_password=body.new_password
        )
    except auth.WrongPassword:
        session.commit()  # the failure count (and a lockout) must survive the error answer
        raise
    return Response(status_code=204)


@router.put("/window", response_model=Me, summary="选择工作窗口")
def select_window(body: WindowBody, actor: ActorDep, session: SessionDep) -> Me:
    auth.select_window(session, actor=actor, window_id=body.window_id)
    return _me(session, auth.load_actor(session, session_row=_session_row(session, actor)))


def _session_row(session: SessionDep, actor: Actor):  # noqa: ANN202
    from geo.org.models import AuthSession

    return session.get_one(AuthSession, actor.session_id)
