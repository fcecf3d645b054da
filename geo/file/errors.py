"""Refusals of an uploaded file, each with the HTTP status a client can act on."""

from __future__ import annotations

from geo.core.errors import DomainError


class UnsupportedFileType(DomainError):
    code = "UnsupportedMediaType"
    status = 415


class FileTooLarge(DomainError):
    code = "PayloadTooLarge"
    status = 413


class EmptyFile(DomainError):
    code = "EmptyFile"
    status = 422
