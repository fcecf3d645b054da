"""The demo district: a deterministic, believable township area near Zhangjiagang.

`generate(engine, seed=..., scale=...)` writes it in one transaction and returns the row
count of every table. The same seed, scale and anchor date give the same data.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, text

DEFAULT_SEED = 20261128

COLUMNS = {
    "street": "name, road_class, length_m, oneway, geom, region_id",
    "construction_site": "name, permit_no, developer, contractor, status, start_date, "
    "end_date, geom, entrance, region_id",
    "building": "name, address, floors, use, built_year, geom, region_id",
    "enterprise": "name, uscc, category, address, legal_representative, contact_phone, "
    "risk_list, geom, region_id",
    "event": "event_no, title, description, category_code, status, source, severity, urgency, "
    "address, reporter_name, reported_at, closed_at, geom, region_id, reporter_id, "
    "claimed_by_id, assignee_user_id, assignee_department_id, verifier_id, deadline, "
    "grid_boundary_id, responsible_member_id",
    "camera": "name, code, kind, stream_url, online, geom, region_id",
    "party_site": "name, organisation, kind, address, contact_phone, geom, region_id",
    "patrol_route": "name, kind, length_m, geom, region_id",
}


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not conn.execute(text("SELECT EXISTS (SELECT 1 FROM region)")).scalar()


def generate(
    engine: Engine,
    *,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
    anchor: date | None = None,
    progress: bool = False,
) -> dict[str, int]:
    """Write the demo district into an empty database; returns rows per table."""
    from data.demo import features as f
    from data.demo import history
    from data.demo.accounts import insert_accounts
    from data.demo.attendance import insert_attendance
    from data.demo.enforcement import insert_enforcement_work
    from data.demo.holidays import load_demo_calendars
    from data.demo.inspection import insert_inspection_registers
    from data.demo.layout import build_layout
    from data.demo.open311 import insert_open311_key
    from data.demo.party import insert_party

    if scale < 1:
        raise ValueError("scale 必须是正整数")
    anchor = anchor or date.today()
    started = time.monotonic()
    layout = build_layout(seed)
    with engine.begin() as conn:
        if conn.execute(text("SELECT EXISTS (SELECT 1 FROM region)")).scalar():
            raise RuntimeError("数据库中已有区划数据：演示数据只能写入空库")
        ids = _insert_regions(conn, layout)
        counts = {"region": len(ids.towns) + len(ids.communities) + len(ids.grids) + 1}
        # The people and the calendar first: work orders name their holders and deadlines.
        counts["calendar_day"] = load_demo_calendars(conn, anchor=anchor)
        counts["user_account"] = insert_accounts(conn)
        desks = history.load_desks(conn, anchor_end=history.anchor_end_of(anchor))
        staged: list[tuple] = []
        sites = f.site_plan(layout, seed, scale)
        streams: dict[str, Iterable[tuple]] = {
            "street": f.streets(layout, ids),
            "construction_site": f.construction_sites(layout, ids, sites, seed, anchor),
            "building": f.buildings(layout, ids, sites, seed, scale),
            "enterprise": f.enterprises(layout, ids, seed, scale),
            "event": _with_grid_facts(
                conn, f.events(layout, ids, seed, scale, anchor, desks, staged)
            ),
            "camera": f.cameras(layout, ids, seed, scale),
            "party_site": f.party_sites(layout, ids, seed, scale),
            "patrol_route": f.patrol_routes(layout, ids, seed, scale),
        }
        for table, rows in streams.items():
            counts[table] = _copy(conn, table, rows)
            if progress:
                print(f"  {table}: {counts[table]} 行（{time.monotonic() - started:.1f}s）")
        history.stage(conn, desks)
        _copy(conn, "demo_work_order", staged, history.STAGED_COLUMNS)
        counts.update(history.expand(conn, anchor_end=desks.anchor_end))
        if progress:
            print(
                f"  工单流转记录：{counts['event_action']} 行（{time.monotonic() - started:.1f}s）"
            )
        counts["open311_key"] = insert_open311_key(conn)
        counts["attendance_check_in"] = insert_attendance(conn, seed=seed, anchor=anchor)
        counts.update(insert_inspection_registers(conn, anchor=anchor))
        counts.update(insert_enforcement_work(conn, anchor=anchor))
        counts.update(insert_party(conn, seed=seed, scale=scale, anchor=anchor))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    return counts


def _with_grid_facts(conn: Connection, rows: Iterable[tuple]) -> Iterable[tuple]:
    """Event rows with their grid's outline version (version 1, written by the region
    trigger) and responsible member, as a report stores them. Read now: the rows are
    streamed inside a COPY."""
    versions = dict(
        conn.execute(text("SELECT grid_id, id FROM grid_boundary WHERE valid_to IS NULL")).all()
    )
    members = dict(
        conn.execute(text("SELECT grid_id, user_id FROM grid_member WHERE is_responsible")).all()
    )
    region = COLUMNS["event"].split(", ").index("region_id")
    return ((*row, versions.get(row[region]), members.get(row[region])) for row in rows)


def _copy(conn: Connection, table: str, rows: Iterable[tuple], columns: str = "") -> int:
    """Stream rows into the table with COPY, inside the caller's transaction."""
    raw: Any = conn.connection.driver_connection
    n = 0
    with raw.cursor().copy(f"COPY {table} ({columns or COLUMNS[table]}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _insert_regions(conn: Connection, layout: Any) -> Any:
    from data.demo import names
    from data.demo.features import RegionIds, ewkb

    def insert(code: str, name: str, level: str, parent: int | None, geom: Any) -> int:
        return conn.execute(
            text(
                "INSERT INTO region (code, name, level, parent_id, geom) VALUES "
                "(:code, :name, :level, :parent, ST_GeomFromEWKB(decode(:geom, 'hex'))) "
                "RETURNING id"
            ),
            {"code": code, "name": name, "level": level, "parent": parent, "geom": ewkb(geom)},
        ).scalar_one()

    from shapely.geometry import MultiPolygon
    from shapely.ops import unary_union

    district_geom = unary_union([t.geom for t in layout.towns])
    if not isinstance(district_geom, MultiPolygon):
        district_geom = MultiPolygon([district_geom])
    district = insert(*names.DISTRICT, "district", None, district_geom)
    towns = [insert(t.code, t.name, "town", district, t.geom) for t in layout.towns]
    by_code = {t.code: i for i, t in zip(towns, layout.towns, strict=True)}
    communities = []
    for c in layout.communities:
        communities.append(insert(c.code, c.name, "community", by_code[c.parent_code], c.geom))
        by_code[c.code] = communities[-1]
    grids = [insert(g.code, g.name, "grid", by_code[g.parent_code], g.geom) for g in layout.grids]
    return RegionIds(towns, communities, grids)
