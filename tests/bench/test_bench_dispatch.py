"""The dispatch benchmark, at a tiny size on the committed demo: its figures mean what they
say (every claimed work order once, every point filed) and it leaves the data as it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from bench import dispatch
from geo.core.settings import get_database_settings


@pytest.fixture
def engine(demo_area) -> Iterator[Engine]:  # noqa: ANN001
    engine = dispatch._engine(get_database_settings().url, 8)
    try:
        yield engine
    finally:
        engine.dispose()


def _pool_and_history(engine: Engine) -> tuple[list[int], int, int]:
    with engine.connect() as conn:
        pool = list(conn.scalars(text("SELECT id FROM event WHERE status = 'reported'")))
        actions = conn.execute(text("SELECT count(*) FROM event_action")).scalar_one()
        events = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
    return sorted(pool), actions, events


def test_concurrent_claims_take_each_work_order_once_and_restore_the_pool(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispatch, "DISPATCHERS", 6)
    monkeypatch.setattr(dispatch, "POOL_PER_TOWN", 40)
    monkeypatch.setattr(dispatch, "CLAIM_BATCH", 3)
    before = _pool_and_history(engine)
    assert before[0], "the demo has a pool to claim from"

    result = dispatch.claim(engine, dispatch._actors(engine))

    assert result["pool"] == 2 * 40 + len(before[0])
    assert result["claimed"] == result["pool"]  # the pool is emptied, nobody gets one twice
    assert sum(result["per_dispatcher"]) == result["claimed"]
    assert result["claims_per_s"] > 0 and result["call"]["p50_ms"] > 0
    assert _pool_and_history(engine) == before


def test_batch_assignment_files_every_point_under_one_grid(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispatch, "ASSIGN_ROWS", 2_000)
    monkeypatch.setattr(dispatch, "ASSIGN_ROUNDS", 1)
    result = dispatch.assign(engine)
    assert result["filed"] == 2_000
    assert result["rows_per_s"] > 0


def test_locating_finds_the_grid_of_points_inside_the_grids(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispatch, "LOCATE_POINTS", 60)
    result = dispatch.locate(engine)
    assert result["points"] == 60
    # Grids cover the two detailed towns, not the whole district.
    assert 0 < result["in_a_grid"] < 60
    assert result["repository"]["p50_ms"] > 0
