"""Notify each reported event and each change of an event's status on a channel of its
own (`event_change`), so live screens learn of it within a moment.

One notification per row, carrying the event id and its status: the listener reads the
rest (place, title, region) once per notification.

Revision ID: 8f2b3c4d5e67
Revises: f6c1b8d3e902
Create Date: 2026-11-29 06:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "8f2b3c4d5e67"
down_revision: str | None = "f6c1b8d3e902"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION notify_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('event_change', json_build_object(
        'id', NEW.id, 'status', NEW.status, 'op', lower(TG_OP)
    )::text);
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.execute(FUNCTION)
    op.execute("""
        CREATE TRIGGER event_change_inserted AFTER INSERT ON event
            FOR EACH ROW EXECUTE FUNCTION notify_event_change();
        CREATE TRIGGER event_change_status AFTER UPDATE OF status ON event
            FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
            EXECUTE FUNCTION notify_event_change();
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS event_change_status ON event")
    op.execute("DROP TRIGGER IF EXISTS event_change_inserted ON event")
    op.execute("DROP FUNCTION IF EXISTS notify_event_change()")
