"""通用查询 in a real browser, as a sub-centre dispatcher of 杨舍镇 would use it: filter by
status, see the rows and the map, zoom in to single work orders, and export a CSV with
the chosen fields. Screenshots go to test-output/query/ (git-ignored)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import signed_in_context

USER = "ys_dispatcher"
SUMMARY = "document.querySelector('[data-testid=query-map-summary]').innerText"
STATUS_CELLS = "[data-testid=query-table] tbody tr td:nth-child(4)"


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "query"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def query_page(browser: Any, live_server: str) -> Iterator[Any]:
    context = signed_in_context(
        browser, live_server, USER, viewport={"width": 1500, "height": 950}, accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.script_errors = errors
    try:
        yield page
    finally:
        context.close()


def _rows(page: Any) -> Any:
    return page.locator('[data-testid="query-table"] .el-table__body tbody tr')


def _choose_status(page: Any, label: str) -> None:
    page.get_by_test_id("query-status").click()
    page.locator(".query-status-popper .el-select-dropdown__item", has_text=label).click()
    page.keyboard.press("Escape")


def _map_summary(page: Any) -> str:
    return page.get_by_test_id("query-map-summary").inner_text()


def test_filter_by_status_see_rows_and_map_and_export_csv(
    query_page: Any, live_server: str, shots: Path
) -> None:
    page = query_page
    page.goto(f"{live_server}/#/work/query", wait_until="domcontentloaded")
    page.get_by_test_id("general-query-screen").wait_for(timeout=30_000)
    _rows(page).first.wait_for(timeout=30_000)
    page.get_by_test_id("menu-work").wait_for()

    _choose_status(page, "已结案")
    page.get_by_test_id("query-search").click()
    page.wait_for_function(
        "(s) => { const cells = [...document.querySelectorAll(s)];"
        " return cells.length > 0 && cells.every(c => c.innerText.trim() === '已结案') }",
        arg=STATUS_CELLS,
        timeout=30_000,
    )
    total_text = page.get_by_test_id("query-total").inner_text()
    total = int(re.search(r"(\d+)", total_text).group(1))  # type: ignore[union-attr]
    assert total > 0 and _rows(page).count() == min(total, 50)
    page.wait_for_function(
        f"() => {SUMMARY}.includes('方格')",
        timeout=30_000,
    )
    assert str(total) in _map_summary(page)  # cells at this zoom: the whole count
    page.screenshot(path=str(shots / "closed-cells.png"))

    # Zoomed in on the newest one: single work orders; clicking it marks its row.
    newest = page.evaluate(
        """async () => (await (await fetch('/api/v1/events/query?status=closed&limit=1'))
                         .json()).items[0]"""
    )
    page.evaluate(
        "([lon, lat]) => window.__queryMap.jumpTo({ center: [lon, lat], zoom: 17 })",
        [newest["lon"], newest["lat"]],
    )
    page.wait_for_function(
        f"() => /地图显示|只显示/.test({SUMMARY})",
        timeout=30_000,
    )
    page.wait_for_timeout(500)  # the points drawn
    box = page.get_by_test_id("query-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(f'[data-testid="query-table"] tr.row-{newest["id"]}.selected-row').wait_for(
        timeout=10_000
    )
    page.screenshot(path=str(shots / "closed-points.png"))

    # The export panel: pick three fields, CSV, download.
    page.get_by_test_id("open-export").click()
    dialog = page.get_by_test_id("export-dialog")
    page.get_by_test_id("export-field-event_no").wait_for()
    select_all = page.get_by_test_id("export-select-all")
    select_all.click()  # some were ticked: all now
    select_all.click()  # none
    for key in ("event_no", "title", "status"):
        page.get_by_test_id(f"export-field-{key}").click()
    page.locator('[data-testid="export-format"] label', has_text="CSV").click()
    assert str(total) in page.get_by_test_id("export-rows").inner_text()
    page.screenshot(path=str(shots / "export-panel.png"))
    with page.expect_download() as info:
        dialog.page.get_by_test_id("export-download").click()
    download = info.value
    assert download.suggested_filename.startswith("工单查询_")
    assert download.suggested_filename.endswith(".csv")
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))
    assert rows[0] == ["事件编号", "标题", "状态"]
    assert len(rows) - 1 == total and {r[2] for r in rows[1:]} == {"已结案"}
    assert page.script_errors == []
