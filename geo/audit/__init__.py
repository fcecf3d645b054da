"""Audit log (SYS-11): an append-only record of every state change — who, when, what
action on which object, the value before and after. `service.record` writes in the
caller's transaction; `service.search` pages newest first. The database refuses UPDATE,
DELETE and TRUNCATE on the table (a trigger), whatever the application does."""
