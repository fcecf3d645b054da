"""The grid administration screen in a real browser: draw a grid that crosses its
community's edge and see the refusal with the offending area in red, draw a valid one and
save it, then assign a grid member to a grid. Screenshots go to test-output/grids/.

A test community is added in 金港镇 (a demo town without communities) through the API and
removed again at the end, with its grids; the member assignment is undone too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from geo.core.db import get_engine
from tests.e2e.conftest import signed_in_context

CODE = "320582102950"
NAME = "网格测试社区"
SIDE = 0.004  # degrees: a square of about 380 m x 440 m


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "grids"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def api(live_server: str, live_headers: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, headers=live_headers, timeout=30) as client:
        yield client


@pytest.fixture
def community(api: httpx.Client) -> Iterator[tuple[float, float]]:
    """The test community's south-west corner; removed with its grids afterwards."""
    with get_engine().connect() as conn:
        town, w, s = conn.execute(
            text("SELECT id, ST_X(p), ST_Y(p) FROM (SELECT id, ST_PointOnSurface(geom) AS p "
                 "FROM region WHERE code = '320582102000') q")
        ).one()  # fmt: skip
    ring = [[w, s], [w + SIDE, s], [w + SIDE, s + SIDE], [w, s + SIDE], [w, s]]
    body = {"code": CODE, "name": NAME, "level": "community", "parent_id": town,
            "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip
    created = api.post("/api/v1/admin/regions", json=body)
    assert created.status_code == 201, created.text
    try:
        yield w, s
    finally:
        with get_engine().begin() as conn:
            conn.execute(
                text("DELETE FROM region WHERE parent_id = :id"), {"id": created.json()["id"]}
            )
            conn.execute(text("DELETE FROM region WHERE id = :id"), {"id": created.json()["id"]})


def _page(browser: Any, live_server: str) -> tuple[Any, list[str]]:
    context = signed_in_context(browser, live_server, "admin")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/#/admin/grids", wait_until="domcontentloaded")
    page.locator('[data-testid="grids-map"][data-map-ready="true"]').wait_for(timeout=60_000)
    return page, errors


def _click_on_map(page: Any, lon: float, lat: float) -> None:
    x, y = page.evaluate(
        """([lon, lat]) => { const p = window.__map.project([lon, lat]);
               const r = window.__map.getCanvas().getBoundingClientRect();
               return [r.left + p.x, r.top + p.y] }""",
        [lon, lat],
    )
    page.mouse.click(x, y)
    page.wait_for_timeout(350)  # not a double click


def _draw(page: Any, corners: list[tuple[float, float]]) -> None:
    page.get_by_test_id("grid-restart").click()
    for lon, lat in corners:
        _click_on_map(page, lon, lat)


def _tree_node(page: Any, name: str) -> Any:
    return page.locator(".el-tree-node__content", has_text=name).first


def test_draw_refusal_save_and_assign(
    browser: Any, live_server: str, api: httpx.Client, community: tuple[float, float], shots: Path
) -> None:
    w, s = community
    page, errors = _page(browser, live_server)
    _tree_node(page, "金港镇").click()
    _tree_node(page, NAME).click()
    page.wait_for_timeout(800)  # fitted to the community

    # A grid crossing the community's east edge: refused, the outside part drawn in red.
    page.get_by_test_id("grid-new").click()
    page.locator('input[data-testid="grid-name"]').fill("东湖网格")
    m = SIDE / 10
    _draw(page, [(w + m, s + m), (w + SIDE + m, s + m), (w + SIDE + m, s + 9 * m),
                 (w + m, s + 9 * m)])  # fmt: skip
    page.get_by_test_id("grid-save").click()
    refusal = page.get_by_test_id("grid-refusal")
    refusal.wait_for(timeout=15_000)
    assert "超出上级区划" in refusal.inner_text() and "平方米" in refusal.inner_text()
    page.wait_for_function(
        "() => window.__map.querySourceFeatures('grid-admin-refusal').length > 0"
    )
    page.screenshot(path=str(shots / "grid-refused.png"))

    # Redrawn inside the community: saved, listed and drawn.
    _draw(page, [(w + m, s + m), (w + 5 * m, s + m), (w + 5 * m, s + 9 * m), (w + m, s + 9 * m)])
    page.get_by_test_id("grid-save").click()
    page.locator(".el-message", has_text="网格已新建").first.wait_for(timeout=15_000)
    page.get_by_test_id("grid-table").filter(has_text="东湖网格").wait_for()
    detail = page.get_by_test_id("grid-detail")
    detail.wait_for()
    assert CODE + "001" in detail.inner_text()
    page.screenshot(path=str(shots / "grid-saved.png"))
    listed = api.get("/api/v1/grids", params={"keyword": "东湖网格"}).json()["items"]
    assert [g["code"] for g in listed] == [CODE + "001"] and listed[0]["version"] == 1

    # Members: ys_grid takes over a grid the community's member answers for.
    _tree_node(page, "杨舍镇").click()
    page.locator(
        ".el-tree-node.is-expanded .el-tree-node__children .el-tree-node__content"
    ).first.click()
    row = page.locator(
        '[data-testid="grid-table"] .el-table__row', has_text="杨舍网格员·刘洋"
    ).first
    row.wait_for()
    row.click()
    code = re.search(r"\d{15}", page.get_by_test_id("grid-detail").inner_text())
    assert code is not None
    grid = api.get("/api/v1/grids", params={"keyword": code.group()}).json()["items"][0]
    before = [
        {"user_id": m["user_id"], "is_responsible": m["is_responsible"]}
        for m in api.get(f"/api/v1/grids/{grid['id']}").json()["members"]
    ]
    try:
        page.get_by_test_id("grid-assign").click()
        dialog = page.locator(".el-dialog", has_text="配置网格员")
        dialog.wait_for()
        dialog.locator('[data-testid="responsible-ys_grid"]').click()
        page.get_by_test_id("grid-members-save").click()
        page.locator(".el-message", has_text="网格员已保存").first.wait_for(timeout=15_000)
        page.get_by_test_id("grid-members").filter(has_text="ys_grid").wait_for()
        page.screenshot(path=str(shots / "grid-members.png"))
        after = api.get("/api/v1/grids", params={"keyword": code.group()}).json()["items"][0]
        assert after["responsible_member_name"] == "杨舍网格员·周杰"
    finally:
        api.put(f"/api/v1/grids/{grid['id']}/members", json={"members": before})
    assert errors == []
    page.context.close()
