"""Refusals of the Open311 interface; each becomes the spec's error list with its HTTP
status as `code` (400 bad argument, 403 key refused, 404 unknown)."""

from __future__ import annotations

from geo.core.errors import DomainError, Forbidden


class Open311BadRequest(DomainError):
    code = "BadRequest"
    status = 400


class KeyRefused(Forbidden):
    """No api_key, an unknown one, a revoked one, or a point outside the key's area."""


class KeyRuleError(DomainError):
    code = "Open311KeyRuleError"
    status = 422
