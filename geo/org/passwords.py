"""Password hashing (argon2id) and the password rules a clerk is told about."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.core.errors import DomainError

__all__ = ["PasswordRuleError", "check_password_rules", "hash_password", "needs_rehash", "verify"]

_hasher = PasswordHasher()  # argon2id, the library's current recommended parameters
# Verified when the username is unknown, so a wrong name costs what a wrong password does.
_DUMMY_HASH = _hasher.hash("no-such-user-timing-equaliser")


class PasswordRuleError(DomainError):
    code = "PasswordRuleError"
    status = 422


def check_password_rules(password: str, *, username: str) -> None:
    if len(password) < 8:
        raise PasswordRuleError("密码至少 8 位")
    if len(password) > 128:
        raise PasswordRuleError("密码不能超过 128 位")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"[0-9]", password)):
        raise PasswordRuleError("密码须同时包含字母和数字")
    if username and username.lower() in password.lower():
        raise PasswordRuleError("密码不能包含用户名")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing user is checked against a dummy hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
