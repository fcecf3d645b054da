"""The route benchmark at a tiny size on the committed demo: it plans real routes and
compares them with the bare SQL underneath."""

from __future__ import annotations

from bench import navigation
from geo.core.settings import get_database_settings


def test_the_route_benchmark_measures_both_modes_and_the_bare_sql(demo_area) -> None:  # noqa: ANN001
    report = navigation.run(get_database_settings().url, pairs=3)
    assert report["streets"] >= 1000 and report["junctions"] > 0
    for mode in ("walk", "drive"):
        assert report[mode]["p50_ms"] > 0 and report[mode]["median_length_m"] > 0
    assert report["bare_dijkstra"]["p50_ms"] > 0 and report["walk_vs_bare"] > 0
