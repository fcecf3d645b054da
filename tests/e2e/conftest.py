"""Browser tests: Debian's Chromium, headless, driven by the Python `playwright` package.

No browser is ever downloaded (`playwright install` is never run): the tests launch
/usr/bin/chromium, which `make test` installs from apt when it is missing and it is root.
The app is the built `map_ui/dist`, served by the API in `live_server` (tests/conftest.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "map_ui" / "dist" / "index.html"
OUTPUT = ROOT / "test-output"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

DEMO_PASSWORD = "Demo@2026"
DEMO_ADMIN = {"username": "admin", "password": DEMO_PASSWORD}

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright 未安装（.[dev]）")


def signed_in_context(browser: Any, live_server: str, username: str, **options: Any) -> Any:
    """A browser context signed in as a demo user through the API, from the context itself,
    so its pages carry the session cookie (the sign-in page is tested on its own).
    The viewport is 1400x900 and the locale zh-CN unless `options` (any of
    `browser.new_context`'s, e.g. accept_downloads, timezone_id) say otherwise."""
    context = browser.new_context(
        **{"viewport": {"width": 1400, "height": 900}, "locale": "zh-CN", **options}
    )
    answer = context.request.post(
        f"{live_server}/api/v1/auth/login",
        data={"username": username, "password": DEMO_PASSWORD},
    )
    assert answer.ok, answer.text()
    return context


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"没有 {CHROMIUM}：apt-get install chromium")
    if not DIST.exists():
        pytest.skip("前端未构建：先运行 make ui")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


class PageWatch:
    """What a page did that a test should fail on: script errors, and any request that
    left this machine (the product must work with no internet)."""

    def __init__(self, base: str) -> None:
        self.local_host = urlsplit(base).hostname
        self.errors: list[str] = []
        self.outside: list[str] = []

    def on_request(self, request: Any) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != self.local_host:
            self.outside.append(request.url)

    def on_error(self, error: Any) -> None:
        self.errors.append(str(error))


@pytest.fixture
def open_page(browser: Any, live_server: str) -> Iterator[Any]:
    """`open_page(width, height)` → (page, watch), the map loaded and idle."""
    contexts: list[Any] = []

    def _open(width: int = 1400, height: int = 900) -> tuple[Any, PageWatch]:
        context = signed_in_context(
            browser,
            live_server,
            DEMO_ADMIN["username"],
            viewport={"width": width, "height": height},
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(live_server)
        page.on("request", watch.on_request)
        page.on("pageerror", watch.on_error)
        page.goto(f"{live_server}/", wait_until="domcontentloaded")
        page.wait_for_selector('[data-map-ready="true"]', timeout=60_000)
        return page, watch

    yield _open
    for context in contexts:
        context.close()
