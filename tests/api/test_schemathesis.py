"""No input makes the identity, configuration, inspection and enforcement API answer 5xx
(SYS-1..SYS-11, DR, LE-8, LE-9).

Schemathesis generates requests from the app's own OpenAPI document — valid ones and
deliberately broken ones — for sign-in and every route under the organisation, admin,
centre, hall, window, parameter, calendar and audit paths, the random inspections (their
registers, draws, publication, tasks and lists), patrols, task dispatch and cases, sent as
the administrator.
Each operation runs in the test's rolled-back transaction; examples are deterministic.
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
from api.routes.event_query import export_session

PREFIXES = (
    "/api/v1/org", "/api/v1/admin", "/api/v1/centres", "/api/v1/halls", "/api/v1/windows",
    "/api/v1/parameters", "/api/v1/calendar", "/api/v1/audit",
    "/api/v1/inspection", "/public/inspection",
    "/api/v1/patrol-plans", "/api/v1/patrols", "/api/v1/patrol-check-ins",
    "/api/v1/patrol-photos", "/api/v1/enforcement-tasks", "/api/v1/cases",
    "/api/v1/command", "/api/v1/party",
)  # fmt: skip
EXAMPLES = 25  # per operation, valid and broken requests mixed


def _in_scope(operation: Any) -> bool:
    tags = operation.definition.raw.get("tags", [])
    return "auth" in tags or operation.path.startswith(PREFIXES)


SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
_ALL = (result.ok() for result in SCHEMA.get_all_operations())


def _multipart(operation: Any) -> bool:
    """Uploads: the test client cannot send the generated multipart bodies (httpx refuses
    them before any request); their refusals are tested with real files instead."""
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    return "multipart/form-data" in content


def _endless(operation: Any) -> bool:
    """Event streams never end by themselves; their refusals are tested on their own."""
    ok = operation.definition.raw.get("responses", {}).get("200", {})
    return "text/event-stream" in ok.get("content", {})


OPERATIONS = {
    op.label: op for op in _ALL if _in_scope(op) and not _multipart(op) and not _endless(op)
}


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
    app.dependency_overrides[export_session] = lambda: db  # streamed downloads
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
    assert "POST /api/v1/auth/login" in OPERATIONS
    assert {"POST /api/v1/inspection/draws", "POST /api/v1/enforcement-tasks",
            "GET /public/inspection/draws/{number}/verify"} <= set(OPERATIONS)  # fmt: skip
    assert "POST /api/v1/inspection/assignments/{assignment_id}/photos" not in OPERATIONS
    assert "GET /api/v1/command/summary" in OPERATIONS
    assert "GET /api/v1/command/stream" not in OPERATIONS
    assert all(not label.split(" ", 1)[1].startswith("/collections") for label in OPERATIONS)


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
