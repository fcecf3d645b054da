"""Region hierarchy rules enforced by the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import scalar


def _any(db, level: str):  # noqa: ANN001, ANN202
    return db.execute(
        text("SELECT id, code, path::text FROM region WHERE level = :l LIMIT 1"), {"l": level}
    ).one()


def test_path_follows_the_division_codes(db) -> None:
    grid = _any(db, "grid")
    parts = grid.path.split(".")
    assert len(parts) == 4 and parts[-1] == grid.code
    assert grid.code.startswith(parts[2])
    town_path = ".".join(parts[:2])
    assert (
        scalar(db, "SELECT count(*) FROM region WHERE path <@ CAST(:p AS ltree)", p=town_path) > 10
    )


def test_division_code_cannot_change_once_created(db) -> None:
    town = _any(db, "town")
    with pytest.raises(DBAPIError, match="辖区编码 .* 创建后不可修改"), db.begin_nested():
        db.execute(text("UPDATE region SET code = '320582199000' WHERE id = :id"), {"id": town.id})
    renamed = db.execute(
        text("UPDATE region SET name = '新名称' WHERE id = :id RETURNING code"), {"id": town.id}
    ).scalar()
    assert renamed == town.code  # other attributes stay editable


def test_region_cannot_move_to_another_parent(db) -> None:
    grid = _any(db, "grid")
    other = db.execute(
        text("""SELECT id FROM region WHERE level = 'community'
                               AND code <> left(:c, 12) LIMIT 1"""),
        {"c": grid.code},
    ).scalar()
    with pytest.raises(DBAPIError, match="层级和上级区划不可修改"), db.begin_nested():
        db.execute(
            text("UPDATE region SET parent_id = :p WHERE id = :id"), {"p": other, "id": grid.id}
        )


def test_grid_code_must_extend_its_community_code(db) -> None:
    community = _any(db, "community")
    with pytest.raises(DBAPIError, match="必须以所属社区编码"), db.begin_nested():
        db.execute(
            text("""
            INSERT INTO region (code, name, level, parent_id, geom)
            SELECT '111111111111001', '错编网格', 'grid', id, geom FROM region WHERE id = :id"""),
            {"id": community.id},
        )


def test_parent_must_be_one_level_up(db) -> None:
    town = _any(db, "town")
    with pytest.raises(DBAPIError, match="上级必须是 community 级"), db.begin_nested():
        db.execute(
            text("""
                INSERT INTO region (code, name, level, parent_id, geom)
                SELECT code || '001', '越级网格', 'grid', id, geom FROM region WHERE id = :id"""),
            {"id": town.id},
        )


def test_geometry_columns_are_typed_and_indexed(db) -> None:
    rows = db.execute(
        text("""
        SELECT f_table_name, type, srid FROM geometry_columns WHERE f_table_schema = 'public'""")
    ).all()
    assert {r.srid for r in rows} == {4490}
    assert all(r.type != "GEOMETRY" for r in rows)
    unindexed = db.execute(
        text("""
        SELECT f_table_name, f_geometry_column FROM geometry_columns g
        WHERE f_table_schema = 'public' AND NOT EXISTS (
            SELECT 1 FROM pg_indexes i WHERE i.tablename = g.f_table_name
              AND i.indexdef LIKE '%USING gist (' || g.f_geometry_column || ')%')""")
    ).all()
    assert unindexed == []
