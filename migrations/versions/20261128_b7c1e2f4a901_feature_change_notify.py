"""Notify committed edits of every spatial layer, so tile caches drop what they touch.

One notification per statement (transition tables), carrying the table and the extent
of the rows it inserted, changed or deleted; a bulk import of 60,000 rows is one message.

Revision ID: b7c1e2f4a901
Revises: da23add5148d
Create Date: 2026-11-28 22:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b7c1e2f4a901"
down_revision: str | None = "da23add5148d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("region", "street", "building", "enterprise", "construction_site", "patrol_route",
          "event", "camera", "party_site")

FUNCTION = """
CREATE FUNCTION notify_feature_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    box box2d;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT ST_Extent(geom) INTO box FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT ST_Extent(geom) INTO box FROM old_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT ST_Extent(geom) INTO box
        FROM (SELECT geom FROM new_rows UNION ALL SELECT geom FROM old_rows) AS changed;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('feature_change', json_build_object('table', TG_TABLE_NAME)::text);
    ELSIF box IS NOT NULL THEN
        PERFORM pg_notify('feature_change', json_build_object(
            'table', TG_TABLE_NAME,
            'bbox', json_build_array(ST_XMin(box), ST_YMin(box), ST_XMax(box), ST_YMax(box))
        )::text);
    END IF;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.execute(FUNCTION)
    for t in TABLES:
        op.execute(f"""
            CREATE TRIGGER {t}_inserted AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION notify_feature_change();
            CREATE TRIGGER {t}_updated AFTER UPDATE ON {t}
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION notify_feature_change();
            CREATE TRIGGER {t}_deleted AFTER DELETE ON {t} REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION notify_feature_change();
            CREATE TRIGGER {t}_truncated AFTER TRUNCATE ON {t}
                FOR EACH STATEMENT EXECUTE FUNCTION notify_feature_change();
        """)


def downgrade() -> None:
    for t in TABLES:
        for suffix in ("inserted", "updated", "deleted", "truncated"):
            op.execute(f"DROP TRIGGER IF EXISTS {t}_{suffix} ON {t}")
    op.execute("DROP FUNCTION IF EXISTS notify_feature_change()")
