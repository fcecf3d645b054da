"""The configuration screens in a real browser, each change checked against what the API
then holds: the role matrix, departments and squads, regions on the map, service centres
with halls, windows and staff, system parameters (as a town administrator), the
working-day calendar and the audit log. Refusals show the server's own Chinese reason.

Every page must run without script or console errors and without a 5xx answer. What a
test adds it removes again (the later browser tests count windows and menus).
Screenshots go to test-output/admin/ (git-ignored).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import text

from geo.core.db import get_engine
from tests.e2e.conftest import signed_in_context

# Chromium logs every 4xx answer as a console error; the refusals are provoked on purpose
# (their text must reach the user, which the tests check), so only those lines are allowed.
EXPECTED_REFUSAL = re.compile(
    r"^Failed to load resource: the server responded with a status of 4\d\d"
)
T = TypeVar("T")
YANGSHE = 2  # region ids of the demo district (data/demo): 杨舍镇, and 金港镇 (no children)
JINGANG = 4


class Watch:
    """What a page did that a test fails on: script errors, console errors, 5xx answers."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def on_console(self, msg: Any) -> None:
        if msg.type == "error" and not EXPECTED_REFUSAL.match(msg.text):
            self.problems.append(f"console: {msg.text}")

    def on_response(self, response: Any) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} {response.request.method} {response.url}")


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "admin"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def api(live_server: str, live_headers: dict[str, str]) -> Iterator[httpx.Client]:
    """The administrator's view of the API, to check what the screens stored."""
    with httpx.Client(base_url=live_server, headers=live_headers, timeout=30) as client:
        yield client


@pytest.fixture
def open_screen(
    browser: Any, live_server: str, shots: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str, str], Any]]:
    """`open_screen(username, screen)` → a page signed in as that demo user (through the
    API from the page's own context, so it carries the cookie), on #/admin/<screen>.
    At the end, the page must not have logged an error or met a server failure; after a
    failure, the page as it was is saved as failed-<test>.png."""
    opened: list[tuple[Any, Watch]] = []
    failures_before = request.session.testsfailed

    def _open(username: str, screen: str) -> Any:
        context = signed_in_context(browser, live_server, username)
        page = context.new_page()
        watch = Watch()
        page.on("console", watch.on_console)
        page.on("pageerror", lambda e: watch.problems.append(f"script: {e}"))
        page.on("response", watch.on_response)
        opened.append((context, watch))
        page.goto(f"{live_server}/#/admin/{screen}", wait_until="domcontentloaded")
        page.get_by_test_id(f"{screen}-screen").wait_for()
        return page

    yield _open
    if request.session.testsfailed > failures_before and opened:
        page = opened[-1][0].pages[-1]
        page.screenshot(path=str(shots / f"failed-{request.node.name}.png"))
    problems = [p for _, watch in opened for p in watch.problems]
    for context, _ in opened:
        context.close()
    assert problems == []


# ---- page helpers -----------------------------------------------------------------------
def field(page: Any, testid: str) -> Any:
    """The text box of an Element Plus input (the test id lands on the <input> itself)."""
    return page.locator(f'input[data-testid="{testid}"], [data-testid="{testid}"] input').first


def message(page: Any, text: str) -> str:
    """Waits for the toast with `text` and returns its whole wording."""
    toast = page.locator(".el-message", has_text=text).first
    toast.wait_for(timeout=10_000)
    return str(toast.inner_text()).strip()


def confirm_box(page: Any) -> None:
    page.locator(".el-message-box__btns .el-button--primary").click()


def prompt(page: Any, value: str) -> None:
    box = page.locator(".el-message-box")
    box.locator("input").fill(value)
    confirm_box(page)


def pick(page: Any, testid: str, option: str, typed: str | None = None) -> None:
    """Opens the select `testid` (its popper carries `<testid>-popper`), optionally types to
    search, and clicks the option showing `option`."""
    page.locator(f'.el-select[data-testid="{testid}"]').click()
    if typed is not None:
        page.locator(f'.el-select[data-testid="{testid}"] input').first.fill(typed)
    popper = page.locator(f".el-popper.{testid}-popper")
    popper.locator(".el-select-dropdown__item", has_text=option).first.click()


def pick_region(page: Any, testid: str, town: str) -> None:
    """A town from the region tree select: open 张家港市, then the town."""
    page.locator(f'.el-select[data-testid="{testid}"]').click()
    popper = page.locator(f".el-popper.{testid}-popper")
    district = popper.locator(".el-tree-node", has_text="张家港市").first
    district.locator(".el-tree-node__expand-icon").first.click()
    popper.locator(".el-select-dropdown__item", has_text=town).first.click()


def dialog(page: Any, testid: str) -> Any:
    """The open dialog holding the element `testid`."""
    box = page.locator(".el-dialog", has=page.locator(f'[data-testid="{testid}"]'))
    box.wait_for()
    return box


def row(page: Any, table: str, text: str) -> Any:
    return page.locator(f'[data-testid="{table}"] tbody tr', has_text=text).first


def snap(page: Any, path: Path) -> None:
    """A screenshot once dialogs and message boxes have finished closing."""
    page.wait_for_function(
        """() => ![...document.querySelectorAll('.el-dialog, .el-message-box')]
              .some(e => e.getClientRects().length > 0)"""
    )
    page.screenshot(path=str(path))


def settled(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 5.0) -> T:
    """`read()` once `done` holds for its answer (else its last answer). The API commits a
    change just after answering it, so a read sent the moment a screen shows that answer
    may still see the state before the change."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def stamp() -> str:
    return str(int(time.time() * 1000) % 10**7)


def user_id(api: httpx.Client, username: str) -> int:
    found = api.get("/api/v1/org/users", params={"q": username}).json()["items"]
    return next(u["id"] for u in found if u["username"] == username)


# ---- 角色权限 ------------------------------------------------------------------------------
def role_column(page: Any, code: str) -> int:
    heads = page.locator('[data-testid="role-matrix"] thead th[data-role]')
    codes = [heads.nth(i).get_attribute("data-role") for i in range(heads.count())]
    return codes.index(code) + 2  # 1-based, after the permission column


def permission_box(page: Any, code: str, permission: str) -> Any:
    cell = f"td:nth-child({role_column(page, code)})"
    return page.locator(f'[data-testid="role-matrix"] tr[data-permission="{permission}"] {cell}')


def test_role_matrix_grants_survive_a_reload_and_a_custom_role_goes(
    open_screen: Any, api: httpx.Client, shots: Path
) -> None:
    page = open_screen("admin", "roles")
    page.locator('[data-testid="role-matrix"] tbody tr').first.wait_for()

    code, name = f"e2e_role_{stamp()}", f"测试角色{stamp()}"
    page.get_by_test_id("role-create").click()
    dialog(page, "role-code")
    field(page, "role-code").fill(code)
    field(page, "role-name").fill(name)
    page.get_by_test_id("role-create-save").click()
    message(page, "角色已创建")
    page.locator(f'thead th[data-role="{code}"]').wait_for()
    roles = settled(lambda: api.get("/api/v1/org/roles").json(), lambda rs: code in str(rs))
    assert [(r["name"], r["permissions"]) for r in roles if r["code"] == code] == [(name, [])]

    # Tick 查看工作日历 for the new role and save its column.
    box = permission_box(page, code, "system.calendar.view")
    assert "is-checked" not in (box.locator(".el-checkbox").get_attribute("class") or "")
    box.locator(".el-checkbox").click()
    page.get_by_test_id(f"role-save-{code}").click()
    message(page, f"「{name}」的权限已保存")

    def grants() -> list[str]:
        return next(
            r["permissions"] for r in api.get("/api/v1/org/roles").json() if r["code"] == code
        )

    assert settled(grants, bool) == ["system.calendar.view"]

    page.reload()
    page.locator(f'thead th[data-role="{code}"]').wait_for()
    ticked = permission_box(page, code, "system.calendar.view").locator(".el-checkbox")
    assert "is-checked" in (ticked.get_attribute("class") or "")
    others = page.locator(
        f'[data-testid="role-matrix"] tr[data-permission] '
        f"td:nth-child({role_column(page, code)}) .el-checkbox.is-checked"
    )
    assert others.count() == 1
    snap(page, shots / "roles-custom.png")

    page.get_by_test_id(f"role-delete-{code}").click()
    confirm_box(page)
    message(page, "已删除")
    page.locator(f'thead th[data-role="{code}"]').wait_for(state="detached")
    roles = settled(lambda: api.get("/api/v1/org/roles").json(), lambda rs: code not in str(rs))
    assert all(r["code"] != code for r in roles)


# ---- 部门与中队 ----------------------------------------------------------------------------
def test_departments_and_squads(open_screen: Any, api: httpx.Client, shots: Path) -> None:
    page = open_screen("admin", "departments")
    row(page, "departments-table", "杨舍城管办").wait_for()
    tag = stamp()
    parent_name, child_name, squad_name = f"测试上级{tag}", f"测试下级{tag}", f"测试中队{tag}"

    page.get_by_test_id("department-create").click()
    dialog(page, "department-name")
    field(page, "department-name").fill(parent_name)
    page.get_by_test_id("department-save").click()
    message(page, "已保存")
    row(page, "departments-table", parent_name).get_by_test_id("department-add-child").click()
    box = dialog(page, "department-name")
    assert parent_name in box.locator('[data-testid="department-parent"]').inner_text()
    field(page, "department-name").fill(child_name)
    page.get_by_test_id("department-save").click()
    message(page, "已保存")
    row(page, "departments-table", child_name).wait_for()

    def departments() -> dict[str, Any]:
        return {d["name"]: d for d in api.get("/api/v1/org/departments").json()}

    stored = settled(departments, lambda ds: child_name in ds)
    parent, child = stored[parent_name], stored[child_name]
    assert child["parent_id"] == parent["id"] and child["region_name"] == "张家港市"

    # A squad of the new department, led by 杨舍's squad leader.
    leader = user_id(api, "ys_squad")
    row(page, "departments-table", child_name).click()
    page.get_by_test_id("squad-create").click()
    dialog(page, "squad-name")
    field(page, "squad-name").fill(squad_name)
    pick(page, "squad-leader", "ys_squad", typed="ys_squad")
    page.get_by_test_id("squad-save").click()
    message(page, "已保存")
    squad_row = row(page, "squads-table", squad_name)
    squad_row.wait_for()

    def squads() -> list[dict[str, Any]]:
        return list(api.get("/api/v1/org/squads", params={"department_id": child["id"]}).json())

    assert [(s["name"], s["leader_id"]) for s in settled(squads, bool)] == [(squad_name, leader)]
    assert squads()[0]["leader_name"] in squad_row.inner_text()
    snap(page, shots / "departments.png")

    # The department with a sub-department is refused, in the server's words.
    row(page, "departments-table", parent_name).get_by_test_id("department-delete").click()
    confirm_box(page)
    refusal = message(page, "不能删除")
    answer = api.delete(f"/api/v1/org/departments/{parent['id']}")  # refused again
    assert answer.status_code == 409 and refusal == answer.json()["detail"]
    assert refusal == f"部门“{parent_name}”下还有1 个下级部门，不能删除"
    assert parent_name in departments()

    # Empty ones go: the squad, then the child, then the parent.
    squad_row.get_by_test_id("squad-delete").click()
    confirm_box(page)
    message(page, "已删除")
    squad_row.wait_for(state="detached")
    assert settled(squads, lambda ss: not ss) == []
    for name in (child_name, parent_name):
        row(page, "departments-table", name).get_by_test_id("department-delete").click()
        confirm_box(page)
        row(page, "departments-table", name).wait_for(state="detached")
    names = settled(departments, lambda ds: parent_name not in ds)
    assert parent_name not in names and child_name not in names


# ---- 区域配置 ------------------------------------------------------------------------------
def settle(page: Any) -> None:
    """Waits until the admin map has stopped moving and drawn everything."""
    page.wait_for_function(
        "() => window.__map && !window.__map.isMoving() && window.__map.loaded()"
    )


def click_map(page: Any, lng: float, lat: float) -> None:
    point = page.evaluate("([lng, lat]) => window.__map.project([lng, lat])", [lng, lat])
    canvas = page.locator('[data-testid="regions-map"] canvas').bounding_box()
    page.mouse.click(canvas["x"] + point["x"], canvas["y"] + point["y"])


def tree_node(page: Any, name: str) -> Any:
    return page.locator('[data-testid="region-tree"] .el-tree-node__content', has_text=name).first


def square(lng: float, lat: float, half: float) -> dict[str, Any]:
    ring = [
        [lng - half, lat - half],
        [lng + half, lat - half],
        [lng + half, lat + half],
        [lng - half, lat + half],
        [lng - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def new_region_codes() -> Iterator[list[str]]:
    """Codes of regions a test creates; removed afterwards (the API never deletes one)."""
    codes: list[str] = []
    yield codes
    if codes:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM region WHERE code = ANY(:codes)"), {"codes": codes})


def test_regions_on_the_map(
    open_screen: Any, api: httpx.Client, shots: Path, new_region_codes: list[str]
) -> None:
    page = open_screen("admin", "regions")
    page.locator('[data-testid="regions-map"][data-map-ready="true"]').wait_for(timeout=60_000)
    tree_node(page, "张家港市").locator(".el-tree-node__expand-icon").click()

    # 杨舍镇: its details, the code fixed, its outline drawn on the map.
    tree_node(page, "杨舍镇").click()
    detail = page.get_by_test_id("region-detail")
    detail.wait_for()
    code = field(page, "region-code")
    assert code.input_value() == "320582100000"
    assert code.is_disabled() and code.get_attribute("readonly") is not None
    assert "辖区编码一经创建不可修改" in detail.inner_text()
    settle(page)
    page.wait_for_function(
        """() => window.__map.queryRenderedFeatures(
              {layers: ['township-ui-region-line']}).length > 0"""
    )
    centre = page.evaluate("() => window.__map.getCenter().toArray()")
    assert 120.42 < centre[0] < 120.64 and 31.79 < centre[1] < 31.94  # fitted to 杨舍镇
    snap(page, shots / "regions.png")

    # A community uploaded inside 杨舍镇 overlaps the existing ones: the server says so.
    page.get_by_test_id("region-add-child").click()
    field(page, "child-code").fill("320582100901")
    field(page, "child-name").fill("测试重叠社区")
    overlapping = square(120.533, 31.864, 0.004)
    outline = json.dumps({"type": "Feature", "properties": {}, "geometry": overlapping})
    page.get_by_test_id("child-upload").set_input_files(
        files=[
            {
                "name": "overlap.geojson",
                "mimeType": "application/geo+json",
                "buffer": outline.encode(),
            }
        ]
    )
    page.get_by_test_id("child-outline-state").filter(has_text="边界已就绪").wait_for()
    page.get_by_test_id("child-save").click()
    refusal = message(page, "重叠")
    assert re.fullmatch(
        r"边界与同级社区/村重叠：“.+社区”约 [\d,.]+ 平方米；同级区划不能相互重叠", refusal
    )
    same = {"code": "320582100901", "name": "测试重叠社区", "level": "community"}
    answer = api.post(
        "/api/v1/admin/regions", json={**same, "parent_id": YANGSHE, "geometry": overlapping}
    )
    assert answer.status_code == 422 and answer.json()["detail"] == refusal
    children = api.get("/api/v1/admin/regions", params={"parent_id": YANGSHE}).json()
    assert "320582100901" not in {r["code"] for r in children}

    # 金港镇 has no communities yet: draw one by clicking its corners on the map.
    tree_node(page, "金港镇").click()
    page.get_by_test_id("region-detail").filter(has_text="金港镇").wait_for()
    settle(page)
    page.get_by_test_id("region-add-child").click()
    new_code = "320582102901"
    new_region_codes.append(new_code)
    field(page, "child-code").fill(new_code)
    field(page, "child-name").fill("测试绘制社区")
    page.get_by_test_id("child-draw").click()
    lng, lat, half = 120.4347, 31.9236, 0.008
    for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        click_map(page, lng + x * half, lat + y * half)
    page.get_by_test_id("child-outline-state").filter(has_text="已点 4 个").wait_for()
    page.get_by_test_id("child-finish").click()
    page.get_by_test_id("child-save").click()
    message(page, "辖区已创建")
    tree_node(page, "测试绘制社区").wait_for()
    created = settled(
        lambda: {
            r["code"]: r
            for r in api.get("/api/v1/admin/regions", params={"parent_id": JINGANG}).json()
        },
        lambda regions: new_code in regions,
    )
    assert created[new_code]["name"] == "测试绘制社区" and created[new_code]["level"] == "community"
    drawn = api.get(f"/api/v1/admin/regions/{created[new_code]['id']}").json()["geometry"]
    corners = drawn["coordinates"][0][0]
    assert all(abs(c[0] - lng) < half * 1.5 and abs(c[1] - lat) < half * 1.5 for c in corners)
    assert 2.0 < created[new_code]["area_km2"] < 4.0  # ≈ 1.6 km × 1.8 km

    # Rename it; the code stays.
    tree_node(page, "测试绘制社区").click()
    page.get_by_test_id("region-detail").filter(has_text="测试绘制社区").wait_for()
    assert field(page, "region-code").input_value() == new_code
    page.get_by_test_id("region-rename").click()
    prompt(page, "测试改名社区")
    message(page, "已保存")
    tree_node(page, "测试改名社区").wait_for()
    renamed = settled(
        lambda: api.get(f"/api/v1/admin/regions/{created[new_code]['id']}").json(),
        lambda region: region["name"] != "测试绘制社区",
    )
    assert (renamed["name"], renamed["code"]) == ("测试改名社区", new_code)
    snap(page, shots / "regions-created.png")


# ---- 中心与窗口 ----------------------------------------------------------------------------
def test_centre_hall_window_and_staff(open_screen: Any, api: httpx.Client, shots: Path) -> None:
    page = open_screen("admin", "centres")
    row(page, "centres-table", "杨舍镇便民服务中心").wait_for()
    tag = stamp()
    centre_name, hall_name = f"测试服务中心{tag}", f"测试大厅{tag}"
    staff = user_id(api, "ys_handler")

    def centre() -> dict[str, Any] | None:
        return next(
            (c for c in api.get("/api/v1/centres").json() if c["name"] == centre_name), None
        )

    try:
        page.get_by_test_id("centre-create").click()
        dialog(page, "centre-save")
        field(page, "centre-name").fill(centre_name)
        pick_region(page, "centre-region", "杨舍镇")
        page.get_by_test_id("centre-save").click()
        message(page, "已保存")
        page.get_by_test_id("centre-detail").filter(has_text=centre_name).wait_for()
        stored = settled(centre, bool)
        assert stored is not None and (stored["level"], stored["region_name"]) == ("town", "杨舍镇")
        centre_id = stored["id"]

        page.locator(".el-tabs__item", has_text="大厅").click()
        page.get_by_test_id("hall-create").click()
        prompt(page, hall_name)
        message(page, "已保存")
        row(page, "halls-table", hall_name).wait_for()
        halls = settled(lambda: api.get(f"/api/v1/centres/{centre_id}/halls").json(), bool)
        assert [h["name"] for h in halls] == [hall_name]

        page.locator(".el-tabs__item", has_text="窗口").click()
        page.get_by_test_id("window-create").click()
        dialog(page, "window-save")
        field(page, "window-number").fill("A1")
        field(page, "window-name").fill("综合受理")
        pick(page, "window-hall", hall_name)
        pick(page, "window-department", "杨舍便民服务中心")
        page.get_by_test_id("window-save").click()
        message(page, "已保存")
        window_row = row(page, "windows-table", "综合受理")
        window_row.wait_for()
        assert hall_name in window_row.inner_text()

        window_row.get_by_test_id("window-staff").click()
        dialog(page, "staff-save")
        pick(page, "staff-picker", "ys_handler", typed="ys_handler")
        page.get_by_test_id("staff-save").click()
        message(page, "已保存")
        windows = settled(
            lambda: api.get(f"/api/v1/centres/{centre_id}/windows").json(),
            lambda ws: bool(ws and ws[0]["staff"]),
        )
        assert [(w["number"], w["hall_name"], [s["id"] for s in w["staff"]]) for w in windows] == [
            ("A1", hall_name, [staff])
        ]
        assert (
            windows[0]["staff"][0]["display_name"]
            in row(page, "windows-table", "综合受理").inner_text()
        )
        snap(page, shots / "centres.png")

        # The same number again: the server's 409, word for word.
        page.get_by_test_id("window-create").click()
        dialog(page, "window-save")
        field(page, "window-number").fill("A1")
        field(page, "window-name").fill("重复窗口")
        pick(page, "window-department", "杨舍便民服务中心")
        page.get_by_test_id("window-save").click()
        assert message(page, "已被使用") == "窗口编号 A1 在本中心已被使用，请换一个编号"
        assert len(api.get(f"/api/v1/centres/{centre_id}/windows").json()) == 1
    finally:
        remove_centre(api, centre())  # the staff member must not keep a second window


def remove_centre(api: httpx.Client, centre: dict[str, Any] | None) -> None:
    """Windows, halls, then the centre; each delete is tried again while the one before
    it may not be committed yet."""
    if centre is None:
        return
    base = f"/api/v1/centres/{centre['id']}"
    paths = [f"/api/v1/windows/{w['id']}" for w in api.get(f"{base}/windows").json()]
    paths += [f"/api/v1/halls/{h['id']}" for h in api.get(f"{base}/halls").json()]
    for path in [*paths, base]:
        status = settled(partial(delete_status, api, path), lambda s: s in (204, 404))
        assert status in (204, 404), path


def delete_status(api: httpx.Client, path: str) -> int:
    return api.delete(path).status_code


# ---- 系统参数 ------------------------------------------------------------------------------
def test_town_administrator_overrides_a_parameter(
    open_screen: Any, api: httpx.Client, shots: Path
) -> None:
    key = "attendance.tolerance_m"

    def stored() -> dict[str, Any]:
        rows = api.get("/api/v1/parameters", params={"region_id": YANGSHE}).json()
        return next(p for p in rows if p["key"] == key)

    page = open_screen("ys_admin", "parameters")
    # A town administrator looks at their own town (the global values are not theirs).
    region = page.locator('.el-select[data-testid="parameter-region"]')
    assert "杨舍镇" in region.inner_text()
    line = row(page, "parameters-table", key)
    line.wait_for()
    assert line.get_by_test_id("parameter-source").inner_text() == "默认值"
    assert line.get_by_test_id("parameter-clear").count() == 0
    assert (stored()["source"], stored()["value"]) == ("default", 30)
    new_value = 45

    line.get_by_test_id("parameter-set").click()
    dialog(page, "parameter-save")
    field(page, "parameter-value").fill(str(new_value))
    page.get_by_test_id("parameter-save").click()
    message(page, "已保存")
    line.get_by_test_id("parameter-source").filter(has_text="镇街").wait_for()
    assert f"{new_value} 米" in line.inner_text()
    now = settled(stored, lambda p: p["source"] == "town")
    assert (now["value"], now["source"], now["source_region_id"]) == (new_value, "town", YANGSHE)
    snap(page, shots / "parameters.png")

    line.get_by_test_id("parameter-clear").click()
    confirm_box(page)
    message(page, "已清除")
    line.get_by_test_id("parameter-source").filter(has_text="默认值").wait_for()
    cleared = settled(stored, lambda p: p["source"] == "default")
    assert (cleared["source"], cleared["value"], cleared["source_region_id"]) == (
        "default",
        30,
        None,
    )


# ---- 工作日设置 ----------------------------------------------------------------------------
def test_a_day_becomes_a_holiday_and_back(open_screen: Any, api: httpx.Client, shots: Path) -> None:
    page = open_screen("admin", "calendar")
    page.locator(
        '[data-testid="calendar-grid"] .day, [data-testid="calendar-missing"]'
    ).first.wait_for()
    if page.get_by_test_id("calendar-missing").count():
        page.locator('[data-testid="calendar-missing"] button').click()
        message(page, "年度日历已生成")
    workday = page.locator('[data-testid="calendar-grid"] .day.workday').first
    workday.wait_for()
    day = str(workday.get_attribute("data-date"))
    year, month = int(day[:4]), int(day[5:7])
    cell = page.locator(f'[data-testid="calendar-grid"] .day[data-date="{day}"]')

    def stored() -> dict[str, Any]:
        days = api.get(f"/api/v1/calendar/{year}/{month}").json()["days"]
        return next(d for d in days if d["date"] == day)

    cell.click()
    dialog(page, "calendar-save")
    page.locator('[data-testid="calendar-kind"] [data-kind="holiday"]').click()
    field(page, "calendar-name").fill("测试节")
    page.get_by_test_id("calendar-save").click()
    message(page, "已保存")
    page.locator(f'.day.holiday[data-date="{day}"]').wait_for()
    assert "测试节" in cell.inner_text() and "休息" in cell.inner_text()
    colour = cell.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(253, 226, 226)"  # the holiday red of the legend
    holiday = settled(stored, lambda d: d["kind"] == "holiday")
    assert (holiday["name"], holiday["is_working"]) == ("测试节", False)
    snap(page, shots / "calendar-holiday.png")

    cell.click()
    dialog(page, "calendar-save")
    page.locator('[data-testid="calendar-kind"] [data-kind="workday"]').click()
    page.get_by_test_id("calendar-save").click()
    message(page, "已保存")
    page.locator(f'.day.workday[data-date="{day}"]').wait_for()
    assert cell.evaluate("e => getComputedStyle(e).backgroundColor") != colour
    workday_again = settled(stored, lambda d: d["kind"] == "workday")
    assert (workday_again["name"], workday_again["is_working"]) == (None, True)


# ---- 审计日志 ------------------------------------------------------------------------------
def test_audit_filter_diff_and_more(open_screen: Any, api: httpx.Client, shots: Path) -> None:
    # More than one page of 50 entries for one action: parameter changes, then undone.
    key = "event.duplicate_window_hours"
    for i in range(52):
        put = api.put(f"/api/v1/parameters/{key}", json={"region_id": JINGANG, "value": 30 + i % 2})
        assert put.status_code == 200, put.text
    assert api.delete(f"/api/v1/parameters/{key}", params={"region_id": JINGANG}).status_code == 200

    page = open_screen("admin", "audit")
    page.locator('[data-testid="audit-table"] tbody tr.el-table__row').first.wait_for()
    pick(page, "audit-action", "parameter.set")
    page.locator('[data-testid="audit-screen"] form button[type="submit"]').click()
    rows = page.locator('[data-testid="audit-table"] tbody tr.el-table__row')
    page.wait_for_function(
        """() => [...document.querySelectorAll(
                '[data-testid="audit-table"] tbody tr.el-table__row')]
              .every(r => r.innerText.includes('parameter.set'))"""
    )
    assert rows.count() == 50
    assert all("设置系统参数" in t for t in rows.all_inner_texts())
    stored = api.get("/api/v1/audit", params={"action": "parameter.set", "limit": 500}).json()
    assert len(stored["items"]) >= 52

    # The newest entry: 31 → 30 or 30 → 31, the changed value marked.
    first = stored["items"][0]
    rows.first.locator(".el-table__expand-icon").click()
    diff = page.get_by_test_id("audit-diff").first
    diff.wait_for()
    changed = diff.locator("tr.changed")
    assert changed.count() == 1
    cells = changed.locator("td").all_inner_texts()
    assert cells == ["value", str(first["before"]["value"]), str(first["after"]["value"])]
    snap(page, shots / "audit-diff.png")

    page.get_by_test_id("load-more").click()
    expected = min(len(stored["items"]), 100)
    page.wait_for_function(
        f"""() => document.querySelectorAll(
              '[data-testid="audit-table"] tbody tr.el-table__row').length === {expected}"""
    )
    assert all("parameter.set" in t for t in rows.all_inner_texts())


# ---- every screen as a town administrator ---------------------------------------------------
def test_town_administrator_sees_only_their_town(open_screen: Any, shots: Path) -> None:
    page = open_screen("ys_admin", "users")
    checks: dict[str, Callable[[], None]] = {
        "users": lambda: row(page, "users-table", "ys_grid").wait_for(),
        "roles": lambda: page.locator('[data-testid="role-matrix"] tbody tr').first.wait_for(),
        "departments": lambda: row(page, "departments-table", "杨舍城管办").wait_for(),
        "regions": lambda: tree_node(page, "杨舍镇").wait_for(),
        "centres": lambda: row(page, "centres-table", "杨舍镇便民服务中心").wait_for(),
        "parameters": lambda: row(page, "parameters-table", "auth.lock_minutes").wait_for(),
        "calendar": lambda: page.locator(
            '[data-testid="calendar-grid"] .day, [data-testid="calendar-missing"]'
        ).first.wait_for(),
        "audit": lambda: page.get_by_test_id("audit-table").wait_for(),
    }
    for screen, loaded in checks.items():
        page.goto(page.url.split("#")[0] + f"#/admin/{screen}")
        page.get_by_test_id(f"{screen}-screen").wait_for()
        loaded()
        body = page.get_by_test_id(f"{screen}-screen").inner_text()
        assert "塘桥" not in body, screen  # another town's people, offices and centres
        snap(page, shots / f"ys-admin-{screen}.png")
    # Managing 角色权限 is the district's: the town administrator reads the matrix only.
    page.goto(page.url.split("#")[0] + "#/admin/roles")
    page.locator('[data-testid="role-matrix"] tbody tr').first.wait_for()
    assert page.get_by_test_id("role-create").count() == 0
    assert page.locator('[data-testid="role-matrix"] .el-checkbox:not(.is-disabled)').count() == 0
