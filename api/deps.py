"""Request-scoped dependencies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from geo.core.db import session_scope
from geo.core.settings import get_app_settings


def get_session() -> Iterator[Session]:
    """One transaction per request: committed when the route returns, else rolled back.

    Function scope: the commit happens before the answer is sent, so a client that reads
    right after a change sees it, and a failed commit is an error, never a 2xx."""
    with session_scope() as session:
        yield session


def base_url(request: Request) -> str:
    """Absolute base for links: configured (behind a proxy) or taken from the request."""
    configured = get_app_settings().public_url
    return (configured or str(request.base_url)).rstrip("/")


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
