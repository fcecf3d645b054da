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
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SessionDep
from geo.core.actor import Actor, sessions_epoch
from geo.core.errors import Forbidden, Unauthorized
from geo.core.settings import get_auth_settings
from geo.org.auth import authenticate, token_digest
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


class ActorCache:
    """Actors of recently seen tokens, reused by reads for a few seconds (bounded LRU).

    An entry is dropped when it is older than `ttl`, when its session has expired, or
    when anything about sessions, accounts or roles changed in this process since it was
    stored (`sessions_epoch`). Writes never use it: they always see the database."""

    def __init__(self, ttl: float, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._entries: OrderedDict[bytes, tuple[Actor, datetime, int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> Actor | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            actor, expires_at, epoch, stored = entry
            fresh = time.monotonic() - stored < self.ttl and epoch == sessions_epoch()
            if fresh and datetime.now(UTC) < expires_at:
                self._entries.move_to_end(key)
                return actor
            del self._entries[key]
            return None

    def put(self, key: bytes, actor: Actor, expires_at: datetime, epoch: int) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (actor, expires_at, epoch, time.monotonic())
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _actor_cache(request: Request) -> ActorCache:
    return request.app.state.actor_cache  # type: ignore[no-any-return]  # set by create_app


def current_actor(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Actor:
    token = bearer.credentials if bearer is not None else cookie
    if not token:
        raise Unauthorized("请先登录")
    ip = client_ip(request)
    reading = request.method in SAFE_METHODS
    key = token_digest(token)
    cached = _actor_cache(request).get(key) if reading else None
    if cached is not None:
        actor = replace(cached, ip=ip)
    else:
        epoch = sessions_epoch()  # before the read: a change during it makes the entry stale
        actor, facts = authenticate(session, token=token, ip=ip)
        if bearer is None and not reading:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), facts.csrf_token.encode()):
                raise Forbidden("安全校验失败（CSRF 令牌缺失或不匹配），请刷新页面后重试")
        if reading:
            _actor_cache(request).put(key, actor, facts.expires_at, epoch)
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


def require_any(*permissions: str) -> Callable[[Actor], Actor]:
    """Like `require`, for a route open to holders of any of `permissions`."""
    checks = [require(p) for p in permissions]

    def dependency(actor: ActorDep) -> Actor:
        if not any(actor.can(p) for p in permissions):
            return checks[0](actor)  # refuses, naming the first permission
        return actor

    dependency.permission = permissions[0]  # type: ignore[attr-defined]  # read by the route test
    dependency.permissions = permissions  # type: ignore[attr-defined]
    return dependency
