"""The registers of random inspections in a real browser (DR-1, DR-2): the administrator
adds a supervision category on the 监管类别 screen, then registers a supervised object
through the four-block form — facts with the point placed on the map, the new category,
a business licence and a responsible person whose mobile number the form checks — and
finds it under that category. What the test adds it removes again. Screenshots go to
test-output/inspection_registers/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from geo.core.identifiers import uscc_check_char
from tests.e2e.conftest import signed_in_context, sync_api
from tests.factories import registers_grid_point

EXPECTED_REFUSAL = re.compile(
    r"^Failed to load resource: the server responded with a status of 4\d\d"
)
CATEGORY_CODE, CATEGORY_NAME = "E2E-FOOD", "浏览器测试·食品经营"
OBJECT_NAME = "浏览器测试·张家港某某餐饮有限公司"
USCC = "91320582MA9E2E001" + uscc_check_char("91320582MA9E2E001")


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "inspection_registers"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def cleanup() -> Iterator[None]:
    yield
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM enterprise WHERE uscc = :u"), {"u": USCC})
        conn.execute(text("DELETE FROM supervision_category WHERE code = :c"), {"c": CATEGORY_CODE})


@pytest.fixture
def page(
    browser: Any, live_server: str, shots: Path, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """The administrator's page; no script error, no console error but a provoked 4xx,
    no 5xx answer."""
    problems: list[str] = []
    context = signed_in_context(browser, live_server, "admin")
    p = context.new_page()
    p.on("console", lambda m: m.type == "error" and not EXPECTED_REFUSAL.match(m.text)
         and problems.append(f"console: {m.text}"))  # fmt: skip
    p.on("pageerror", lambda e: problems.append(f"script: {e}"))
    p.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} {r.url}"))
    failures_before = request.session.testsfailed
    yield p
    if request.session.testsfailed > failures_before:
        p.screenshot(path=str(shots / f"failed-{request.node.name}.png"))
    context.close()
    assert problems == []


def _place_point(page: Any, lon: float, lat: float) -> None:
    page.locator('[data-testid="object-map"] [data-picker-ready="true"]').wait_for(timeout=60_000)
    page.wait_for_function("() => window.__pickerMap && window.__pickerMap.loaded()")
    page.evaluate(f"() => window.__pickerMap.jumpTo({{center: [{lon}, {lat}], zoom: 15}})")
    x, y = page.evaluate(
        f"() => {{ const p = window.__pickerMap.project([{lon}, {lat}]); return [p.x, p.y] }}"
    )
    box = page.locator('[data-testid="object-map"] [data-testid="report-map"]').bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.get_by_test_id("object-point").wait_for()


def test_a_category_and_an_object_with_licence_and_person_are_registered(
    page: Any, live_server: str, shots: Path, cleanup: None
) -> None:
    with Session(get_engine()) as db:
        lon, lat = registers_grid_point(db, town_code="320582100000")

    # 监管类别: a new top-level category.
    page.goto(f"{live_server}/#/inspection/categories", wait_until="domcontentloaded")
    page.get_by_test_id("supervision-categories-screen").wait_for()
    page.get_by_test_id("category-create").click()
    page.get_by_test_id("category-name").fill(CATEGORY_NAME)
    page.get_by_test_id("category-code").fill(CATEGORY_CODE)
    page.get_by_test_id("category-save").click()
    page.get_by_test_id("categories-table").locator("tr", has_text=CATEGORY_NAME).wait_for()
    page.get_by_test_id(f"category-node-{CATEGORY_CODE}").wait_for()
    page.screenshot(path=str(shots / "categories.png"))

    # 监管对象: the four-block form.
    page.goto(f"{live_server}/#/inspection/objects", wait_until="domcontentloaded")
    page.get_by_test_id("objects-table").wait_for()
    page.get_by_test_id("object-create").click()
    page.get_by_test_id("object-name").fill(OBJECT_NAME)
    page.get_by_test_id("object-uscc").fill(USCC)
    page.get_by_test_id("object-category").click()
    page.locator(".object-category-popper .el-select-dropdown__item", has_text="餐饮").click()
    page.get_by_test_id("object-legal").fill("王某")
    page.get_by_test_id("object-address").fill("杨舍镇人民中路 1 号")
    _place_point(page, lon, lat)

    page.get_by_test_id("object-pick-categories").click()
    picker = page.get_by_test_id("category-picker")
    picker.locator(".el-tree-node__content", has_text=CATEGORY_NAME).locator(".el-checkbox").click()
    page.get_by_test_id("category-picker-confirm").click()
    page.get_by_test_id("object-categories").get_by_text(CATEGORY_NAME).wait_for()

    page.get_by_test_id("licence-add").click()
    page.get_by_test_id("licence-name").fill("食品经营许可证")
    page.get_by_test_id("licence-number").fill("JY13205820099")
    page.get_by_test_id("licence-save").click()
    page.get_by_test_id("licences-table").get_by_text("JY13205820099").wait_for()

    page.get_by_test_id("person-add").click()
    page.get_by_test_id("person-name").fill("李四")
    page.get_by_test_id("person-mobile").fill("1381234")
    page.get_by_text("请填写正确的手机号").wait_for()
    assert page.get_by_test_id("person-save").is_disabled()
    page.get_by_test_id("person-mobile").fill("13812345678")
    assert page.get_by_test_id("person-save").is_enabled()
    page.get_by_test_id("person-save").click()
    page.get_by_test_id("persons-table").get_by_text("13812345678").wait_for()
    page.get_by_test_id("person-name").wait_for(state="hidden")
    page.screenshot(path=str(shots / "object-form.png"), full_page=True)

    page.get_by_test_id("object-save").click()
    page.get_by_test_id("object-dialog").wait_for(state="hidden")

    with get_engine().connect() as conn:
        row = conn.execute(
            text(
                "SELECT e.id, e.name, r.level, ST_X(e.geom) AS x, ST_Y(e.geom) AS y, "
                "(SELECT count(*) FROM business_licence b "
                " WHERE b.enterprise_id = e.id) AS licences, "
                "(SELECT string_agg(p.mobile, ',') FROM responsible_person p "
                " WHERE p.enterprise_id = e.id) AS mobiles, "
                "(SELECT string_agg(c.code, ',') FROM enterprise_supervision s "
                " JOIN supervision_category c ON c.id = s.category_id "
                " WHERE s.enterprise_id = e.id) AS categories "
                "FROM enterprise e JOIN region r ON r.id = e.region_id WHERE e.uscc = :u"
            ),
            {"u": USCC},
        ).one()
    assert (row.name, row.level, row.licences) == (OBJECT_NAME, "grid", 1)
    assert (row.mobiles, row.categories) == ("13812345678", CATEGORY_CODE)
    assert abs(row.x - lon) < 1e-4 and abs(row.y - lat) < 1e-4

    # Under its category in the left tree, and 查看 shows the list tag and the weight.
    page.get_by_test_id("object-category-tree").get_by_test_id(
        f"category-node-{CATEGORY_CODE}"
    ).click()
    table = page.get_by_test_id("objects-table")
    table.locator("tr", has_text=OBJECT_NAME).wait_for()
    sync_api.expect(table.locator(".el-table__body tr")).to_have_count(1)
    table.locator("tr", has_text=OBJECT_NAME).get_by_test_id("object-view").click()
    page.get_by_test_id("object-facts").wait_for()
    page.get_by_test_id("object-facts").get_by_test_id("risk-white").wait_for()
    assert page.get_by_test_id("object-draw-weight").inner_text().strip() == "1"
    page.get_by_test_id("persons-table").get_by_text("李四").wait_for()
    page.screenshot(path=str(shots / "object-view.png"), full_page=True)
