"""Who is calling, and may they: the dependencies every `/api/v1` route uses.

A request carries either `Authorization: Bearer <token>` (phone app, scripts) or the
browser's session cookie. A cookie-authenticated request that changes something must
also send the session's CSRF token in `X-CSRF-Token` (the cookie alone is what a forged
cross-site form would carry; the token is not). Routes declare their permission with a
dependency `require("module.action")`, usually through an alias such as
`UserManager = Annotated[Actor, Depends(require("system.user.manage"))]`; a test walks
the routes to check that every `/api/v1` route does (or is sign-in itself).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from ipaddress import ip_address
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SessionDep
from geo.core.actor import Actor
from geo.core.errors import Forbidden, Unauthorized
from geo.core.settings import get_auth_settings
from geo.org.auth import authenticate
from geo.org.permissions import PERMISSIONS

__all__ = ["ActorDep", "client_ip", "current_actor", "peer_ip", "require"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"

_bearer = HTTPBearer(auto_error=False, description="登录返回的 access_token")
_cookie = APIKeyCookie(name=get_auth_settings().cookie_name, auto_error=False)


def peer_ip(request: Request) -> str | None:
    """The address of the other end of the connection (the proxy, behind one)."""
    return _ip(request.client.host if request.client else None)


def client_ip(request: Request) -> str | None:
    """The user's address, for the audit log: behind a trusted proxy, the last address
    in `X-Forwarded-For` that is not one of our proxies (earlier ones the client wrote)."""
    peer = peer_ip(request)
    trusted = get_auth_settings().trusted_proxies
    if peer is None or peer not in trusted:
        return peer
    hops = [_ip(hop.strip()) for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    return next((hop for hop in reversed(hops) if hop and hop not in trusted), peer)


def _ip(host: str | None) -> str | None:
    try:
        return str(ip_address(host)) if host else None
    except ValueError:  # e.g. the test client's "testclient"
        return None


def current_actor(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Actor:
    ip = client_ip(request)
    if bearer is not None:
        actor, _ = authenticate(session, token=bearer.credentials, ip=ip)
    elif cookie:
        actor, row = authenticate(session, token=cookie, ip=ip)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), row.csrf_token.encode()):
                raise Forbidden("安全校验失败（CSRF 令牌缺失或不匹配），请刷新页面后重试")
    else:
        raise Unauthorized("请先登录")
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]


def require(permission: str) -> Callable[[Actor], Actor]:
    """A dependency that lets the call through only for actors holding `permission`."""
    if permission not in PERMISSIONS:
        raise ValueError(f"未声明的权限 {permission!r}（见 geo/org/permissions.py）")

    def dependency(actor: ActorDep) -> Actor:
        actor.require(permission)
        return actor

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the route test
    return dependency
