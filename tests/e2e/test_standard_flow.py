"""The manual's standard flow (疑似废弃车辆) through the screens: the grid member reports
through the HTTP API as the phone would; in the browser ys_dispatcher claims it from the
pool on the workbench, signs it with “请处理” and dispatches it to ys_handler's department;
ys_handler opens the work order (#/events/:id), receives it and feeds back with a photo;
ys_dispatcher closes it from 待结案. The history is checked on screen and through the API.

Screenshots of each step go to test-output/standard_flow/ (git-ignored). No page may log
a script or console error or meet a server failure.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from data.scenarios.standard_flow import CATEGORY, interior_point
from tests.e2e.conftest import signed_in_context

PASSWORD = "Demo@2026"
TITLE = "疑似废弃车辆"
EVENTS = "/api/v1/events"


class Watch:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def on_console(self, msg: Any) -> None:
        if msg.type == "error":
            self.problems.append(f"console: {msg.text}")

    def on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.request.method} {response.url}")


def _sign_in(client: httpx.Client, username: str) -> dict[str, str]:
    r = client.post(
        "/api/v1/auth/login", json={"username": username, "password": PASSWORD, "client": "app"}
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _png() -> bytes:
    """A small valid PNG: the scene after the vehicle was towed away."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x40\x90\x40" * 16 for _ in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "standard_flow"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def api(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client


@pytest.fixture
def signed_in_page(
    browser: Any, live_server: str, shots: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str, str], Any]]:
    """`signed_in_page(username, hash)`: a page of that demo user at `#/<hash>`."""
    opened: list[tuple[Any, Watch]] = []
    failures_before = request.session.testsfailed

    def _open(username: str, where: str) -> Any:
        context = signed_in_context(
            browser, live_server, username, viewport={"width": 1500, "height": 950}
        )
        page = context.new_page()
        watch = Watch()
        page.on("console", watch.on_console)
        page.on("pageerror", lambda e: watch.problems.append(f"script: {e}"))
        page.on("response", watch.on_response)
        opened.append((context, watch))
        page.goto(f"{live_server}/#/{where}", wait_until="domcontentloaded")
        return page

    yield _open
    if request.session.testsfailed > failures_before and opened:
        opened[-1][0].pages[-1].screenshot(path=str(shots / f"failed-{request.node.name}.png"))
    problems = [p for _, watch in opened for p in watch.problems]
    for context, _ in opened:
        context.close()
    assert problems == []


def _clear_leftovers(api: httpx.Client, dispatcher: dict[str, str]) -> None:
    """Urgent reports of this test left in the pool by an interrupted run would be claimed
    before the new one: cancel them (the pool is claimed most urgent and oldest first)."""
    listed = api.get(EVENTS, params={"status": "reported", "limit": 200}, headers=dispatcher)
    for e in listed.json()["items"]:
        if e["title"] == TITLE and e["urgency"] == 3:
            r = api.post(
                f"{EVENTS}/{e['id']}/cancel",
                json={"opinion": "测试遗留，作废", "expected_status": "reported"},
                headers=dispatcher,
            )
            assert r.status_code == 200, r.text


def _report(api: httpx.Client, grid: dict[str, str]) -> dict[str, Any]:
    me = api.get("/api/v1/auth/me", headers=grid).json()
    region = api.get(f"/api/v1/admin/regions/{me['region_id']}", headers=grid).json()
    lon, lat = interior_point(region["geometry"])
    body = {
        "title": TITLE, "category_code": CATEGORY, "lon": lon, "lat": lat, "urgency": 3,
        "description": "一辆白色轿车长期停放，积满灰尘，车牌缺失", "source": "grid_member",
        "address": f"{region['name']}内",
    }  # fmt: skip
    r = api.post(EVENTS, json=body, headers=grid)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _opinion(dialog: Any) -> Any:
    """The opinion box (Element Plus puts the test id on the <textarea> itself)."""
    return dialog.locator(
        'textarea[data-testid="event-opinion"], [data-testid="event-opinion"] textarea'
    ).first


def _act(page: Any, action: str, opinion: str | None = None) -> None:
    """Clicks the action's button in the detail panel, fills the opinion, confirms."""
    page.get_by_test_id(f"event-action-{action}").click()
    dialog = page.locator(".el-dialog", has=page.get_by_test_id("event-action-form"))
    dialog.wait_for()
    if opinion is not None:
        _opinion(dialog).fill(opinion)
    dialog.get_by_test_id("event-action-save").click()
    dialog.wait_for(state="hidden")


def _status_is(page: Any, status: str) -> None:
    page.locator(f'[data-testid="event-detail-status"][data-status="{status}"]').wait_for()


def _row(page: Any, table: str, event_no: str) -> Any:
    return page.get_by_test_id(table).locator(".el-table__row", has_text=event_no)


def test_the_standard_flow_through_the_screens(
    api: httpx.Client, signed_in_page: Callable[[str, str], Any], shots: Path
) -> None:
    grid, dispatcher, handler = (
        _sign_in(api, u) for u in ("ys_grid", "ys_dispatcher", "ys_handler")
    )
    _clear_leftovers(api, dispatcher)
    event = _report(api, grid)
    event_no, event_id = event["event_no"], event["id"]
    department = api.get("/api/v1/auth/me", headers=handler).json()["department_id"]
    departments = api.get("/api/v1/org/departments", headers=dispatcher).json()
    department_name = next(d["name"] for d in departments if d["id"] == department)

    # 1. The dispatcher claims one work order from the pool on the workbench.
    desk = signed_in_page("ys_dispatcher", "work/workbench")
    desk.get_by_test_id("workbench-screen").wait_for()
    desk.wait_for_selector('[data-map-ready="true"]', timeout=60_000)
    pool = desk.get_by_test_id("pool-count")
    pool.wait_for()
    desk.wait_for_function(
        "() => Number(document.querySelector('[data-testid=pool-count]').dataset.count) > 0"
    )
    assert re.search(r"待索取 \d+ 件", pool.inner_text())
    desk.screenshot(path=str(shots / "1-workbench-pool.png"))
    desk.locator('[data-testid="claim-count"] input').fill("1")
    desk.get_by_test_id("claim").click()
    desk.locator(".el-message", has_text="已索取 1 件工单").wait_for()
    _row(desk, "workbench-table-pending", event_no).wait_for()
    _status_is(desk, "claimed")
    desk.screenshot(path=str(shots / "2-claimed.png"))

    # 2. Signs it with “请处理”, then dispatches it to the handler's department.
    _row(desk, "workbench-table-pending", event_no).click()
    _act(desk, "sign", "请处理")
    _status_is(desk, "accepted")
    desk.get_by_test_id("event-action-dispatch").click()
    dialog = desk.locator(".el-dialog", has=desk.get_by_test_id("event-action-form"))
    dialog.wait_for()
    desk.locator('.el-select[data-testid="event-target-department"]').click()
    desk.locator(".el-popper.event-target-department-popper .el-select-dropdown__item").filter(
        has_text=department_name
    ).first.click()
    desk.screenshot(path=str(shots / "3-dispatch-dialog.png"))
    dialog.get_by_test_id("event-action-save").click()
    dialog.wait_for(state="hidden")
    _status_is(desk, "dispatched")
    assert department_name in desk.get_by_test_id("event-detail-assignee").inner_text()
    _row(desk, "workbench-table-pending", event_no).wait_for(state="detached")
    desk.get_by_test_id("tab-dispatched").click()
    _row(desk, "workbench-table-dispatched", event_no).wait_for()
    desk.screenshot(path=str(shots / "4-dispatched.png"))

    # 3. The handler opens the work order, receives it and feeds back with a photo.
    work = signed_in_page("ys_handler", f"events/{event_id}")
    work.get_by_test_id("event-screen").wait_for()
    _status_is(work, "dispatched")
    _act(work, "receive")
    _status_is(work, "handling")
    work.get_by_test_id("event-action-feedback").click()
    dialog = work.locator(".el-dialog", has=work.get_by_test_id("event-action-form"))
    dialog.wait_for()
    _opinion(dialog).fill("已联系车主，车辆已拖离，现场清理完毕")
    dialog.get_by_test_id("event-photos-input").set_input_files(
        files=[{"name": "现场.png", "mimeType": "image/png", "buffer": _png()}]
    )
    work.screenshot(path=str(shots / "5-feedback-dialog.png"))
    dialog.get_by_test_id("event-action-save").click()
    dialog.wait_for(state="hidden")
    _status_is(work, "to_close")
    work.get_by_test_id("event-photos").filter(has_text="处置反馈照片").locator("img").wait_for()
    work.screenshot(path=str(shots / "6-fed-back.png"))

    # 4. The dispatcher closes it from 待结案.
    desk.get_by_test_id("workbench-refresh").click()
    desk.get_by_test_id("tab-toClose").click()
    row = _row(desk, "workbench-table-toClose", event_no)
    row.wait_for()
    row.click()
    _status_is(desk, "to_close")
    _act(desk, "close", "处置完毕，同意结案")
    _status_is(desk, "closed")
    assert desk.get_by_test_id("event-actions").count() == 0
    desk.screenshot(path=str(shots / "7-closed.png"))

    # The history, on screen and through the API.
    expected = ["report", "claim", "sign", "dispatch", "receive", "feedback", "close"]
    shown = desk.get_by_test_id("event-history").locator(".history-line")
    assert [shown.nth(i).get_attribute("data-action") for i in range(shown.count())] == expected
    text = desk.get_by_test_id("event-history").inner_text()
    for words in ("请处理", department_name, "已联系车主", "同意结案", "已结案"):
        assert words in text
    final = api.get(f"{EVENTS}/{event_id}", headers=dispatcher).json()
    assert final["status"] == "closed"
    assert [h["action"] for h in final["history"]] == expected
    assert final["history"][2]["opinion"] == "请处理"
    assert final["history"][3]["target_department_id"] == department
    photos = api.get(f"{EVENTS}/{event_id}/photos", headers=dispatcher).json()
    feedback_row = final["history"][5]["id"]
    assert [(p["kind"], p["event_action_id"]) for p in photos] == [("feedback", feedback_row)]
