"""make bench: the demo district at --scale N in its own database, then timed figures.

Figures are medians of repeated runs measured in the same process and minute, and the
report compares ratios (our endpoint vs. the raw SQL underneath it vs. OFFSET paging),
because absolute times on a shared machine are noise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from geo.core.settings import get_database_settings
from geo.feature.query import FeatureQuery
from geo.feature.repository import items_statement
from geo.layers import LAYERS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


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
    if events == 2200 * scale:
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


def _median_ms(fn, repeat: int) -> dict:  # noqa: ANN001
    fn()  # warm caches: we compare steady states
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
    }


def _serve(url: str) -> tuple[subprocess.Popen, str]:
    port = 8765
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/api/v1/health", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("server did not start")


def paging(url: str, limit: int, repeat: int) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
        # The cursor whose page is the table's last one.
        cursor = conn.execute(
            text("SELECT id FROM event ORDER BY id DESC OFFSET :n LIMIT 1"), {"n": limit}
        ).scalar_one()
    # The endpoint's own statement, and the same page fetched the OFFSET way for contrast.
    layer = LAYERS["events"]
    page = items_statement(layer, FeatureQuery(limit=limit, after_id=cursor))
    offset = items_statement(layer, FeatureQuery(limit=limit)).offset(total - limit)
    proc, base = _serve(url)
    try:
        with engine.connect() as conn, httpx.Client() as http:

            def endpoint(after: int | None) -> None:
                params = {"limit": limit, **({"cursor": after} if after else {})}
                r = http.get(f"{base}/collections/events/items", params=params)
                r.raise_for_status()

            results = {
                "events": total,
                "limit": limit,
                "endpoint_last_page": _median_ms(lambda: endpoint(cursor), repeat),
                "endpoint_first_page": _median_ms(lambda: endpoint(None), repeat),
                "sql_keyset_last_page": _median_ms(lambda: conn.execute(page).all(), repeat),
                "sql_offset_last_page": _median_ms(lambda: conn.execute(offset).all(), repeat),
            }
    finally:
        proc.terminate()
        proc.wait()
    ep, kq, oq = (
        results[k]["p50_ms"]
        for k in ("endpoint_last_page", "sql_keyset_last_page", "sql_offset_last_page")
    )
    results["ratio_endpoint_vs_keyset_sql"] = round(ep / kq, 2)
    results["ratio_offset_sql_vs_keyset_sql"] = round(oq / kq, 2)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    url = get_database_settings().url
    report = {"scale": args.scale, "database": url.rsplit("/", 1)[-1]}
    report["setup"] = _prepare(url, args.scale)
    report["paging"] = {str(limit): paging(url, limit, args.repeat) for limit in (100, 1000)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"ogc_paging_scale{args.scale}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
