"""No input makes the draw API or the public record answer 5xx: Schemathesis generates
valid and broken requests from the app's OpenAPI document for every operation under
/api/v1/inspection/draws and /public/inspection, sent as the administrator, each in the
test's rolled-back transaction (deterministic examples)."""

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
from api.routes.event_query import export_session

PREFIXES = ("/api/v1/inspection/draws", "/public/inspection")
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
    app.dependency_overrides[export_session] = lambda: db
    with TestClient(app) as c:
        yield c


def test_every_draw_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) == 13, sorted(OPERATIONS)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_error(label: str, api: TestClient, db: Session, login_as: Callable) -> None:
    operation = OPERATIONS[label]
    headers = login_as("admin")
    db.commit()
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
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
