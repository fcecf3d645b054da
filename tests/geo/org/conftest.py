"""Fixtures of the organisation tests: demo users as services see them, ids by name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.org.auth import open_session
from geo.org.models import Department, SessionKind, Squad, UserAccount
from geo.region.models import Region


@pytest.fixture
def actor_of(db: Session) -> Callable[[str], Actor]:
    """`actor_of("ys_admin")`: the demo user as services see them (a fresh session)."""

    def load(username: str) -> Actor:
        user = db.scalars(select(UserAccount).filter_by(username=username)).one()
        signed_in = open_session(db, user=user, kind=SessionKind.BEARER)
        assert signed_in.actor is not None
        return signed_in.actor

    return load


@pytest.fixture
def ids(db: Session) -> Callable[..., int]:
    """`ids(region="320582100000")`, `ids(department="杨舍城管办")`, `ids(user=…)`…"""

    def lookup(**what: str) -> int:
        ((kind, key),) = what.items()
        column = {
            "region": Region.code,
            "department": Department.name,
            "squad": Squad.name,
            "user": UserAccount.username,
        }[kind]
        return db.scalars(select(column.class_.id).where(column == key)).one()

    return lookup
