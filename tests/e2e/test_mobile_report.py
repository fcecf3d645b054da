"""The field app on a phone-sized screen (APP-1, APP-7): a grid member of 杨舍镇 signs in
at /m/, sees the modules of the role, reports an event with the (simulated) GPS position
and a photo while the phone has no network — the report waits on the phone — and when the
network returns it is sent by itself: exactly one work order, with the photo.

Screenshots go to test-output/mobile/ (git-ignored)."""

from __future__ import annotations

import struct
import time
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from tests.e2e.conftest import DEMO_PASSWORD, signed_in_context
from tests.geo.attendance.attendance_places import inside

PHONE = {"width": 390, "height": 844}

# Is the worker active, holding the page and every built file the page loaded?
SHELL_CACHED = """async () => {
    const reg = await navigator.serviceWorker.getRegistration('/m/');
    if (!reg || !reg.active) return false;
    const names = await caches.keys();
    if (names.length === 0) return false;
    const keys = await (await caches.open(names[0])).keys();
    const cached = new Set(keys.map((r) => new URL(r.url).pathname));
    const loaded = performance.getEntriesByType('resource')
        .map((e) => new URL(e.name).pathname)
        .filter((p) => p.startsWith('/assets/'));
    return cached.has('/m/') && loaded.length > 0 && loaded.every((p) => cached.has(p));
}"""


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small valid PNG (a red square), made here rather than read from disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xe8\x45\x3c" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "mobile"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def marker() -> Iterator[str]:
    """A description no other event has; its work orders are deleted afterwards."""
    token = f"移动端离线上报{uuid.uuid4().hex[:8]}"
    yield token
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM event WHERE description = :d"), {"d": token})


def test_offline_report_is_sent_once_when_the_network_returns(
    browser: Any, live_server: str, live_headers: dict[str, str], shots: Path, marker: str
) -> None:
    with Session(get_engine()) as session:
        lon, lat = inside(session, "ys_grid")
        category = session.execute(
            text("SELECT name FROM event_category WHERE code = '0101'")
        ).scalar_one()
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"longitude": lon, "latitude": lat, "accuracy": 15},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server}/m/", wait_until="domcontentloaded")

        # Sign in with the phone's form; the home shows the role's modules.
        page.get_by_test_id("m-username").fill("ys_grid")
        page.get_by_test_id("m-password").fill(DEMO_PASSWORD)
        page.get_by_test_id("m-sign-in").click()
        page.get_by_test_id("m-tile-m-report").wait_for(timeout=30_000)
        assert page.get_by_test_id("mobile-shell").is_visible()
        page.screenshot(path=str(shots / "home.png"))

        # The report form: the GPS position with its accuracy, the grid it falls in.
        page.get_by_test_id("m-tile-m-report").click()
        page.get_by_test_id("m-accuracy").wait_for(timeout=20_000)
        assert "15 米" in page.get_by_test_id("m-accuracy").inner_text()
        page.get_by_test_id("m-grid").wait_for(timeout=20_000)
        assert "杨舍" in page.get_by_test_id("m-grid").inner_text()
        page.get_by_test_id("m-category").click()
        page.locator(".el-select-dropdown__item", has_text=category).first.click()

        # No network: the report is kept on the phone.
        context.set_offline(True)
        page.get_by_test_id("m-offline").wait_for(timeout=10_000)
        page.get_by_test_id("m-description").fill(marker)
        page.get_by_test_id("m-photo-input").set_input_files(
            files=[{"name": "现场.png", "mimeType": "image/png", "buffer": _png()}]
        )
        assert page.get_by_test_id("m-photo").count() == 1
        page.get_by_test_id("m-submit").click()
        page.get_by_test_id("m-pending").wait_for(timeout=10_000)
        assert page.get_by_test_id("m-pending").inner_text() == "待发送 1 条"
        assert page.get_by_test_id("m-outbox-pending").count() == 1
        page.screenshot(path=str(shots / "queued-offline.png"), full_page=True)
        assert _events(live_server, live_headers, marker) == []

        # The network returns: the outbox sends it by itself, once.
        context.set_offline(False)
        page.get_by_test_id("m-outbox-sent").first.wait_for(timeout=30_000)
        page.get_by_test_id("m-pending").wait_for(state="detached", timeout=10_000)
        page.screenshot(path=str(shots / "sent.png"), full_page=True)

        found = _events(live_server, live_headers, marker)
        assert len(found) == 1, found
        photos = httpx.get(
            f"{live_server}/api/v1/events/{found[0]['id']}/photos", headers=live_headers
        ).json()
        assert [p["kind"] for p in photos] == ["report"]
        with get_engine().connect() as conn:
            count = conn.execute(
                text("SELECT count(*) FROM event WHERE description = :d"), {"d": marker}
            ).scalar_one()
        assert count == 1
        assert errors == []
    finally:
        context.close()


def _events(live_server: str, headers: dict[str, str], marker: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{live_server}/api/v1/events", params={"q": marker}, headers=headers)
    answer.raise_for_status()
    rows: list[dict[str, Any]] = answer.json()["items"]
    return rows


def test_the_app_opens_with_no_network(browser: Any, live_server: str, shots: Path) -> None:
    """Installed once online, the service worker keeps the app shell: reopened offline,
    the app shows its home (the last user's modules) and says it is offline."""
    context = signed_in_context(
        browser, live_server, "ys_grid", viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server}/m/#/home", wait_until="load")
        page.get_by_test_id("m-tile-m-report").wait_for(timeout=30_000)
        manifest = page.locator('link[rel="manifest"]').get_attribute("href")
        assert manifest == "/m/manifest.webmanifest"
        # The worker is active and holds the page and every built file the page loaded.
        deadline = time.monotonic() + 30
        while not page.evaluate(SHELL_CACHED):
            assert time.monotonic() < deadline, "the service worker did not keep the app shell"
            page.wait_for_timeout(250)
        context.set_offline(True)
        page.reload(wait_until="domcontentloaded")
        page.get_by_test_id("m-offline").wait_for(timeout=20_000)
        page.get_by_test_id("m-tile-m-report").wait_for(timeout=10_000)
        page.screenshot(path=str(shots / "opened-offline.png"))
    finally:
        context.close()


def test_lost_answers_never_duplicate_the_report_or_its_photos(
    browser: Any, live_server: str, live_headers: dict[str, str], shots: Path, marker: str
) -> None:
    """The server stores the report, then its photos, but each answer is lost on the way
    back: the phone resends both, and still exactly one work order with one photo exists."""
    with Session(get_engine()) as session:
        lon, lat = inside(session, "ys_grid")
    context = signed_in_context(
        browser,
        live_server,
        "ys_grid",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": lon, "latitude": lat, "accuracy": 8},
        permissions=["geolocation"],
    )
    lost: list[str] = []

    def lose_the_answer(route: Any) -> None:
        route.fetch()  # the server does the work …
        lost.append(route.request.url)
        route.abort("connectionreset")  # … and the phone never hears back

    try:
        page = context.new_page()
        page.route("**/api/v1/events", lose_the_answer, times=1)
        page.route("**/api/v1/events/*/photos", lose_the_answer, times=1)
        page.goto(f"{live_server}/m/#/report", wait_until="domcontentloaded")
        page.get_by_test_id("m-grid").wait_for(timeout=20_000)
        page.get_by_test_id("m-category").click()
        page.locator(".el-select-dropdown__item").first.click()
        page.get_by_test_id("m-description").fill(marker)
        page.get_by_test_id("m-photo-input").set_input_files(
            files=[{"name": "现场.png", "mimeType": "image/png", "buffer": _png()}]
        )
        page.get_by_test_id("m-submit").click()
        for attempt in (1, 2):  # the report's answer lost, then the photos'
            deadline = time.monotonic() + 20
            while len(lost) < attempt:
                assert time.monotonic() < deadline, "the phone did not send again"
                page.wait_for_timeout(100)
            send = page.get_by_test_id("m-send-now")
            send.wait_for(timeout=10_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=m-send-now]')?.classList"
                ".contains('is-loading')"
            )
            assert page.get_by_test_id("m-pending").inner_text() == "待发送 1 条"
            send.click()
        page.get_by_test_id("m-outbox-sent").first.wait_for(timeout=20_000)
        page.screenshot(path=str(shots / "sent-after-lost-answers.png"), full_page=True)

        found = _events(live_server, live_headers, marker)
        assert len(found) == 1, found
        photos = httpx.get(
            f"{live_server}/api/v1/events/{found[0]['id']}/photos", headers=live_headers
        ).json()
        assert len(photos) == 1, photos
    finally:
        context.close()


def test_a_refused_report_shows_the_reason_and_can_be_deleted(
    browser: Any, live_server: str, live_headers: dict[str, str], marker: str
) -> None:
    """A report the server refuses (here: a position in another town) is not retried
    blindly: the phone shows the server's reason and keeps it until the user deletes it."""
    with Session(get_engine()) as session:
        lon, lat = inside(session, "tq_grid")
    context = signed_in_context(
        browser,
        live_server,
        "ys_grid",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": lon, "latitude": lat, "accuracy": 8},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server}/m/#/report", wait_until="domcontentloaded")
        page.get_by_test_id("m-grid-refused").wait_for(timeout=20_000)
        page.get_by_test_id("m-category").click()
        page.locator(".el-select-dropdown__item").first.click()
        page.get_by_test_id("m-description").fill(marker)
        page.get_by_test_id("m-submit").click()
        refused = page.get_by_test_id("m-outbox-refused")
        refused.wait_for(timeout=20_000)
        reason = page.get_by_test_id("m-outbox-error").inner_text()
        assert "管辖" in reason, reason
        assert _events(live_server, live_headers, marker) == []
        refused.get_by_role("button", name="删除").click()
        page.locator(".el-message-box__btns .el-button--primary").click()
        refused.wait_for(state="detached", timeout=10_000)
    finally:
        context.close()
