"""党建引领 in a real browser (CMD-2): the administrator registers a party activity on the
党建活动 screen by clicking its position on the map; a leader of the town then opens the
command screen, turns on 党建引领, reads this month's activity count in the panel and
clicks the new activity's symbol on the map to see its title.

Screenshots go to test-output/party/ (git-ignored). The activity is deleted afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from tests.e2e.conftest import signed_in_context

TITLE = "浏览器测试主题党日"


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "party"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def cleanup() -> Iterator[None]:
    yield
    with Session(get_engine()) as s:
        s.execute(text("DELETE FROM party_activity WHERE title = :t"), {"t": TITLE})
        s.commit()


def _organisation() -> tuple[str, float, float]:
    """The first 杨舍 community organisation and a point inside its community."""
    with Session(get_engine()) as s:
        row = s.execute(
            text("""SELECT o.name, ST_X(ST_PointOnSurface(c.geom)), ST_Y(ST_PointOnSurface(c.geom))
                    FROM party_organisation o JOIN region c ON c.id = o.region_id
                    WHERE c.level = 'community' AND c.path <@
                          (SELECT path FROM region WHERE code = '320582100000')
                    ORDER BY c.code LIMIT 1""")
        ).one()
    return row[0], row[1], row[2]


def _month_count() -> int:
    with Session(get_engine()) as s:
        return int(
            s.execute(
                text("""SELECT count(*) FROM party_activity a JOIN region r ON r.id = a.region_id
                        WHERE r.path <@ (SELECT path FROM region WHERE code = '320582100000')
                          AND a.held_at >= date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')
                                           AT TIME ZONE 'Asia/Shanghai'""")
            ).scalar_one()
        )


def _click_at(page: Any, map_var: str, testid: str, lon: float, lat: float) -> None:
    x, y = page.evaluate(
        f"() => {{ const p = window.{map_var}.project([{lon}, {lat}]); return [p.x, p.y] }}"
    )
    box = page.get_by_test_id(testid).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def _page(browser: Any, live_server: str, username: str) -> tuple[Any, Any, list[str]]:
    context = signed_in_context(browser, live_server, username, timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def test_an_activity_registered_on_the_map_shows_on_the_command_screen(
    browser: Any, live_server: str, shots: Path, cleanup: None
) -> None:
    org, lon, lat = _organisation()
    before = _month_count()
    context, page, errors = _page(browser, live_server, "admin")
    try:
        # The organisation tree: choosing a node fills the details on the right.
        page.goto(f"{live_server}/#/party/organisations", wait_until="domcontentloaded")
        page.get_by_test_id("party-org-tree").get_by_text(org, exact=True).click()
        expect(page.get_by_test_id("party-org-name")).to_have_value(org)
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / "organisations.png"))
        # Its members: filtered by the organisation, a page of the table.
        page.goto(f"{live_server}/#/party/members", wait_until="domcontentloaded")
        page.get_by_test_id("party-member-filter-org").click()
        page.locator(".el-select-dropdown__item:visible", has_text=org).first.click()
        page.get_by_role("button", name="查询").click()
        rows = page.get_by_test_id("party-member-table").locator("tbody tr")
        expect(rows.first).to_contain_text(org)
        assert rows.count() >= 15
        page.screenshot(path=str(shots / "members.png"))
        page.goto(f"{live_server}/#/party/activities", wait_until="domcontentloaded")
        page.get_by_test_id("party-activity-table").wait_for()
        page.get_by_test_id("party-activity-new").click()
        page.get_by_test_id("party-activity-title").fill(TITLE)
        page.get_by_test_id("party-activity-org").click()
        page.locator(".el-select-dropdown__item:visible", has_text=org).first.click()
        page.get_by_test_id("party-activity-participants").locator("input").fill("36")
        page.wait_for_function("() => window.__pickerMap && window.__pickerMap.loaded()")
        page.evaluate(f"() => window.__pickerMap.jumpTo({{center: [{lon}, {lat}], zoom: 16}})")
        _click_at(page, "__pickerMap", "report-map", lon, lat)
        point = page.get_by_test_id("party-activity-point")
        assert "," in point.inner_text()
        page.screenshot(path=str(shots / "activity-form.png"))
        page.get_by_test_id("party-activity-save").click()
        page.get_by_test_id("party-activity-table").get_by_text(TITLE).wait_for(timeout=20_000)
        page.screenshot(path=str(shots / "activities.png"))
        assert not errors, errors
    finally:
        context.close()
    assert _month_count() == before + 1
    with Session(get_engine()) as s:
        at = s.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM party_activity WHERE title = :t"),
            {"t": TITLE},
        ).one()

    context, page, errors = _page(browser, live_server, "ys_leader")
    try:
        page.goto(f"{live_server}/command/")
        page.get_by_test_id("command-figure-open").wait_for()
        page.wait_for_function("() => window.__commandMap && window.__commandMap.loaded()")
        page.get_by_test_id("command-party-toggle").click()
        figure = page.get_by_test_id("command-party-activities")
        figure.wait_for()
        assert figure.inner_text() == str(before + 1)
        page.evaluate(f"() => window.__commandMap.jumpTo({{center: [{at[0]}, {at[1]}], zoom: 17}})")
        page.wait_for_function(
            "() => window.__commandMap.loaded() && window.__commandMap"
            ".queryRenderedFeatures({layers: ['cmd-party-activities']}).length > 0",
            timeout=15_000,
        )
        _click_at(page, "__commandMap", "command-map", at[0], at[1])
        popup = page.get_by_test_id("command-party-activity-title")
        popup.wait_for(timeout=10_000)
        assert popup.inner_text() == TITLE
        page.screenshot(path=str(shots / "command-party.png"))
        assert not errors, errors
    finally:
        context.close()
