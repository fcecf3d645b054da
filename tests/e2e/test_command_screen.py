"""The leaders' command screen in a real browser: a leader opens /command/, the panels
show today's numbers, the live indicator says 实时, and an event reported through the API
by a grid member of the town heads the 最新事件 ticker within 2 seconds, without a reload.

Screenshots go to test-output/command/ (git-ignored)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from tests.conftest import ROOT, bearer_headers
from tests.e2e.conftest import DEMO_PASSWORD, signed_in_context
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
        # The charts (ECharts, on a canvas) hold the ten categories and the thirty days.
        top = page.get_by_test_id("command-top-categories")
        expect(top.locator("canvas")).to_be_visible()
        assert int(top.get_attribute("data-points") or 0) > 0
        expect(page.get_by_test_id("command-trend").locator("canvas")).to_be_visible()
        expect(page.get_by_test_id("command-trend")).to_have_attribute("data-points", "30")
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


def test_layer_groups_switch_on_and_off(browser: Any, live_server: str, shots: Path) -> None:
    """GM-14: one map of everything, each group switched by the 图层 bar; 人房 (buildings)
    starts off and, switched on and zoomed in, shows each house's facts on a click."""
    context = signed_in_context(browser, live_server, "ys_leader", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server}/command/")
        expect(page.get_by_test_id("command-live")).to_have_text("实时", timeout=10_000)
        page.wait_for_function("() => window.__commandMap?.getLayer('cmd-events-point')")

        def shown(layer: str) -> str:
            return page.evaluate(
                "id => window.__commandMap.getLayoutProperty(id, 'visibility') ?? 'visible'", layer
            )

        assert shown("buildings-fill") == "none" and shown("cmd-events-point") == "visible"
        page.get_by_test_id("command-layer-events").click()
        expect(page.get_by_test_id("command-layer-events")).to_have_attribute(
            "aria-pressed", "false"
        )
        assert shown("cmd-events-point") == "none" and shown("cmd-events-heat") == "none"
        page.get_by_test_id("command-layer-grids").click()
        page.get_by_test_id("command-layer-buildings").click()
        assert shown("buildings-fill") == "visible"
        # Zoom onto a building of the town and click it.
        with Session(get_engine()) as s:
            lon, lat = s.execute(
                text("""SELECT ST_X(ST_PointOnSurface(b.geom)), ST_Y(ST_PointOnSurface(b.geom))
                        FROM building b JOIN region r ON r.id = b.region_id
                        WHERE r.path <@ (SELECT path FROM region WHERE code = '320582100000')
                        ORDER BY b.id LIMIT 1""")
            ).one()
        page.evaluate(
            "([lon, lat]) => window.__commandMap.jumpTo({center: [lon, lat], zoom: 17.5})",
            [lon, lat],
        )
        page.wait_for_function(
            "() => window.__commandMap.queryRenderedFeatures({layers: ['buildings-fill']})"
            ".length > 0",
            timeout=15_000,
        )
        point = page.evaluate("([lon, lat]) => window.__commandMap.project([lon, lat])", [lon, lat])
        box = page.get_by_test_id("command-map").bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        expect(page.locator(".maplibregl-popup")).to_contain_text("层")
        page.screenshot(path=str(shots / "command-buildings.png"))
        assert not errors, errors
    finally:
        context.close()


def _serve(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env={**os.environ}, cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).raise_for_status()
            return proc
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("test server did not start") from None
            time.sleep(0.1)


def _stop(proc: subprocess.Popen[bytes]) -> float:
    """Stop the server as an operator would (SIGTERM); how long it took."""
    started = time.monotonic()
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    return time.monotonic() - started


def test_the_screen_survives_a_server_restart(browser: Any, live_server: str) -> None:
    """A restart with the screen connected: the server stops promptly although a stream is
    open, the indicator says 重连中, and once the server is back the screen is live again
    and receives new events — no reload."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with Session(get_engine()) as s:
        grid = bearer_headers(s, "ys_grid")
        lon, lat = grid_point(s)
        s.commit()
    server = _serve(port)
    context = signed_in_context(browser, url, "ys_leader")
    try:
        page = context.new_page()
        page.goto(f"{url}/command/")
        live = page.get_by_test_id("command-live")
        expect(live).to_have_text("实时", timeout=10_000)
        assert _stop(server) < 5, "an open event stream held the server up"
        expect(live).to_have_text("重连中", timeout=5000)
        server = _serve(port)
        expect(live).to_have_text("实时", timeout=10_000)
        body = {"title": "重启后的事件", "category_code": "0101", "lon": lon, "lat": lat}
        r = httpx.post(f"{url}/api/v1/events", json=body, headers=grid, timeout=10)
        assert r.status_code == 201, r.text
        ticker = page.get_by_test_id("command-ticker")
        expect(ticker.locator("li").first).to_contain_text("重启后的事件", timeout=2000)
    finally:
        context.close()
        if server.poll() is None:
            _stop(server)


def test_signing_in_from_the_command_screen_leads_back_to_it(
    browser: Any, live_server: str
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/command/")
        page.wait_for_url("**/#/login**")
        for testid, value in (("login-username", "leader"), ("login-password", DEMO_PASSWORD)):
            box = f'input[data-testid="{testid}"], [data-testid="{testid}"] input'
            page.locator(box).first.fill(value)
        page.get_by_test_id("login-submit").click()
        page.wait_for_url(f"{live_server}/command/")
        expect(page.get_by_test_id("command-figure-open")).to_be_visible()
    finally:
        context.close()
