"""The demo's Open311 key (`demo-open311-key`, district-wide), issued by the admin."""

from __future__ import annotations

from sqlalchemy import Connection, text

from geo.open311.keys import insert_demo_key


def insert_open311_key(conn: Connection) -> int:
    district = conn.execute(text("SELECT id FROM region WHERE level = 'district'")).scalar_one()
    admin = conn.execute(text("SELECT id FROM user_account WHERE username = 'admin'")).scalar()
    return insert_demo_key(conn, region_id=district, created_by=admin)
