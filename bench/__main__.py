"""make bench: the demo district at --scale N in its own database, then timed figures.

Figures are percentiles of repeated runs measured in the same process and minute, and the
report compares ratios (our endpoint vs. the raw SQL underneath it vs. OFFSET paging vs.
TiPg), because absolute times on a shared machine are noise.

Written: bench/results/ogc_paging_scale{N}.json (paging), bench/results.json (one row per
tile layer and zoom), bench/results/tiles_scale{N}.json (the tile run in detail) and
bench/results/dispatch_scale{N}.json (locating grids, batch assignment, concurrent claims,
the dispatcher's desk), bench/results/navigation_scale{N}.json (route planning) and
bench/results/draw_scale{N}.json (random-inspection draws over 100 000 objects and 2 000
officers, matching included) and bench/results/command_scale{N}.json (the command
screen's initial data load).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from sqlalchemy import create_engine, text

from bench import command, dispatch, draw, navigation, query, tiles
from bench.common import ROOT
from bench.paging import paging
from geo.core.settings import get_database_settings

RESULTS = ROOT / "bench" / "results"
TILE_ROWS = ROOT / "bench" / "results.json"


def _alembic(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _prepare(url: str, scale: int) -> dict:
    """Migrate and load the scaled demo once; reloaded only when the scale differs."""
    engine = create_engine(url)
    env = {**os.environ, "DATABASE_URL": url}
    _alembic(env, "upgrade", "head")
    with engine.connect() as conn:
        events = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
        # A database loaded before the demo had accounts, or work orders with holders and
        # history, must be loaded again…
        accounts = conn.execute(text("SELECT count(*) FROM user_account")).scalar_one()
        held = conn.execute(
            text("SELECT EXISTS (SELECT 1 FROM event WHERE claimed_by_id IS NOT NULL)")
        ).scalar_one()
        # …or before it had the inspection registers.
        registers = conn.execute(
            text("SELECT EXISTS (SELECT 1 FROM enforcement_officer)")
        ).scalar_one()
        # …or before it had party organisations.
        party = conn.execute(text("SELECT EXISTS (SELECT 1 FROM party_organisation)")).scalar_one()
    engine.dispose()
    if events == 2200 * scale and accounts and held and registers and party:
        return {"generated": False}
    _alembic(env, "downgrade", "base")
    _alembic(env, "upgrade", "head")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "data.demo", "--scale", str(scale)], cwd=ROOT, env=env, check=True
    )
    return {
        "generated": True,
        "generate_seconds": round(time.monotonic() - started, 1),
        "generate_peak_rss_mb": round(
            max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024, 1
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30, help="paging: timed calls per figure")
    parser.add_argument("--rounds", type=int, default=tiles.ROUNDS, help="tiles: rounds")
    parser.add_argument(
        "--only",
        choices=("paging", "tiles", "query", "dispatch", "navigation", "draw", "command"),
        help="run one benchmark only",
    )
    args = parser.parse_args()
    url = get_database_settings().url
    setup = _prepare(url, args.scale)
    RESULTS.mkdir(parents=True, exist_ok=True)

    if args.only in (None, "paging"):
        report = {"scale": args.scale, "database": url.rsplit("/", 1)[-1], "setup": setup}
        report["paging"] = {str(limit): paging(url, limit, args.repeat) for limit in (100, 1000)}
        out = RESULTS / f"ogc_paging_scale{args.scale}.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(json.dumps(report, ensure_ascii=False, indent=2))
        print(f"written to {out.relative_to(ROOT)}\n")

    if args.only in (None, "query"):
        report = {"scale": args.scale, "setup": setup, **query.run(url, args.repeat)}
        out = RESULTS / f"query_scale{args.scale}.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(query.render(report) + f"\nwritten to {out.relative_to(ROOT)}\n")
    if args.only in (None, "dispatch"):
        report = {"scale": args.scale, "database": url.rsplit("/", 1)[-1], "setup": setup}
        report.update(dispatch.run(url, repeat=args.repeat))
        out = RESULTS / f"dispatch_scale{args.scale}.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(json.dumps(report, ensure_ascii=False, indent=2))
        print(f"written to {out.relative_to(ROOT)}\n")

    if args.only in (None, "navigation"):
        report = {"scale": args.scale, "setup": setup, **navigation.run(url)}
        out = RESULTS / f"navigation_scale{args.scale}.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(navigation.render(report) + f"\nwritten to {out.relative_to(ROOT)}\n")

    if args.only in (None, "draw"):
        report = {"scale": args.scale, "database": url.rsplit("/", 1)[-1], "setup": setup}
        report.update(draw.run(url))
        out = RESULTS / f"draw_scale{args.scale}.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(draw.render(report) + f"\nwritten to {out.relative_to(ROOT)}\n")

    if args.only in (None, "command"):
        report = {"scale": args.scale, "setup": setup, **command.run(url)}
        out = RESULTS / f"command_scale{args.scale}.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(command.render(report) + f"\nwritten to {out.relative_to(ROOT)}\n")

    if args.only in (None, "tiles"):
        if tiles.tipg_version() is None:
            print("tipg is not installed (pip install -e '.[bench]'): TiPg columns stay empty")
        report = {"scale": args.scale, "database": url.rsplit("/", 1)[-1], "setup": setup}
        report.update(tiles.run(url, rounds=args.rounds))
        detail = RESULTS / f"tiles_scale{args.scale}.json"
        detail.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        TILE_ROWS.write_text(json.dumps(report["results"], ensure_ascii=False, indent=2) + "\n")
        print(tiles.render(report))
        print(
            f"written to {TILE_ROWS.relative_to(ROOT)} and {detail.relative_to(ROOT)} "
            f"({report['seconds']} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
