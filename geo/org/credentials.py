"""Credentials of an account (SYS-1, SYS-2): lift a lockout, reset the password, bind
or unbind the CA-lock certificate. Like every change of another account (`managed_user`),
only by an actor who holds every administrative permission of the account: a reset is a
way to act as it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import Conflict
from geo.core.scope import readable
from geo.core.settings import get_auth_settings
from geo.org.auth import revoke_sessions
from geo.org.certificates import CertificateError, fingerprint, load_client_certificate
from geo.org.errors import OrgRuleError
from geo.org.models import UserAccount
from geo.org.passwords import check_password_rules, hash_password
from geo.org.schemas import UserDetail
from geo.org.users import audit_user, get_user, managed_user

__all__ = ["bind_certificate", "reset_password", "unbind_certificate", "unlock_user"]


def unlock_user(session: Session, *, actor: Actor, user_id: int) -> None:
    """Clear a lockout after too many wrong passwords (and the failure count)."""
    user, _ = managed_user(session, actor, user_id)
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    audit_user(
        session,
        actor,
        "org.user_unlock",
        user,
        before=before,
        after={"failed_logins": 0, "locked_until": None},
    )


def reset_password(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    new_password: str,
    now: datetime | None = None,
) -> None:
    """An administrator's reset: the account's sessions end and a lockout is lifted."""
    user, _ = managed_user(session, actor, user_id)
    check_password_rules(new_password, username=user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now or datetime.now(UTC)
    user.failed_logins = 0
    user.locked_until = None
    own = actor.session_id if user.id == actor.user_id else None
    revoke_sessions(session, user_id=user.id, keep=own, now=now)
    session.flush()
    audit_user(session, actor, "org.user_password_reset", user, detail="管理员重置密码")


def bind_certificate(
    session: Session, *, actor: Actor, user_id: int, pem: str, now: datetime | None = None
) -> UserDetail:
    """Bind a CA-lock certificate issued by the configured CA: from now on the account
    signs in only with it plugged in."""
    user, _ = managed_user(session, actor, user_id)
    try:
        cert = load_client_certificate(pem, ca_file=get_auth_settings().client_ca_file, now=now)
    except CertificateError as exc:
        raise OrgRuleError(exc.detail) from None  # a bad upload, not an expired sign-in
    digest = fingerprint(cert)
    holder = session.execute(
        select(UserAccount.username, readable(actor, UserAccount.region_id).label("visible")).where(
            UserAccount.cert_fingerprint == digest, UserAccount.id != user.id
        )
    ).one_or_none()
    if holder is not None:
        # Named only inside the actor's scope: an account of another town stays unknown.
        whom = f"用户“{holder.username}”" if holder.visible else "其他用户"
        raise Conflict(f"该证书已绑定给{whom}")
    before = user.cert_fingerprint
    user.cert_fingerprint = digest
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("该证书已绑定给其他用户") from None
    audit_user(
        session,
        actor,
        "org.user_certificate_bind",
        user,
        before={"cert_fingerprint": before},
        after={"cert_fingerprint": digest},
    )
    return get_user(session, actor=actor, user_id=user.id)


def unbind_certificate(session: Session, *, actor: Actor, user_id: int) -> None:
    user, _ = managed_user(session, actor, user_id)
    if user.cert_fingerprint is None:
        return
    before = user.cert_fingerprint
    user.cert_fingerprint = None
    session.flush()
    audit_user(
        session,
        actor,
        "org.user_certificate_unbind",
        user,
        before={"cert_fingerprint": before},
        after={"cert_fingerprint": None},
    )
