"""The register screens in a real browser: register an officer whose area is picked from
two communities, and one whose area is drawn on the map (a first drawing reaching out of
the town is refused with the outside part in red), record a conflict, and edit an
inspection item's check list (edit, move, remove and add rows). Screenshots go to
test-output/inspection_officers/.

What the test creates goes through the running server (committed) and is removed at the
end: the two officer entries, and the item category and item made for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from geo.core.db import get_engine
from tests.e2e.conftest import signed_in_context

API = "/api/v1/inspection"
CATEGORY = "E2E-REG"
ITEM = "E2E-REG-01"
EXPERT = "浏览器测试专家"


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "inspection_officers"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def api(live_server: str, live_headers: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, headers=live_headers, timeout=30) as client:
        yield client


def _remove_leftovers() -> None:
    with get_engine().begin() as conn:
        conn.execute(
            text("""DELETE FROM enforcement_officer WHERE user_id IN
                    (SELECT id FROM user_account WHERE username IN ('ys_officer', 'ys_squad'))""")
        )
        conn.execute(text("DELETE FROM expert WHERE name = :n"), {"n": EXPERT})
        conn.execute(text("DELETE FROM inspection_item WHERE code = :c"), {"c": ITEM})
        conn.execute(text("DELETE FROM inspection_item_category WHERE code = :c"), {"c": CATEGORY})


@pytest.fixture
def clean() -> Iterator[None]:
    _remove_leftovers()
    try:
        yield
    finally:
        _remove_leftovers()


def _geometry() -> dict[str, Any]:
    """A square inside 梁丰社区 and a square astride 杨舍镇's boundary, as corners."""
    with get_engine().connect() as conn:
        x, y, radius = conn.execute(
            text("""SELECT ST_X(center), ST_Y(center), radius FROM ST_MaximumInscribedCircle(
                      (SELECT geom FROM region WHERE code = '320582100001'))""")
        ).one()
        bx, by = conn.execute(
            text("""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_StartPoint(ST_ExteriorRing(
                      ST_GeometryN(geom, 1))) AS p FROM region WHERE code = '320582100000') q""")
        ).one()
        enterprise = conn.execute(
            text("""SELECT e.name FROM enterprise e JOIN region r ON r.id = e.region_id
                    WHERE r.path <@ '320582000000.320582100000' ORDER BY e.id LIMIT 1""")
        ).scalar_one()
    h, b = radius / 2, 0.006
    return {
        "inside": [(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)],
        "astride": [(bx - b, by - b), (bx + b, by - b), (bx + b, by + b), (bx - b, by + b)],
        "enterprise": enterprise,
    }


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
    page.get_by_test_id("officer-draw").click()
    for lon, lat in corners:
        _click_on_map(page, lon, lat)


def _pick_user(page: Any, username: str) -> None:
    page.locator('[data-testid="officer-user"]').click()
    page.locator('[data-testid="officer-user"] input').fill(username)
    page.locator(".officer-user-popper .el-select-dropdown__item", has_text=username).click()


def _tree_checkbox(page: Any, name: str) -> Any:
    node = page.locator('[data-testid="officer-region-tree"] .el-tree-node__content', has_text=name)
    return node.first.locator(".el-checkbox")


def _open_new_officer(page: Any) -> Any:
    page.get_by_test_id("officer-new").click()
    dialog = page.locator(".el-dialog", has_text="新增执法人员")
    dialog.wait_for()
    page.locator('[data-testid="officer-map"][data-map-ready="true"]').wait_for(timeout=60_000)
    return dialog


def _officer(api: httpx.Client, username: str) -> dict[str, Any]:
    found = api.get(f"{API}/officers", params={"keyword": username}).json()["items"]
    assert [o["username"] for o in found] == [username]
    return api.get(f"{API}/officers/{found[0]['id']}").json()  # type: ignore[no-any-return]


def test_register_officers_and_edit_a_check_list(
    browser: Any, live_server: str, api: httpx.Client, clean: None, shots: Path
) -> None:
    where = _geometry()
    context = signed_in_context(browser, live_server, "admin")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/#/inspection/officers", wait_until="domcontentloaded")
    page.get_by_test_id("officers-screen").wait_for(timeout=30_000)

    # 1. ys_officer: the area picked from two communities of 杨舍镇.
    _open_new_officer(page)
    _pick_user(page, "ys_officer")
    assert "杨舍综合行政执法局" in page.get_by_test_id("officer-department").inner_text()
    page.locator('input[data-testid="officer-certificate"]').fill("32058200001")
    node = page.locator(
        '[data-testid="officer-region-tree"] .el-tree-node__content', has_text="杨舍镇"
    )
    node.first.locator(".el-tree-node__expand-icon").click()
    _tree_checkbox(page, "梁丰社区").click()
    _tree_checkbox(page, "暨阳社区").click()
    page.get_by_test_id("officer-area-size").filter(has_text="平方公里").wait_for(timeout=15_000)
    page.wait_for_function("() => window.__map.querySourceFeatures('officer-area').length > 0")
    page.screenshot(path=str(shots / "officer-picked.png"))
    page.get_by_test_id("officer-save").click()
    page.get_by_test_id("officer-table").filter(has_text="ys_officer").wait_for(timeout=15_000)
    picked = _officer(api, "ys_officer")
    assert picked["area_source"] == "picked" and picked["certificate_no"] == "32058200001"
    assert sorted(a["name"] for a in picked["area_regions"]) == ["暨阳社区", "梁丰社区"]

    # 2. ys_squad: drawn; a first drawing astride the town's boundary is refused.
    _open_new_officer(page)
    _pick_user(page, "ys_squad")
    page.get_by_test_id("officer-mode-drawn").click()
    page.wait_for_timeout(800)  # fitted to 杨舍镇
    _draw(page, where["astride"])
    page.get_by_test_id("officer-save").click()
    refusal = page.get_by_test_id("officer-refusal")
    refusal.wait_for(timeout=15_000)
    assert "杨舍镇" in refusal.inner_text() and "平方米" in refusal.inner_text()
    page.wait_for_function(
        "() => window.__map.querySourceFeatures('officer-area-outside').length > 0"
    )
    page.screenshot(path=str(shots / "officer-drawn-refused.png"))
    _draw(page, where["inside"])
    page.get_by_test_id("officer-save").click()
    page.get_by_test_id("officer-table").filter(has_text="ys_squad").wait_for(timeout=15_000)
    drawn = _officer(api, "ys_squad")
    assert drawn["area_source"] == "drawn" and drawn["area_regions"] == []
    assert 0 < drawn["area_m2"] < picked["area_m2"]
    page.screenshot(path=str(shots / "officers-list.png"))

    # 3. A conflict of ys_officer with an enterprise of 杨舍镇.
    page.get_by_test_id("officer-edit-ys_officer").click()
    dialog = page.locator(".el-dialog", has_text="修改执法人员")
    dialog.wait_for()
    dialog.locator(".el-tabs__item", has_text="回避关系").click()
    page.locator('[data-testid="conflict-enterprise"]').click()
    page.locator('[data-testid="conflict-enterprise"] input').fill(where["enterprise"])
    page.locator(
        ".conflict-enterprise-popper .el-select-dropdown__item", has_text=where["enterprise"]
    ).first.click()
    page.locator('input[data-testid="conflict-reason"]').fill("亲属经营")
    page.get_by_test_id("conflict-add").click()
    page.get_by_test_id("conflict-table").filter(has_text="亲属经营").wait_for(timeout=15_000)
    page.screenshot(path=str(shots / "officer-conflict.png"))
    assert _officer(api, "ys_officer")["conflicts"][0]["reason"] == "亲属经营"
    dialog.locator(".el-dialog__headerbtn").click()

    # 4. An item's check list edited as a table.
    category = api.post(
        f"{API}/item-categories", json={"code": CATEGORY, "name": "浏览器测试类别"}
    ).json()
    contents = [{"content": c, "max_score": s} for c, s in (("第一条", 10), ("第二条", 5),
                                                             ("第三条", 5))]  # fmt: skip
    item = api.post(
        f"{API}/items",
        json={"category_id": category["id"], "code": ITEM, "name": "浏览器测试事项",
              "contents": contents},
    ).json()  # fmt: skip
    page.goto(f"{live_server}/#/inspection/items", wait_until="domcontentloaded")
    page.get_by_test_id("items-screen").wait_for()
    page.locator(
        '[data-testid="item-category-table"] .el-table__row', has_text="浏览器测试类别"
    ).click()
    page.get_by_test_id(f"item-edit-{ITEM}").click()
    page.get_by_test_id("content-table").wait_for()
    page.locator('textarea[data-testid="content-text-0"]').fill("第一条（已修改）")
    page.get_by_test_id("content-up-2").click()  # 第三条 before 第二条
    page.get_by_test_id("content-remove-2").click()  # 第二条 goes
    page.get_by_test_id("content-add").click()
    page.locator('textarea[data-testid="content-text-2"]').fill("新增的否决项")
    page.locator('[data-testid="content-score-2"] input').fill("7")
    page.locator('[data-testid="content-critical-2"]').click()
    page.screenshot(path=str(shots / "item-checklist.png"))
    page.get_by_test_id("item-save").click()
    page.locator(".el-message", has_text="已保存").first.wait_for(timeout=15_000)
    saved = api.get(f"{API}/items/{item['id']}").json()["contents"]
    assert [(c["seq"], c["content"], c["max_score"], c["critical"]) for c in saved] == [
        (1, "第一条（已修改）", 10, False), (2, "第三条", 5, False), (3, "新增的否决项", 7, True),
    ]  # fmt: skip
    assert saved[1]["id"] == item["contents"][2]["id"]  # moved, not re-created
    checklist = api.get(f"{API}/item-categories/{category['id']}/checklist").json()
    assert checklist["total_max_score"] == 22
    page.get_by_test_id("item-table").filter(has_text="22").wait_for()
    page.screenshot(path=str(shots / "items.png"))

    # 5. An expert covering that item, found by matching the item.
    page.goto(f"{live_server}/#/inspection/experts", wait_until="domcontentloaded")
    page.get_by_test_id("expert-new").click()
    page.locator('input[data-testid="expert-name"]').fill(EXPERT)
    page.locator('input[data-testid="expert-mobile"]').fill("13912345678")
    page.locator('.el-select[data-testid="expert-region"]').click()  # no user: pick its region
    popper = page.locator(".el-popper.expert-region-popper")
    district = popper.locator(".el-tree-node", has_text="张家港市").first
    district.locator(".el-tree-node__expand-icon").first.click()
    popper.locator(".el-select-dropdown__item", has_text="塘桥镇").first.click()
    page.locator('[data-testid="expert-items"]').click()
    page.locator(".expert-items-popper .el-select-dropdown__item", has_text=ITEM).click()
    page.keyboard.press("Escape")
    page.get_by_test_id("expert-save").click()
    page.get_by_test_id("expert-table").filter(has_text=EXPERT).wait_for(timeout=15_000)
    page.screenshot(path=str(shots / "experts.png"))
    matched = api.get(f"{API}/experts", params={"item_id": item["id"]}).json()["items"]
    assert [(e["name"], e["region_name"]) for e in matched] == [(EXPERT, "塘桥镇")]
    assert errors == []
    context.close()
