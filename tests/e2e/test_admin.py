"""Sign-in and the administration screens in a real browser, used as an administrator
would: sign in on the page, create an account through 用户管理, sign out, sign in as that
account and see only the menu its role allows.

Screenshots (sign-in, users, role matrix, calendar, audit) go to test-output/admin/
(git-ignored, like the map's).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

PASSWORD = "Demo@2026"
SYSTEM_SCREENS = {
    "users": "用户管理",
    "roles": "角色权限",
    "departments": "部门与中队",
    "regions": "区域配置",
    "grids": "网格管理",
    "centres": "中心与窗口",
    "parameters": "系统参数",
    "calendar": "工作日设置",
    "audit": "审计日志",
    "open311-keys": "开放接口密钥",
}
# grid_member's grants among the system screens (geo/org/permissions.py: _SYSTEM_VIEW).
# 网格管理 needs grid.assign: a grid member reads grids but does not manage them.
GRID_MEMBER_SCREENS = {"departments", "regions", "calendar"}
ALL_CHECKED_AND_FIXED = """els => els.every(
  e => e.classList.contains('is-checked') && e.classList.contains('is-disabled'))"""


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "admin"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Any]:
    """`new_page()` → a page in its own browser context (its own cookies)."""
    contexts: list[Any] = []

    def _open() -> Any:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: console_error(m, errors))
        page.script_errors = errors  # checked by the tests
        return page

    yield _open
    for context in contexts:
        context.close()


def console_error(msg: Any, errors: list[str]) -> None:
    """Console errors but Chromium's line for a 4xx answer (wrong passwords and expired
    sessions are provoked on purpose; the page shows the server's reason instead)."""
    if msg.type == "error" and not re.match(
        r"Failed to load resource: the server responded with a status of 4\d\d", msg.text
    ):
        errors.append(f"console: {msg.text}")


def field(page: Any, testid: str) -> Any:
    """The text box of an Element Plus input (the test id lands on the <input> itself)."""
    return page.locator(f'input[data-testid="{testid}"], [data-testid="{testid}"] input').first


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/#/login", wait_until="domcontentloaded")
    field(page, "login-username").fill(username)
    field(page, "login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def signed_in(page: Any) -> None:
    """After sign-in: the frame with the user's name, and the map (the default screen)."""
    page.get_by_test_id("topbar").wait_for(timeout=30_000)
    page.wait_for_url(re.compile(r"#/map$"), timeout=30_000)
    page.wait_for_selector('[data-map-ready="true"]', timeout=60_000)


def open_admin_menu(page: Any) -> list[str]:
    """Opens 系统管理 and returns the names of its entries (empty if there is no such menu)."""
    admin = page.get_by_test_id("menu-admin")
    if admin.count() == 0:
        return []
    # Its own popup: the 网格化 menu's popup (rendered, hidden) holds other entries.
    entries = page.locator(".menu-admin-popper .el-menu-item")
    page.wait_for_timeout(400)  # a popup closing after the last choice is gone by then
    if not entries.first.is_visible():
        admin.locator(".el-sub-menu__title").click()
    entries.first.wait_for(state="visible")
    return [text.strip() for text in entries.all_inner_texts()]


def go_to(page: Any, screen: str) -> None:
    open_admin_menu(page)
    page.locator(".el-menu--popup").get_by_test_id(f"menu-{screen}").click()
    page.wait_for_url(re.compile(rf"#/admin/{screen}$"))


def message(page: Any, text: str) -> None:
    page.locator(".el-message", has_text=text).first.wait_for(timeout=10_000)


def test_wrong_password_shows_the_servers_reason(new_page: Any, live_server: str) -> None:
    page = new_page()
    sign_in(page, live_server, "tq_legal", "not-the-password-1")
    error = page.get_by_test_id("login-error")
    error.wait_for()
    # The API's own words: wrong credentials and how many attempts are left.
    assert re.search(r"用户名或密码错误，再错 \d+ 次账号将被锁定", error.inner_text())
    assert "#/login" in page.url
    assert page.get_by_test_id("topbar").count() == 0
    assert page.script_errors == []


def test_unknown_session_goes_to_sign_in_and_expiry_says_so(
    new_page: Any, live_server: str
) -> None:
    page = new_page()
    page.goto(f"{live_server}/#/admin/users", wait_until="domcontentloaded")
    page.get_by_test_id("login-card").wait_for()
    assert "redirect=" in page.url  # comes back to the users screen after sign-in

    field(page, "login-username").fill("ys_admin")
    field(page, "login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    rows = page.locator('[data-testid="users-table"] tbody tr')
    rows.first.wait_for()
    usernames = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    # 杨舍镇's administrator lists 杨舍镇's accounts, never 塘桥镇's.
    assert "ys_grid" in usernames and not any(u.startswith("tq_") for u in usernames)

    # The session ends behind the page's back: the next call's 401 leads to sign-in.
    page.context.clear_cookies()
    open_admin_menu(page)
    page.locator(".el-menu--popup").get_by_test_id("menu-audit").click()
    notice = page.get_by_test_id("login-notice")
    notice.wait_for()
    assert notice.inner_text().strip() == "登录已过期，请重新登录"


def test_clerk_with_two_windows_picks_one(new_page: Any, live_server: str) -> None:
    page = new_page()
    sign_in(page, live_server, "ys_clerk")
    picker = page.get_by_test_id("window-picker")
    picker.wait_for()
    choices = picker.locator(".el-radio")
    assert choices.count() == 2
    label = choices.nth(1).inner_text().strip()
    choices.nth(1).click()
    page.get_by_test_id("window-submit").click()
    signed_in(page)
    assert label in page.get_by_test_id("account-menu").inner_text()


def test_admin_creates_a_grid_member_who_sees_only_their_menu(
    new_page: Any, live_server: str, live_headers: dict[str, str], shots: Path
) -> None:
    page = new_page()
    page.goto(f"{live_server}/#/login", wait_until="domcontentloaded")
    page.get_by_test_id("login-card").wait_for()
    page.screenshot(path=str(shots / "login.png"))

    sign_in(page, live_server, "admin")
    signed_in(page)
    assert page.get_by_test_id("user-name").inner_text() == "系统管理员"
    assert page.get_by_test_id("user-region").inner_text() == "张家港市"
    assert page.get_by_test_id("menu-map").is_visible()
    assert open_admin_menu(page) == list(SYSTEM_SCREENS.values())  # the superuser: all

    # 用户管理: create a grid member in 杨舍镇.
    go_to(page, "users")
    table = page.get_by_test_id("users-table")
    table.locator("tbody tr").first.wait_for()
    page.screenshot(path=str(shots / "users.png"))

    username = f"e2e_grid_{int(time.time() * 1000) % 10**8}"
    page.get_by_test_id("user-create").click()
    dialog = page.locator(".el-dialog", has=page.get_by_test_id("user-username"))
    dialog.wait_for()
    field(page, "user-username").fill(username)
    field(page, "user-password").fill("Grid2026check")
    field(page, "user-display-name").fill("测试网格员")
    field(page, "user-phone").fill("13900001234")
    page.locator('.el-select[data-testid="user-form-region"]').click()
    popper = page.locator(".el-popper.user-form-region-popper")
    district = popper.locator(".el-tree-node", has_text="张家港市").first
    district.locator(".el-tree-node__expand-icon").first.click()
    popper.locator(".el-select-dropdown__item", has_text="杨舍镇").first.click()
    dialog.locator('[data-role="grid_member"]').click()
    page.get_by_test_id("user-save").click()
    message(page, "用户已创建")
    row = table.locator("tbody tr", has_text=username)
    row.wait_for()
    assert "杨舍镇" in row.inner_text() and "网格员" in row.inner_text()

    # What the server stored is what was typed (asked again for a moment: the API commits
    # a change just after answering it).
    deadline = time.monotonic() + 5
    while True:
        stored = httpx.get(
            f"{live_server}/api/v1/org/users", params={"q": username}, headers=live_headers
        ).json()["items"]
        if stored or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [(u["username"], u["region_name"], u["roles"]) for u in stored] == [
        (username, "杨舍镇", ["grid_member"])
    ]

    # 角色权限: the matrix; the administrator's column is all ticked and cannot change.
    go_to(page, "roles")
    matrix = page.get_by_test_id("role-matrix")
    matrix.locator("tbody tr").first.wait_for()
    roles = matrix.locator("thead th[data-role]")
    assert roles.count() >= 10
    admin_column = [
        i
        for i in range(roles.count())
        if roles.nth(i).get_attribute("data-role") == "administrator"
    ][0]
    boxes = matrix.locator(
        f"tbody tr[data-permission] td:nth-child({admin_column + 2}) .el-checkbox"
    )
    assert boxes.count() > 20
    assert boxes.evaluate_all(ALL_CHECKED_AND_FIXED)
    page.screenshot(path=str(shots / "roles.png"))

    # 工作日设置: the month grid, or the offer to generate the year.
    go_to(page, "calendar")
    page.locator(
        '[data-testid="calendar-grid"] .day, [data-testid="calendar-missing"]'
    ).first.wait_for()
    if page.get_by_test_id("calendar-missing").count():
        page.locator('[data-testid="calendar-missing"] button').click()
        message(page, "年度日历已生成")
    days = page.locator('[data-testid="calendar-grid"] .day')
    days.first.wait_for()
    assert 28 <= days.count() <= 31
    page.screenshot(path=str(shots / "calendar.png"))

    # 审计日志: the creation is there, its after-image names the account.
    go_to(page, "audit")
    page.locator('.el-select[data-testid="audit-action"]').click()
    page.locator(
        ".el-popper.audit-action-popper .el-select-dropdown__item", has_text="org.user_create"
    ).click()
    page.locator('[data-testid="audit-screen"] form button[type="submit"]').click()
    entry = page.locator('[data-testid="audit-table"] tbody tr.el-table__row').first
    entry.wait_for()
    entry.locator(".el-table__expand-icon").click()
    diff = page.get_by_test_id("audit-diff").first
    diff.wait_for()
    assert username in diff.inner_text()
    page.screenshot(path=str(shots / "audit.png"))

    # Sign out, then in as the new account.
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("menu-logout").click()
    page.get_by_test_id("login-card").wait_for()
    assert page.get_by_test_id("topbar").count() == 0

    sign_in(page, live_server, username, "Grid2026check")
    signed_in(page)
    assert page.get_by_test_id("user-name").inner_text() == "测试网格员"
    assert page.get_by_test_id("user-region").inner_text() == "杨舍镇"
    assert page.get_by_test_id("menu-map").is_visible()
    entries = open_admin_menu(page)
    assert entries == [v for k, v in SYSTEM_SCREENS.items() if k in GRID_MEMBER_SCREENS]
    assert "用户管理" not in entries and "角色权限" not in entries

    # Typing the address of a screen the role lacks does not open it.
    page.goto(f"{live_server}/#/admin/users")
    page.get_by_text("无权访问").wait_for()
    assert page.get_by_test_id("users-screen").count() == 0
    assert page.script_errors == []
