"""No input makes the officer, expert and inspection-item API answer 5xx (DR-3 … DR-5).

Schemathesis generates valid and deliberately broken requests from the app's OpenAPI
document for every operation of these registers, sent as the administrator; each runs in
the test's rolled-back transaction and the examples are deterministic (as in
test_schemathesis.py, which covers the identity and configuration API)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy.orm import Session

from api.deps import get_session
from api.main import create_app

PREFIXES = tuple(
    f"/api/v1/inspection/{p}"
    for p in ("officer-types", "officer-candidates", "officers", "experts", "item-categories",
              "items")
)  # fmt: skip
EXAMPLES = 25

SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
_ALL = (result.ok() for result in SCHEMA.get_all_operations())
OPERATIONS = {op.label: op for op in _ALL if op.path.startswith(PREFIXES)}


@pytest.fixture
def api(db: Session) -> Iterator[TestClient]:
    def session() -> Iterator[Session]:
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        else:
            db.commit()

    app = create_app()
    app.dependency_overrides[get_session] = session
    with TestClient(app) as c:
        yield c


def test_every_register_operation_is_fuzzed() -> None:
    assert {"POST /api/v1/inspection/officers", "PUT /api/v1/inspection/items/{item_id}",
            "GET /api/v1/inspection/experts"} <= set(OPERATIONS)  # fmt: skip


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_error(label: str, api: TestClient, db: Session, login_as: Callable) -> None:
    operation = OPERATIONS[label]
    headers = login_as("admin")
    db.commit()  # keep the token when a failing request rolls its own savepoint back
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
        api.cookies.clear()
        api.cookies.update(kwargs.pop("cookies", None) or {})
        if isinstance(kwargs.get("data"), bytes | str):
            kwargs["content"] = kwargs.pop("data")
        response = api.request(**kwargs)
        case.validate_response(response, checks=[not_a_server_error])

    check()
