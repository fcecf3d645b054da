"""The leaders' command screen in a real browser: a leader opens /command/, the panels
show today's numbers, the live indicator says 实时, and an event reported through the API
by a grid member of the town heads the 最新事件 ticker within 2 seconds, without a reload.

Screenshots go to test-output/command/ (git-ignored)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from tests.conftest import bearer_headers
from tests.e2e.conftest import signed_in_context
from tests.geo.event.event_flow import grid_point


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "command"
    folder.mkdir(exist_ok=True)
    return folder


def test_a_new_event_appears_live_on_the_command_screen(
    browser: Any, live_server: str, shots: Path
) -> None:
    with Session(get_engine()) as s:
        grid = bearer_headers(s, "ys_grid")
        lon, lat = grid_point(s)
        open_now = s.execute(
            text("""SELECT count(*) FROM event e JOIN region r ON r.id = e.region_id
                    WHERE e.status NOT IN ('closed', 'cancelled')
                      AND r.path <@ (SELECT path FROM region WHERE code = '320582100000')""")
        ).scalar_one()
        s.commit()
    context = signed_in_context(browser, live_server, "ys_leader", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server}/command/")
        expect(page.get_by_test_id("command-figure-open")).to_have_text(str(open_now))
        expect(page.get_by_test_id("command-top-categories").locator("li").first).to_be_visible()
        expect(page.get_by_test_id("command-trend")).to_be_visible()
        expect(page.get_by_test_id("command-live")).to_have_text("实时", timeout=10_000)
        page.wait_for_timeout(1500)  # let the map draw its layers for the screenshot
        page.screenshot(path=str(shots / "command-screen.png"))

        body = {"title": "大屏浏览器测试", "category_code": "0101", "lon": lon, "lat": lat}
        sent = time.monotonic()
        r = httpx.post(f"{live_server}/api/v1/events", json=body, headers=grid, timeout=10)
        assert r.status_code == 201, r.text
        ticker = page.get_by_test_id("command-ticker")
        expect(ticker.locator("li").first).to_contain_text("大屏浏览器测试", timeout=2000)
        assert time.monotonic() - sent < 2.5
        # The figures follow (debounced): one more open event, without a reload.
        expect(page.get_by_test_id("command-figure-open")).to_have_text(str(open_now + 1))
        page.screenshot(path=str(shots / "command-live-event.png"))
        assert not errors, errors
    finally:
        context.close()
