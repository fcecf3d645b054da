"""Demo organisation and accounts: one account per role in two towns (杨舍镇, 塘桥镇),
plus the district's administrator, command-centre dispatcher and leader.

Every demo account shares DEMO_PASSWORD (printed in README) and is marked `is_demo`:
production mode refuses to start while any exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from geo.org.passwords import hash_password

DEMO_PASSWORD = "Demo@2026"

# (town code, username prefix, town short name)
TOWNS = (("320582100000", "ys", "杨舍"), ("320582101000", "tq", "塘桥"))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    region_code: str
    department: str | None = None  # department name within the account's town/district
    squad: str | None = None
    leads_squad: bool = False
    windows: tuple[str, ...] = ()  # window numbers in the town's service centre


def demo_accounts() -> list[DemoAccount]:
    district = "320582000000"
    out = [
        DemoAccount("admin", "系统管理员", "administrator", district, "区网格化综合指挥中心"),
        DemoAccount(
            "center", "区指挥中心·周敏", "district_dispatcher", district, "区网格化综合指挥中心"
        ),
        DemoAccount("leader", "区领导·陆建国", "leader", district),
    ]
    people = {
        "ys": ("钱立", "孙晓", "李梅", "周杰", "吴涛", "郑凯", "王芳", "冯雪", "陈刚"),
        "tq": ("褚宁", "卫东", "蒋琳", "沈浩", "韩冰", "杨帆", "朱丽", "秦川", "许可"),
    }
    for code, prefix, short in TOWNS:
        n = people[prefix]
        enforcement, squad = f"{short}综合行政执法局", f"{short}第一中队"
        out += [
            DemoAccount(f"{prefix}_admin", f"{short}·{n[0]}", "region_admin", code),
            DemoAccount(f"{prefix}_dispatcher", f"{short}分中心·{n[1]}", "subcentre_dispatcher",
                        code, f"{short}网格化服务管理分中心"),
            DemoAccount(f"{prefix}_handler", f"{short}城管办·{n[2]}", "department_handler",
                        code, f"{short}城管办"),
            DemoAccount(f"{prefix}_grid", f"{short}网格员·{n[3]}", "grid_member",
                        _first_grid(code)),
            DemoAccount(f"{prefix}_officer", f"{short}执法队员·{n[4]}", "officer", code,
                        enforcement, squad),
            DemoAccount(f"{prefix}_squad", f"{short}中队长·{n[5]}", "squad_leader", code,
                        enforcement, squad, leads_squad=True),
            DemoAccount(f"{prefix}_legal", f"{short}法制审核·{n[6]}", "legal_officer", code,
                        enforcement),
            DemoAccount(f"{prefix}_clerk", f"{short}窗口·{n[7]}", "window_clerk", code,
                        f"{short}便民服务中心", windows=("01", "02")),
            DemoAccount(f"{prefix}_leader", f"{short}镇领导·{n[8]}", "leader", code),
        ]  # fmt: skip
        out += [
            DemoAccount(f"{prefix}_zf{i:02d}", f"{short}执法队员·{given}", "officer", code,
                        enforcement, f"{short}第{squad}中队")
            for i, (given, squad) in enumerate(SQUAD_OFFICERS[prefix], 1)
        ]  # fmt: skip
    return out


# The officers of the squads besides {prefix}_officer ({prefix}_zf01 …): given name, squad.
SQUAD_OFFICERS = {
    "ys": (("顾远", "一"), ("邹平", "一"), ("施洁", "二"), ("潘越", "二")),
    "tq": (("葛亮", "一"), ("龚燕", "二")),
}


# Given names of the community grid members ({prefix}_wg01 …), in community order.
COMMUNITY_MEMBERS = {
    "ys": ("刘洋", "何静", "曹磊", "严蕾", "华峰", "金燕", "陶然"),
    "tq": ("姜涛", "戴敏", "范宇"),
}


def _first_grid(town_code: str) -> str:
    return town_code[:9] + "001001"  # the first grid of the town's first community


def _departments(short: str) -> list[tuple[str, bool]]:
    return [
        (f"{short}网格化服务管理分中心", False),
        (f"{short}城管办", False),
        (f"{short}综合行政执法局", False),
        (f"{short}便民服务中心", True),
    ]


def insert_accounts(conn: Connection) -> int:
    """The demo organisation and accounts; returns the number of accounts."""
    region = dict(conn.execute(text("SELECT code, id FROM region")).all())
    district = region["320582000000"]
    dept: dict[str, int] = {}

    def add_department(name: str, region_id: int, window: bool) -> None:
        dept[name] = conn.execute(
            text("INSERT INTO department (name, region_id, is_window_department) "
                 "VALUES (:n, :r, :w) RETURNING id"),
            {"n": name, "r": region_id, "w": window},
        ).scalar_one()  # fmt: skip

    for name, window in (("区网格化综合指挥中心", False), ("区行政审批局", True)):
        add_department(name, district, window)
    squads: dict[str, int] = {}
    windows: dict[tuple[str, str], int] = {}
    _insert_centre(conn, "张家港市政务服务中心", "county", district, None, {}, dept["区行政审批局"])
    for code, _prefix, short in TOWNS:
        for name, window in _departments(short):
            add_department(name, region[code], window)
        for squad_name in (f"{short}第一中队", f"{short}第二中队"):
            squads[squad_name] = conn.execute(
                text("INSERT INTO squad (name, department_id, region_id) VALUES (:n, :d, :r) "
                     "RETURNING id"),
                {"n": squad_name, "d": dept[f"{short}综合行政执法局"], "r": region[code]},
            ).scalar_one()  # fmt: skip
        _insert_centre(conn, f"{short}镇便民服务中心", "town", region[code], code, windows,
                       dept[f"{short}便民服务中心"])  # fmt: skip

    password_hash = hash_password(DEMO_PASSWORD)  # one hash: argon2 is slow on purpose
    accounts = demo_accounts()
    for i, a in enumerate(accounts, start=1):
        user_id = conn.execute(
            text("""INSERT INTO user_account (username, display_name, phone, region_id,
                        department_id, squad_id, password_hash, is_demo)
                    VALUES (:u, :n, :phone, :r, :d, :s, :h, true) RETURNING id"""),
            {"u": a.username, "n": a.display_name, "phone": f"139{i:08d}",
             "r": region[a.region_code], "d": dept.get(a.department or ""),
             "s": squads.get(a.squad or ""), "h": password_hash},
        ).scalar_one()  # fmt: skip
        conn.execute(text("INSERT INTO user_role VALUES (:u, :r)"), {"u": user_id, "r": a.role})
        if a.leads_squad:
            conn.execute(text("UPDATE squad SET leader_id = :u WHERE id = :s"),
                         {"u": user_id, "s": squads[a.squad or ""]})  # fmt: skip
        if a.role == "grid_member":
            conn.execute(text("INSERT INTO grid_member (grid_id, user_id, is_responsible) "
                              "VALUES (:g, :u, true)"),
                         {"g": region[a.region_code], "u": user_id})  # fmt: skip
        for number in a.windows:
            conn.execute(text("INSERT INTO window_staff VALUES (:w, :u)"),
                         {"w": windows[(a.region_code, number)], "u": user_id})  # fmt: skip
    return len(accounts) + _insert_community_members(conn, password_hash)


def _insert_community_members(conn: Connection, password_hash: str) -> int:
    """One grid member per community of the demo towns, answering for each of its grids
    that has nobody yet (the town's own demo grid member keeps theirs): reports then name a
    responsible member wherever they fall."""
    added = 0
    for code, prefix, short in TOWNS:
        communities = conn.execute(
            text("""SELECT c.id FROM region c JOIN region t ON t.id = c.parent_id
                    WHERE t.code = :town AND c.level = 'community' ORDER BY c.code"""),
            {"town": code},
        ).scalars()
        for n, (community, name) in enumerate(
            zip(communities, COMMUNITY_MEMBERS[prefix], strict=False), 1
        ):
            user_id = conn.execute(
                text("""INSERT INTO user_account (username, display_name, phone, region_id,
                            password_hash, is_demo)
                        VALUES (:u, :n, :phone, :r, :h, true) RETURNING id"""),
                {"u": f"{prefix}_wg{n:02d}", "n": f"{short}网格员·{name}",
                 "phone": f"138{added + 1:08d}", "r": community, "h": password_hash},
            ).scalar_one()  # fmt: skip
            conn.execute(text("INSERT INTO user_role VALUES (:u, 'grid_member')"), {"u": user_id})
            conn.execute(
                text("""INSERT INTO grid_member (grid_id, user_id, is_responsible)
                        SELECT g.id, :u, true FROM region g
                        WHERE g.parent_id = :c AND NOT EXISTS (
                            SELECT 1 FROM grid_member m
                            WHERE m.grid_id = g.id AND m.is_responsible)"""),
                {"u": user_id, "c": community},
            )
            added += 1
    return added


def _insert_centre(
    conn: Connection,
    name: str,
    level: str,
    region_id: int,
    town_code: str | None,
    windows: dict[tuple[str, str], int],
    department_id: int,
) -> None:
    """A service centre with one hall and two windows."""
    centre = conn.execute(
        text(
            "INSERT INTO service_centre (name, level, region_id) VALUES (:n, :l, :r) RETURNING id"
        ),
        {"n": name, "l": level, "r": region_id},
    ).scalar_one()
    hall = conn.execute(
        text("INSERT INTO hall (centre_id, name) VALUES (:c, '一楼办事大厅') RETURNING id"),
        {"c": centre},
    ).scalar_one()
    for number, window_name in (("01", "综合受理窗口"), ("02", "社保医保窗口")):
        windows[(town_code or "", number)] = conn.execute(
            text("INSERT INTO service_window (centre_id, hall_id, department_id, name, number) "
                 "VALUES (:c, :h, :d, :n, :no) RETURNING id"),
            {"c": centre, "h": hall, "d": department_id, "n": window_name, "no": number},
        ).scalar_one()  # fmt: skip
