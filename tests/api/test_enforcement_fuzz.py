"""No input makes the patrol, task-dispatch and case API answer 5xx (LE-8, LE-9).

Schemathesis generates requests from the app's own OpenAPI document — valid ones and
deliberately broken ones — for every route under the patrol plan, check-in, patrol photo,
enforcement task and case paths, sent as the administrator. Each operation runs in the
test's rolled-back transaction; examples are deterministic.
"""

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

PREFIXES = (
    "/api/v1/patrol-plans", "/api/v1/patrols", "/api/v1/patrol-check-ins",
    "/api/v1/patrol-photos", "/api/v1/enforcement-tasks", "/api/v1/cases",
)  # fmt: skip
EXAMPLES = 15  # per operation, valid and broken requests mixed


def _in_scope(operation: Any) -> bool:
    # Multipart uploads are left out: the client side of the generator cannot replay them;
    # tests/api/test_enforcement_api.py sends them (good and bad files) itself.
    uploads = operation.method.upper() == "POST" and operation.path.endswith(
        ("/attachments", "/photos")
    )
    return operation.path.startswith(PREFIXES) and not uploads


SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
_ALL = (result.ok() for result in SCHEMA.get_all_operations())
OPERATIONS = {op.label: op for op in _ALL if _in_scope(op)}


@pytest.fixture
def api(db: Session) -> Iterator[TestClient]:
    """The app on the test's session; each request is a savepoint, rolled back when the
    route fails, as `get_session` does with a real transaction."""

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


def _send(client: TestClient, kwargs: dict[str, Any]) -> Any:
    kwargs = dict(kwargs)
    client.cookies.clear()  # only the generated cookies, none left from a sign-in
    client.cookies.update(kwargs.pop("cookies", None) or {})
    if isinstance(kwargs.get("data"), bytes | str):
        kwargs["content"] = kwargs.pop("data")
    return client.request(**kwargs)


def test_scope_is_not_empty() -> None:
    assert "POST /api/v1/enforcement-tasks" in OPERATIONS
    assert "POST /api/v1/patrol-check-ins" in OPERATIONS


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
        response = _send(api, kwargs)
        case.validate_response(response, checks=[not_a_server_error])

    check()
