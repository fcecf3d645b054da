"""A change is committed before its answer is sent: a client that reads right after a
2xx sees the change, and a commit that fails is an error answer, never a 2xx."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import api.deps
from api.main import create_app


def test_the_transaction_ends_before_the_answer_starts(
    db: Session, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    headers = login_as("admin")

    @contextmanager
    def recording_scope() -> Iterator[Session]:
        yield db
        events.append("commit")

    monkeypatch.setattr(api.deps, "session_scope", recording_scope)
    app = create_app()

    async def watching(scope: Any, receive: Any, send: Any) -> None:
        async def watched_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                events.append("answer")
            await send(message)

        await app(scope, receive, watched_send)

    with TestClient(watching) as http:
        answer = http.post(
            "/api/v1/org/departments",
            json={"name": "提交顺序检查", "region_id": 1},
            headers=headers,
        )
    assert answer.status_code == 201, answer.text
    assert events == ["commit", "answer"]
