"""Demo registers of random inspections: supervision categories with every enterprise
filed under them, licences and responsible persons, the item catalogue with scored check
lists, experts, and the towns' enforcement officers with their areas.

Written set-based from the enterprises already in the database (the same at every scale):
areas are unions of the town's communities, arranged so that every enterprise of a demo
town lies in the areas of at least two officers (a draw's team needs two).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text

# (code, name, parent code, sort order, enterprise categories filed under it)
SUPERVISION_CATEGORIES = (
    ("01", "食品经营", None, 1, ()),
    ("0101", "餐饮服务", "01", 1, ("catering",)),
    ("0102", "食品销售", "01", 2, ("retail",)),
    ("02", "安全生产", None, 2, ()),
    ("0201", "危险化学品", "02", 1, ("hazardous_chemicals",)),
    ("0202", "工贸企业", "02", 2, ("manufacturing",)),
    ("0203", "仓储物流", "02", 3, ("logistics",)),
    ("03", "特种行业", None, 3, ()),
    ("0301", "旅馆业", "03", 1, ("accommodation",)),
    ("0302", "机动车维修", "03", 2, ("auto_repair",)),
    ("04", "公共场所", None, 4, ()),
    ("0401", "文化娱乐场所", "04", 1, ("entertainment",)),
    ("0402", "医疗机构", "04", 2, ("healthcare",)),
    ("05", "建设工程", None, 5, ()),
    ("0501", "建筑施工", "05", 1, ("construction",)),
    # A second filing: the places the fire brigade watches closely.
    ("06", "消防安全重点单位", None, 6,
     ("accommodation", "entertainment", "hazardous_chemicals", "healthcare")),
)  # fmt: skip

# (category code, name, [(item code, item name, basis, [(content, max score, critical)])])
ITEMS = (
    ("SP", "食品安全检查", (
        ("SP01", "证照公示", "《中华人民共和国食品安全法》第三十五条", (
            ("食品经营许可证在有效期内，经营项目与许可一致", 10, True),
            ("许可证、量化分级标识在显著位置公示", 5, False))),
        ("SP02", "从业人员管理", "《中华人民共和国食品安全法》第四十五条", (
            ("从业人员持有效健康证明上岗", 10, True),
            ("落实晨检制度并有记录", 5, False))),
        ("SP03", "加工场所卫生", "《餐饮服务食品安全操作规范》", (
            ("加工场所清洁，生熟分开", 10, False),
            ("防蝇、防鼠、防虫设施完好", 10, False),
            ("餐饮具清洗消毒并保洁存放", 10, True))),
    )),
    ("XF", "消防安全检查", (
        ("XF01", "消防设施器材", "《中华人民共和国消防法》第十六条", (
            ("灭火器配置数量充足且在有效期内", 10, True),
            ("疏散通道、安全出口畅通", 10, True),
            ("应急照明和疏散指示标志完好", 5, False))),
        ("XF02", "消防安全管理", "《机关、团体、企业、事业单位消防安全管理规定》", (
            ("明确消防安全责任人和管理人", 5, False),
            ("防火巡查、检查有记录", 5, False))),
    )),
    ("AQ", "安全生产检查", (
        ("AQ01", "安全管理制度", "《中华人民共和国安全生产法》第二十一条", (
            ("建立全员安全生产责任制", 10, False),
            ("安全生产教育培训有记录", 5, False))),
        ("AQ02", "危险作业管理", "《危险化学品安全管理条例》第二十四条", (
            ("危险化学品分类储存、专人管理", 10, True),
            ("特种作业人员持证上岗", 10, True))),
        ("AQ03", "隐患排查治理", "《中华人民共和国安全生产法》第四十一条", (
            ("建立隐患排查治理台账并闭环整改", 10, False),)),
    )),
)  # fmt: skip

# (name, organisation, title, speciality, mobile, item codes)
EXPERTS = (
    ("陶文华", "张家港市疾病预防控制中心", "主任医师", "食品卫生", "13862210001",
     ("SP01", "SP02", "SP03")),
    ("程立新", "张家港市消防救援大队", "高级工程师", "建筑防火", "13862210002",
     ("XF01", "XF02")),
    ("林雪梅", "苏州市安全生产协会", "注册安全工程师", "危险化学品", "13862210003",
     ("AQ01", "AQ02", "AQ03")),
    ("马骏", "张家港市市场监督管理局", "高级工程师", "食品流通", "13862210004",
     ("SP01", "SP03")),
)  # fmt: skip

# Licences by enterprise category: (licence name, number prefix, issuer).
LICENCES = (
    ("catering", "食品经营许可证", "JY13205820", "张家港市市场监督管理局"),
    ("retail", "食品经营许可证", "JY13205820", "张家港市市场监督管理局"),
    ("hazardous_chemicals", "危险化学品经营许可证", "苏张危化经字", "张家港市应急管理局"),
    ("healthcare", "医疗机构执业许可证", "PDY3205820", "张家港市卫生健康委员会"),
    ("accommodation", "特种行业许可证", "张公特旅字", "张家港市公安局"),
    ("entertainment", "娱乐经营许可证", "320582", "张家港市文体广电和旅游局"),
)

# Officer areas: the communities (1-based, in code order) each officer covers, by town.
# {prefix}_officer and {prefix}_squad cover the whole town.
AREAS = {
    "ys": {"zf01": (1, 2, 3), "zf02": (3, 4, 5), "zf03": (5, 6, 7), "zf04": (1, 4, 7)},
    "tq": {"zf01": (1, 2), "zf02": (2, 3)},
}
TOWNS = (("320582100000", "ys"), ("320582101000", "tq"))


def insert_inspection_registers(conn: Connection, *, anchor: date) -> dict[str, int]:
    """The registers; returns rows per table."""
    counts = {
        "supervision_category": _supervision_categories(conn),
        "inspection_item": _items(conn),
        "expert": _experts(conn),
    }
    counts["business_licence"] = _licences(conn, anchor)
    counts["responsible_person"] = _responsible_persons(conn)
    counts["enforcement_officer"] = _officers(conn)
    _list_history(conn)
    _town_rules(conn)
    return counts


def _supervision_categories(conn: Connection) -> int:
    for code, name, parent, order, categories in SUPERVISION_CATEGORIES:
        category_id = conn.execute(
            text("""INSERT INTO supervision_category (code, name, parent_id, sort_order)
                    VALUES (:code, :name,
                            (SELECT id FROM supervision_category WHERE code = :parent), :o)
                    RETURNING id"""),
            {"code": code, "name": name, "parent": parent, "o": order},
        ).scalar_one()
        conn.execute(
            text("""INSERT INTO enterprise_supervision (enterprise_id, category_id)
                    SELECT id, :c FROM enterprise WHERE category = ANY(:cats)"""),
            {"c": category_id, "cats": list(categories)},
        )
    return len(SUPERVISION_CATEGORIES)


def _items(conn: Connection) -> int:
    n = 0
    for order, (code, name, items) in enumerate(ITEMS, 1):
        category_id = conn.execute(
            text("INSERT INTO inspection_item_category (code, name, sort_order) "
                 "VALUES (:c, :n, :o) RETURNING id"),
            {"c": code, "n": name, "o": order},
        ).scalar_one()  # fmt: skip
        for item_order, (item_code, item_name, basis, contents) in enumerate(items, 1):
            item_id = conn.execute(
                text("""INSERT INTO inspection_item (category_id, code, name, basis, method,
                            sort_order, active)
                        VALUES (:c, :code, :n, :b, '现场检查', :o, true) RETURNING id"""),
                {"c": category_id, "code": item_code, "n": item_name, "b": basis,
                 "o": item_order},
            ).scalar_one()  # fmt: skip
            for seq, (content, score, critical) in enumerate(contents, 1):
                conn.execute(
                    text("""INSERT INTO check_content (item_id, seq, content, max_score,
                                critical) VALUES (:i, :s, :c, :m, :k)"""),
                    {"i": item_id, "s": seq, "c": content, "m": score, "k": critical},
                )
            n += 1
    return n


def _experts(conn: Connection) -> int:
    district = conn.execute(text("SELECT id FROM region WHERE level = 'district'")).scalar_one()
    for name, organisation, title, speciality, mobile, items in EXPERTS:
        expert_id = conn.execute(
            text("""INSERT INTO expert (name, organisation, title, speciality, mobile,
                        region_id, active) VALUES (:n, :o, :t, :s, :m, :r, true) RETURNING id"""),
            {"n": name, "o": organisation, "t": title, "s": speciality, "m": mobile,
             "r": district},
        ).scalar_one()  # fmt: skip
        conn.execute(
            text("""INSERT INTO expert_item (expert_id, item_id)
                    SELECT :e, id FROM inspection_item WHERE code = ANY(:codes)"""),
            {"e": expert_id, "codes": list(items)},
        )
    return len(EXPERTS)


def _licences(conn: Connection, anchor: date) -> int:
    """One licence per enterprise of a licensed trade; about one in twelve has expired."""
    total = 0
    for category, name, prefix, issuer in LICENCES:
        total += conn.execute(
            text("""INSERT INTO business_licence (enterprise_id, name, number, issuer,
                        valid_from, valid_to, scope)
                    SELECT e.id, :name, :prefix || lpad(e.id::text, 8, '0'), :issuer,
                           CAST(:anchor AS date) - (400 + e.id % 1000)::int,
                           CAST(:anchor AS date) - (400 + e.id % 1000)::int + 1825
                               - CASE WHEN e.id % 12 = 0 THEN 1500 ELSE 0 END,
                           :scope
                    FROM enterprise e WHERE e.category = :category"""),
            {"name": name, "prefix": prefix, "issuer": issuer, "anchor": anchor,
             "category": category, "scope": f"{name}所载经营项目"},
        ).rowcount  # fmt: skip
    return total


def _responsible_persons(conn: Connection) -> int:
    """The legal representative answers for every enterprise, on its mobile when it has
    one, else on a mobile derived from its id."""
    return conn.execute(
        text("""INSERT INTO responsible_person (enterprise_id, name, duty, mobile)
                SELECT id, coalesce(legal_representative, '负责人'), '法定代表人',
                       CASE WHEN contact_phone ~ '^1[3-9][0-9]{9}$' THEN contact_phone
                            ELSE '139' || lpad((id % 100000000)::text, 8, '0') END
                FROM enterprise""")
    ).rowcount


def _officers(conn: Connection) -> int:
    """Every officer and squad leader of the demo towns, with their areas."""
    total = 0
    for town_code, prefix in TOWNS:
        communities = list(
            conn.execute(
                text("""SELECT c.id FROM region c JOIN region t ON t.id = c.parent_id
                        WHERE t.code = :t AND c.level = 'community' ORDER BY c.code"""),
                {"t": town_code},
            ).scalars()
        )
        areas = {"officer": communities, "squad": communities}
        areas |= {k: [communities[i - 1] for i in v] for k, v in AREAS[prefix].items()}
        for suffix, region_ids in areas.items():
            total += conn.execute(
                text("""INSERT INTO enforcement_officer (user_id, officer_type, certificate_no,
                            region_id, area, area_region_ids, active)
                        SELECT u.id, CASE WHEN :suffix LIKE 'zf0%' AND :suffix > 'zf02'
                                          THEN 'auxiliary' ELSE 'formal' END,
                               '32058' || lpad(u.id::text, 6, '0'), u.region_id,
                               (SELECT ST_Multi(ST_Union(geom)) FROM region
                                WHERE id = ANY(:regions)),
                               :regions, true
                        FROM user_account u WHERE u.username = :username"""),
                {"suffix": suffix, "regions": region_ids, "username": f"{prefix}_{suffix}"},
            ).rowcount
    # One recorded relation: the first officer of 杨舍 may not inspect their relative's shop.
    conn.execute(
        text("""INSERT INTO officer_conflict (officer_id, enterprise_id, reason)
                SELECT o.id, e.id, '近亲属任该企业法定代表人'
                FROM enforcement_officer o JOIN user_account u ON u.id = o.user_id,
                     LATERAL (SELECT e.id FROM enterprise e
                              WHERE ST_Covers(o.area, e.geom) ORDER BY e.id LIMIT 1) e
                WHERE u.username = 'ys_zf01'""")
    )
    return total


def _town_rules(conn: Connection) -> None:
    """塘桥镇 is stricter than the district: one failed inspection moves an object down a
    list (a region override of inspection.demote_after, shown in the rules panel)."""
    conn.execute(
        text("""INSERT INTO system_parameter (key, region_id, value)
                SELECT 'inspection.demote_after', id, '1'::jsonb FROM region
                WHERE code = '320582101000'""")
    )


def _list_history(conn: Connection) -> None:
    """A record since the last list move, as the default rules leave it: each pass in the
    red list lowered the weight by 0.1, each failure in the black list raised it by 0.2
    (fewer than the 3 passes / 2 failures that would move the object)."""
    conn.execute(
        text("""UPDATE enterprise SET
                    pass_streak = CASE WHEN risk_list = 'red' THEN id % 3 ELSE 0 END,
                    fail_streak = CASE WHEN risk_list = 'black' THEN id % 2 ELSE 0 END,
                    draw_weight = CASE risk_list WHEN 'red' THEN 1.0 - (id % 3) * 0.1
                                                 WHEN 'black' THEN 1.0 + (id % 2) * 0.2
                                                 ELSE 1.0 END""")
    )
