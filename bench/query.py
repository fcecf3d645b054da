"""General query (GM-9) over HTTP as the district administrator (every event): the first
page, a deep keyset page in both sorts, the count, the map at zoom 12 (cells) and 15
(points) over the whole district, and the export of all events as CSV and XLSX (rows/s,
and the server's peak resident memory before and after: the export must not hold the
result in memory).

Written: bench/results/query_scale{N}.json.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from bench.common import median_ms, our_server
from geo.event.query import QuerySort, encode_cursor

PAGE = 50
DEEP = 0.9  # the deep page starts after this share of all events


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) so far, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _deep_cursors(url: str) -> tuple[int, dict[str, str], list[float]]:
    """The event count, a cursor at DEEP of each sort, and the district's extent."""
    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
        offset = int(total * DEEP)
        newest = conn.execute(
            text("SELECT reported_at, id FROM event ORDER BY reported_at DESC, id DESC "
                 "OFFSET :n LIMIT 1"), {"n": offset},
        ).one()  # fmt: skip
        soonest = conn.execute(
            text("SELECT deadline, id FROM event ORDER BY deadline ASC NULLS LAST, id "
                 "OFFSET :n LIMIT 1"), {"n": offset},
        ).one()  # fmt: skip
        extent = conn.execute(
            text("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                 "(SELECT ST_Extent(geom) AS e FROM region WHERE level = 'town') s")
        ).one()  # fmt: skip
    engine.dispose()
    cursors = {
        QuerySort.REPORTED_DESC.value: encode_cursor(newest.reported_at, newest.id),
        QuerySort.DEADLINE_ASC.value: encode_cursor(soonest.deadline, soonest.id),
    }
    return total, cursors, [float(v) for v in extent]


def _export(http: httpx.Client, base: str, fmt: str, pid: int) -> dict[str, Any]:
    before = _peak_rss_mb(pid)
    started = time.perf_counter()
    size = chunks = 0
    first_byte = None
    with http.stream("GET", f"{base}/api/v1/events/export", params={"format": fmt}) as r:
        r.raise_for_status()
        rows = int(r.headers["x-export-rows"])
        for chunk in r.iter_raw():
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            chunks += 1
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "first_byte_ms": round((first_byte or 0) * 1000, 1),
        "mb": round(size / 2**20, 2),
        "chunks": chunks,
        "server_peak_rss_mb_before": before,
        "server_peak_rss_mb_after": _peak_rss_mb(pid),
    }


def run(url: str, repeat: int) -> dict[str, Any]:
    total, cursors, extent = _deep_cursors(url)
    server = our_server(url)
    view = ",".join(f"{v:.6f}" for v in extent)
    cx, cy = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
    street = f"{cx - 0.02:.6f},{cy - 0.012:.6f},{cx + 0.02:.6f},{cy + 0.012:.6f}"
    report: dict[str, Any] = {"events": total, "page": PAGE, "deep_offset": int(total * DEEP)}
    with server, httpx.Client(headers=server.headers, timeout=300) as http:
        assert server.proc is not None

        def get(path: str, **params: Any) -> None:
            http.get(f"{server.base}/api/v1/events{path}", params=params).raise_for_status()

        for sort, cursor in cursors.items():
            report[f"first_page_{sort}"] = median_ms(
                lambda s=sort: get("/query", sort=s, limit=PAGE), repeat
            )
            report[f"deep_page_{sort}"] = median_ms(
                lambda s=sort, c=cursor: get("/query", sort=s, cursor=c, limit=PAGE), repeat
            )
        report["keyword_first_page"] = median_ms(lambda: get("/query", keyword="垃圾"), repeat)
        report["count"] = median_ms(lambda: get("/query/count"), repeat)
        report["map_z12_cells"] = median_ms(lambda: get("/query/map", view=view, zoom=12), repeat)
        report["map_z15_points"] = median_ms(
            lambda: get("/query/map", view=street, zoom=15), repeat
        )
        report["export_csv"] = _export(http, server.base, "csv", server.proc.pid)
        report["export_xlsx"] = _export(http, server.base, "xlsx", server.proc.pid)
    return report


def render(report: dict[str, Any]) -> str:
    lines = [f"general query over {report['events']} events (p50 / p95 ms)"]
    for key, value in report.items():
        if isinstance(value, dict) and "p50_ms" in value:
            lines.append(f"  {key:<28} {value['p50_ms']:>9} {value['p95_ms']:>9}")
    for fmt in ("csv", "xlsx"):
        e = report[f"export_{fmt}"]
        lines.append(
            f"  export {fmt:<5} {e['rows']} rows in {e['seconds']} s = {e['rows_per_s']} rows/s, "
            f"{e['mb']} MB in {e['chunks']} chunks, first byte {e['first_byte_ms']} ms, "
            f"server peak RSS {e['server_peak_rss_mb_before']} → {e['server_peak_rss_mb_after']} MB"
        )
    return "\n".join(lines)
