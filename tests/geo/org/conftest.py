"""Fixtures of the organisation tests: ids by name (`actor_of` is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.org.models import Department, Squad, UserAccount
from geo.region.models import Region


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
