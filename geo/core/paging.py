"""Keyset paging by id: the cursor a list hands back is the last row's id, as text; and
the name filter of the lists (a fragment matched with LIKE)."""

from __future__ import annotations

from geo.core.errors import DomainError

BAD_CURSOR = "翻页游标无效，请从第一页重新查询"


def after_id(cursor: str | None, *, error: type[DomainError]) -> int | None:
    """The id a page continues after; `error` (the domain's 422) for a cursor no list gave.
    ASCII digits only: "²".isdigit() is true, and int("²") fails."""
    if not cursor:
        return None
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        raise error(BAD_CURSOR)
    return int(cursor)


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards escaped (use with `ESCAPE '\\'`)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
