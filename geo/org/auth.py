"""Sign-in, sessions and passwords (SYS-1).

`sign_in` never raises for a wrong password: it returns a failed `SignIn` so the caller
can COMMIT the failure count, the lockout and the audit row before answering 401 (a
rollback would forget them and make guessing free). Tokens are random; the database
keeps only their HMAC under the app's secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import DomainError, Unauthorized
from geo.core.settings import get_auth_settings
from geo.org.certificates import CertificateError, fingerprint, load_client_certificate
from geo.org.models import AuthSession, SessionKind, UserAccount, WindowStaff
from geo.org.passwords import (
    PasswordRuleError,
    check_password_rules,
    hash_password,
    needs_rehash,
    verify,
)
from geo.parameter.service import get_parameter

__all__ = [
    "SessionFacts",
    "SignIn",
    "TooManyAttempts",
    "WrongPassword",
    "authenticate",
    "change_password",
    "load_actor",
    "open_session",
    "revoke_sessions",
    "select_window",
    "sign_in",
    "sign_out",
    "token_digest",
]

WRONG_CREDENTIALS = "用户名或密码错误"
# The database's rule for user names: anything else cannot be an account (and a NUL byte
# would not even reach the database), so it is an unknown user without a query.
_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
# Sliding expiry is written at most this often, not on every request.
_TOUCH_EVERY = timedelta(seconds=60)


class WrongPassword(DomainError):
    """The old password given for a change was wrong. The failure is counted like a
    wrong sign-in, so the caller commits before answering (a rollback would forget it)."""

    code = "WrongPassword"
    status = 422


class TooManyAttempts(DomainError):
    """Too many failed sign-ins from one address: answered without checking anything."""

    code = "TooManyAttempts"
    status = 429


@dataclass(frozen=True)
class SignIn:
    failure: str | None = None  # the reason shown to the user; None = signed in
    throttled: bool = False  # refused for the address's failures, not for this account
    token: str | None = None
    csrf_token: str | None = None
    expires_at: datetime | None = None
    actor: Actor | None = None


def token_digest(token: str) -> bytes:
    key = get_auth_settings().secret_key.encode()
    return hmac.new(key, token.encode(), hashlib.sha256).digest()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _audit(
    session: Session,
    action: str,
    user: UserAccount | None,
    username: str,
    *,
    ip: str | None,
    detail: str | None = None,
) -> None:
    record(
        session,
        action=action,
        object_type="user_account",
        object_id=user.id if user else username,
        actor_id=user.id if user else None,
        actor_name=user.display_name if user else username,
        ip=ip,
        detail=detail,
    )


def sign_in(
    session: Session,
    *,
    username: str,
    password: str,
    kind: SessionKind = SessionKind.BROWSER,
    ip: str | None = None,
    user_agent: str | None = None,
    client_certificate: str | None = None,
    window_id: int | None = None,
    now: datetime | None = None,
) -> SignIn:
    """Check the credentials (and the CA lock when the account has one) and open a
    session. The user row is locked while its failure count changes, so concurrent
    wrong guesses are all counted."""
    now = _now(now)
    if ip is not None and _address_throttled(session, ip, now):
        return SignIn(failure=_THROTTLED, throttled=True)
    user = _lock_user(session, username.strip().lower())
    if user is None:
        verify(None, password)  # same cost as a real check: no user enumeration by timing
        _audit(session, "auth.login_failed", None, _printable(username), ip=ip, detail="用户不存在")
        return SignIn(failure=WRONG_CREDENTIALS)
    if _is_locked(user, now):
        _audit(session, "auth.login_refused", user, username, ip=ip, detail="账号已锁定")
        return SignIn(failure=_locked_message(user))
    if not verify(user.password_hash, password):
        return SignIn(failure=_count_failure(session, user, ip=ip, now=now))
    if not user.is_active:
        _audit(session, "auth.login_refused", user, username, ip=ip, detail="账号已停用")
        return SignIn(failure="账号已停用，请联系管理员")
    if user.cert_fingerprint:
        problem = _certificate_problem(user, client_certificate, now)
        if problem:
            _audit(session, "auth.login_refused", user, username, ip=ip, detail=problem)
            return SignIn(failure=problem)
    if window_id is not None and window_id not in _window_ids(session, user.id):
        _audit(session, "auth.login_refused", user, username, ip=ip, detail="所选窗口不是本人窗口")
        return SignIn(failure="所选窗口不是您的工作窗口")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    result = open_session(
        session, user=user, kind=kind, ip=ip, user_agent=user_agent, window_id=window_id, now=now
    )
    _audit(session, "auth.login", user, username, ip=ip, detail=f"方式：{kind.value}")
    return result


_THROTTLED = "此地址登录失败次数过多，请稍后再试；如忘记密码请联系管理员"


def _address_throttled(session: Session, ip: str, now: datetime) -> bool:
    """Too many failures from this address lately? One address guessing across many
    accounts (or locking them all out, or probing which names exist) is stopped here;
    the per-account lockout cannot see it. Counted from the audit log (partial index)."""
    limit = get_parameter(session, key="auth.max_failed_logins_per_address")
    window = timedelta(minutes=get_parameter(session, key="auth.lock_minutes"))
    failures = session.scalar(
        text("""SELECT count(*) FROM (
                    SELECT 1 FROM audit_log
                    WHERE action = 'auth.login_failed' AND ip = CAST(:ip AS inet)
                      AND at > :since
                    LIMIT :limit) AS recent"""),
        {"ip": ip, "since": now - window, "limit": limit},
    )
    return bool(failures is not None and failures >= limit)


def _lock_user(session: Session, username: str) -> UserAccount | None:
    """The account row, locked and re-read from the database (never a stale copy from
    the session), so concurrent wrong guesses each see the previous one's count."""
    if not _USERNAME.match(username):
        return None
    return session.scalar(
        select(UserAccount)
        .where(UserAccount.username == username)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _printable(username: str) -> str:
    """The typed name as the audit log can store it (no NUL, no lone surrogates)."""
    cleaned = "".join(ch for ch in username[:64] if ch.isprintable())
    return cleaned.encode("utf-8", "replace").decode("utf-8") or "?"


def _is_locked(user: UserAccount, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _locked_message(user: UserAccount) -> str:
    assert user.locked_until is not None
    until = user.locked_until.astimezone(_shanghai()).strftime("%H:%M")
    return f"账号因多次密码错误已锁定，请于 {until} 后再试，或联系管理员解锁"


def _shanghai():  # noqa: ANN202
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def _count_failure(
    session: Session,
    user: UserAccount,
    *,
    ip: str | None,
    now: datetime,
    wrong: str = WRONG_CREDENTIALS,
) -> str:
    limit = get_parameter(session, key="auth.max_failed_logins")
    user.failed_logins += 1
    left = limit - user.failed_logins
    _audit(
        session,
        "auth.login_failed",
        user,
        user.username,
        ip=ip,
        detail=f"密码错误（连续第 {user.failed_logins} 次）",
    )
    if left > 0:
        return f"{wrong}，再错 {left} 次账号将被锁定"
    minutes = get_parameter(session, key="auth.lock_minutes")
    user.locked_until = now + timedelta(minutes=minutes)
    user.failed_logins = 0
    _audit(
        session,
        "auth.locked",
        user,
        user.username,
        ip=ip,
        detail=f"连续 {limit} 次密码错误，锁定 {minutes} 分钟",
    )
    return f"{wrong}，账号已锁定 {minutes} 分钟"


def _certificate_problem(user: UserAccount, forwarded: str | None, now: datetime) -> str | None:
    if not forwarded:
        return "此账号须插入 CA 锁（数字证书）登录"
    try:
        cert = load_client_certificate(
            forwarded, ca_file=get_auth_settings().client_ca_file, now=now
        )
    except CertificateError as exc:
        return exc.detail
    bound = (user.cert_fingerprint or "").replace(":", "").lower()
    if not hmac.compare_digest(fingerprint(cert), bound):
        return "插入的 CA 锁不属于此账号"
    return None


def _window_ids(session: Session, user_id: int) -> list[int]:
    return list(
        session.scalars(select(WindowStaff.window_id).where(WindowStaff.user_id == user_id))
    )


def open_session(
    session: Session,
    *,
    user: UserAccount,
    kind: SessionKind = SessionKind.BROWSER,
    ip: str | None = None,
    user_agent: str | None = None,
    window_id: int | None = None,
    now: datetime | None = None,
) -> SignIn:
    """A new session for a user already verified. A clerk with exactly one window works
    at it; one with several picks one (at sign-in or afterwards)."""
    now = _now(now)
    settings = get_auth_settings()
    if window_id is None:
        windows = _window_ids(session, user.id)
        window_id = windows[0] if len(windows) == 1 else None
    if kind is SessionKind.BROWSER:
        idle = get_parameter(session, key="auth.idle_timeout_minutes")
        hard_stop = now + timedelta(hours=settings.browser_session_hours)
        expires = min(now + timedelta(minutes=idle), hard_stop)
    else:
        expires = now + timedelta(days=settings.bearer_token_days)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    row = AuthSession(
        token_hash=token_digest(token),
        csrf_token=csrf,
        user_id=user.id,
        kind=kind.value,
        window_id=window_id,
        created_at=now,
        last_seen_at=now,
        expires_at=expires,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(row)
    session.flush()
    actor = load_actor(session, session_row=row, ip=ip)
    return SignIn(token=token, csrf_token=csrf, expires_at=expires, actor=actor)


# The session, its user, region, roles and permissions in one round trip: this runs on
# every signed-in request (each map tile included).
_ACTOR_SQL = """
    SELECT s.id AS session_id, s.csrf_token, s.kind, s.window_id, s.created_at,
           s.last_seen_at, s.expires_at, s.revoked_at,
           u.id, u.username, u.display_name, u.is_active, u.region_id, u.department_id,
           u.squad_id, r.path::text AS region_path, r.level AS region_level,
           coalesce(g.roles, '{{}}') AS roles, coalesce(g.superuser, false) AS superuser,
           coalesce(g.permissions, '{{}}') AS permissions
    FROM auth_session s
    JOIN user_account u ON u.id = s.user_id
    JOIN region r ON r.id = u.region_id
    LEFT JOIN LATERAL (
        SELECT array_agg(DISTINCT ur.role_code) AS roles,
               bool_or(ro.is_superuser) AS superuser,
               array_agg(DISTINCT rp.permission) FILTER (WHERE rp.permission IS NOT NULL)
                   AS permissions
        FROM user_role ur
        JOIN role ro ON ro.code = ur.role_code
        LEFT JOIN role_permission rp ON rp.role_code = ur.role_code
        WHERE ur.user_id = u.id
    ) AS g ON true
    WHERE {where}
"""
_ACTOR_BY_TOKEN = text(_ACTOR_SQL.format(where="s.token_hash = :digest"))
_ACTOR_BY_SESSION = text(_ACTOR_SQL.format(where="s.id = :session_id"))


@dataclass(frozen=True)
class SessionFacts:
    """What a request needs of its session besides the actor."""

    id: int
    csrf_token: str
    kind: str
    expires_at: datetime


def _actor(row: Any, ip: str | None) -> Actor:
    return Actor(
        user_id=row.id,
        username=row.username,
        display_name=row.display_name,
        region_id=row.region_id,
        region_path=row.region_path,
        region_level=row.region_level,
        roles=tuple(sorted(row.roles)),
        permissions=frozenset(row.permissions),
        superuser=row.superuser,
        department_id=row.department_id,
        squad_id=row.squad_id,
        window_id=row.window_id,
        session_id=row.session_id,
        ip=ip,
    )


def load_actor(session: Session, *, session_row: AuthSession, ip: str | None = None) -> Actor:
    row = session.execute(_ACTOR_BY_SESSION, {"session_id": session_row.id}).one()
    return _actor(row, ip)


def authenticate(
    session: Session,
    *,
    token: str,
    ip: str | None = None,
    now: datetime | None = None,
) -> tuple[Actor, SessionFacts]:
    """The actor behind a token, or Unauthorized. Browser sessions slide: each use
    pushes the idle expiry forward, up to the absolute lifetime."""
    now = _now(now)
    row = session.execute(_ACTOR_BY_TOKEN, {"digest": token_digest(token)}).one_or_none()
    if row is None:
        raise Unauthorized("登录凭证无效，请重新登录")
    if row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized("登录已过期，请重新登录")
    if not row.is_active:
        raise Unauthorized("账号已停用，请联系管理员")
    expires_at = row.expires_at
    if row.kind == SessionKind.BROWSER.value and now - row.last_seen_at > _TOUCH_EVERY:
        expires_at = _slide(session, row.session_id, row.created_at, now)
    facts = SessionFacts(row.session_id, row.csrf_token, row.kind, expires_at)
    return _actor(row, ip), facts


def _slide(session: Session, session_id: int, created_at: datetime, now: datetime) -> datetime:
    idle = get_parameter(session, key="auth.idle_timeout_minutes")
    hard_stop = created_at + timedelta(hours=get_auth_settings().browser_session_hours)
    expires = min(now + timedelta(minutes=idle), hard_stop)
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id)
        .values(last_seen_at=now, expires_at=expires)
    )
    return expires


def sign_out(session: Session, *, actor: Actor, now: datetime | None = None) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == actor.session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=_now(now))
    )
    record(
        session,
        action="auth.logout",
        object_type="user_account",
        object_id=actor.user_id,
        **actor.audit_fields(),
    )


def revoke_sessions(
    session: Session, *, user_id: int, keep: int | None = None, now: datetime | None = None
) -> None:
    """End every open session of a user (password reset, disabled account)."""
    stmt = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    session.execute(stmt.values(revoked_at=_now(now)))


def change_password(
    session: Session,
    *,
    actor: Actor,
    old_password: str,
    new_password: str,
    now: datetime | None = None,
) -> None:
    """The user's own change: the old password is required; other sessions end.

    A wrong old password counts towards the lockout like a wrong sign-in (raised as
    `WrongPassword`, to be committed): an unattended signed-in screen is not a way to
    guess the password without limit."""
    now = _now(now)
    user = session.get(UserAccount, actor.user_id, with_for_update=True, populate_existing=True)
    if user is None:
        raise Unauthorized("登录已过期，请重新登录")
    if _is_locked(user, now):
        raise DomainError(_locked_message(user))
    if not verify(user.password_hash, old_password):
        raise WrongPassword(
            _count_failure(session, user, ip=actor.ip, now=now, wrong="原密码不正确")
        )
    if old_password == new_password:
        raise PasswordRuleError("新密码不能与原密码相同")
    check_password_rules(new_password, username=user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    revoke_sessions(session, user_id=user.id, keep=actor.session_id, now=now)
    record(
        session,
        action="auth.password_change",
        object_type="user_account",
        object_id=user.id,
        **actor.audit_fields(),
    )


def select_window(session: Session, *, actor: Actor, window_id: int) -> None:
    """A clerk on several windows picks the one they work at in this session."""
    if window_id not in _window_ids(session, actor.user_id):
        raise DomainError("所选窗口不是您的工作窗口")
    session.execute(
        update(AuthSession).where(AuthSession.id == actor.session_id).values(window_id=window_id)
    )
    record(
        session,
        action="auth.select_window",
        object_type="user_account",
        object_id=actor.user_id,
        after={"window_id": window_id},
        **actor.audit_fields(),
    )
