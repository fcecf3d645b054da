"""What the scenarios share: the HTTP API as one demo user sees it, with every refusal
turned into `ScenarioFailed` carrying the server's Chinese reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
PASSWORD = "Demo@2026"  # every demo account's (README, “Sign-in, roles and data scope”)

Out = Callable[[str], None]


class ScenarioFailed(Exception):
    """A step the server refused (or could not answer); the message is for the reader."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    id: int
    region_id: int
    department_id: int | None
    headers: dict[str, str]


class Api:
    """The HTTP API as one client sees it: any refusal becomes `ScenarioFailed` carrying
    the server's Chinese reason."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def call(self, step: str, method: str, path: str, user: DemoUser | None = None,
             body: dict[str, Any] | None = None,
             params: dict[str, Any] | None = None) -> Any:  # fmt: skip
        try:
            r = self.client.request(method, path, json=body, params=params,
                                    headers=user.headers if user else None)  # fmt: skip
        except httpx.HTTPError as exc:
            raise ScenarioFailed(f"{step}：无法连接服务（{exc}）") from exc
        if r.is_success:
            return r.json()
        raise ScenarioFailed(f"{step}失败（HTTP {r.status_code}）：{_reason(r)}")

    def sign_in(self, username: str) -> DemoUser:
        body = {"username": username, "password": PASSWORD, "client": "app"}
        me = self.call(f"{username} 登录", "POST", "/api/v1/auth/login", body=body)
        return DemoUser(
            username=username, display_name=me["display_name"], id=me["id"],
            region_id=me["region_id"], department_id=me["department_id"],
            headers={"Authorization": f"Bearer {me['access_token']}"},
        )  # fmt: skip


def _reason(r: httpx.Response) -> str:
    try:
        detail = r.json().get("detail")
    except ValueError:
        return r.text[:200] or r.reason_phrase
    return detail if isinstance(detail, str) else str(detail)
