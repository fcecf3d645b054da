"""The base of every domain error: an HTTP-ish status and a message a clerk understands."""

from __future__ import annotations


class DomainError(Exception):
    code = "BadRequest"
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    code = "NotFound"
    status = 404


class Unauthorized(DomainError):
    """No valid session or token (sign in again)."""

    code = "Unauthorized"
    status = 401


class Forbidden(DomainError):
    """Signed in, but the role does not carry the permission."""

    code = "Forbidden"
    status = 403


class Conflict(DomainError):
    """Someone else changed the object first, or it already exists."""

    code = "Conflict"
    status = 409
