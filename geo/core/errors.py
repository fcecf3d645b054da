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
