"""Vector tiles: the raw tile SQL vs. our endpoint (cold and warm) vs. TiPg.

For each layer and zoom, up to TILES_PER_ZOOM tile addresses over the detailed town that
hold data are timed, one request at a time over a keep-alive connection:

* raw SQL  the endpoint's own statement, `tile_sql(layer, z)`, run on a
           connection of the application's own engine (`geo.core.db.get_engine()`, so the
           same session settings, e.g. jit=off) inside one open transaction (the floor);
* cold     `GET /tiles/{layer}/{z}/{x}/{y}.mvt` on a freshly started `api.main:app`, each
           address requested once (nothing is in the tile cache);
* warm     the same addresses again on the same process (tile cache hits);
* TiPg     the same addresses on a freshly started TiPg (`tipg.main:app`) over the same
           database, twice; TiPg has no tile cache, its second pass only reuses what
           PostgreSQL and asyncpg keep (buffers, the prepared statement).

Every pass of every kind is repeated in ROUNDS rounds (fresh server processes each round),
interleaved, so a noisy minute on a shared machine hits all of them alike. Tiles are
requested with `Accept-Encoding: identity`, so compression never enters the times.
"""

from __future__ import annotations

import gzip
import math
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bench.common import Server, our_server, percentiles, plain_url
from geo.core.db import get_engine
from geo.core.srid import STORAGE_SRID
from tiles.cache import Tile
from tiles.registry import TILE_LAYERS
from tiles.service import tile_sql
from tiles.sql import tile_statement

LAYERS_UNDER_TEST = ("grids", "buildings", "events")
ZOOMS = (12, 14, 16)
CENTRE = (120.555, 31.872)  # lon, lat: the town centre of 杨舍镇
AREA = (120.43, 31.76, 120.75, 31.94)  # west, south, east, north: the detailed communities
TILES_PER_ZOOM = 20
ROUNDS = 5
FLOOR_REQUESTS = 50  # per round: the bare HTTP round trip of each server
IDENTITY = {"Accept-Encoding": "identity"}

# TiPg serves tables, not our layers: the grids are the region rows of level 'grid'.
TIPG_COLLECTIONS = {
    "grids": ("public.region", "level='grid'"),
    "buildings": ("public.building", None),
    "events": ("public.event", None),
}
TIPG_TMS = "WebMercatorQuad"

# Targets of the issue.
COLD_VS_RAW_MAX = 1.3
WARM_SPEEDUP_MIN = 10.0
Z10_MAX_BYTES = 500 * 1024


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def area_tiles(z: int) -> list[tuple[int, int]]:
    """Every tile of zoom z over AREA, nearest the centre first (ties by x, y)."""
    west, south, east, north = AREA
    x0, y0 = tile_xy(west, north, z)
    x1, y1 = tile_xy(east, south, z)
    cx, cy = tile_xy(*CENTRE, z)
    tiles = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return sorted(tiles, key=lambda t: ((t[0] - cx) ** 2 + (t[1] - cy) ** 2, t))


def _has_data_sql(layer_id: str) -> Any:
    layer = TILE_LAYERS[layer_id]
    level = layer.source.region_level
    scope = f" AND t.level = '{level.value}'" if level else ""
    return text(
        f"SELECT EXISTS (SELECT 1 FROM {layer.table} t WHERE t.geom && "
        f"ST_Transform(ST_TileEnvelope(:z, :x, :y), {STORAGE_SRID}){scope})"
    )


def sample_addresses(conn: Connection, layer_id: str, z: int) -> list[tuple[int, int]]:
    """Up to TILES_PER_ZOOM tiles holding rows of the layer: the centre tile first, then
    evenly spaced along the list ordered by distance from it, so the whole area is covered.
    Deterministic for given data."""
    has_data = _has_data_sql(layer_id)
    full = [
        t
        for t in area_tiles(z)
        if conn.execute(has_data, {"z": z, "x": t[0], "y": t[1]}).scalar_one()
    ]
    if len(full) <= TILES_PER_ZOOM:
        return full
    step = len(full) / TILES_PER_ZOOM
    return [full[int(i * step)] for i in range(TILES_PER_ZOOM)]


@dataclass
class Row:
    layer: str
    z: int
    addresses: list[tuple[int, int]]
    raw: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    tipg: list[float] = field(default_factory=list)
    tipg_warm: list[float] = field(default_factory=list)
    cache_build: list[float] = field(default_factory=list)  # Tile.of: gzip + etag, in-process
    raw_bytes: dict[tuple[int, int], int] = field(default_factory=dict)
    bytes: dict[tuple[int, int], int] = field(default_factory=dict)
    gzip_bytes: dict[tuple[int, int], int] = field(default_factory=dict)
    tipg_bytes: dict[tuple[int, int], int] = field(default_factory=dict)
    statuses: set[int] = field(default_factory=set)

    @property
    def tile_layer(self):  # noqa: ANN201
        return TILE_LAYERS[self.layer]

    @property
    def in_zoom_range(self) -> bool:
        return self.tile_layer.minzoom <= self.z <= self.tile_layer.maxzoom

    def note(self) -> str:
        notes = []
        t = self.tile_layer
        if not self.in_zoom_range:
            notes.append(
                f"below minzoom {t.minzoom}: our endpoint answers 204 without SQL; "
                "TiPg sends every feature"
            )
        elif self.z < t.cluster_below:
            notes.append(f"ours clusters points below z{t.cluster_below}; TiPg sends each point")
        if self.layer == "grids":
            notes.append("TiPg: public.region?filter=level='grid'")
        return "; ".join(notes)


def _median(values: dict[Any, int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values.values())
    return ordered[len(ordered) // 2]


def _timed_get(http: httpx.Client, url: str, **kw: Any) -> tuple[float, httpx.Response]:
    t = time.perf_counter()
    r = http.get(url, **kw)
    elapsed = (time.perf_counter() - t) * 1000
    if r.status_code not in (200, 204):
        raise RuntimeError(f"GET {url}: {r.status_code} {r.text[:300]}")
    return elapsed, r


def raw_pass(conn: Connection, rows: list[Row], record: bool) -> None:
    for row in rows:
        if not row.in_zoom_range:  # the endpoint runs no statement here
            continue
        stmt = tile_sql(row.layer, row.z, actor=None)  # the administrator's (unscoped) tile
        for x, y in row.addresses:
            params = {"z": row.z, "x": x, "y": y}
            t = time.perf_counter()
            data = conn.execute(stmt, params).scalar()
            elapsed = (time.perf_counter() - t) * 1000
            if record:
                row.raw.append(elapsed)
                data = bytes(data or b"")
                row.raw_bytes[(x, y)] = len(data)
                t = time.perf_counter()
                Tile.of(data)
                row.cache_build.append((time.perf_counter() - t) * 1000)
    conn.commit()


def our_url(base: str, layer: str, z: int, x: int, y: int) -> str:
    return f"{base}/tiles/{layer}/{z}/{x}/{y}.mvt"


def _floor(http: httpx.Client, url: str, samples: list[float]) -> None:
    for _ in range(FLOOR_REQUESTS):
        samples.append(_timed_get(http, url, headers=IDENTITY)[0])


def endpoint_round(url: str, rows: list[Row], first: bool, floor: list[float]) -> None:
    server = our_server(url)
    with server, httpx.Client(timeout=120, headers=server.headers) as http:
        cx, cy = tile_xy(*CENTRE, 11)
        http.get(our_url(server.base, "towns", 11, cx, cy), headers=IDENTITY)  # warm-up
        for samples in ("cold", "warm"):
            for row in rows:
                for x, y in row.addresses:
                    ms, r = _timed_get(
                        http, our_url(server.base, row.layer, row.z, x, y), headers=IDENTITY
                    )
                    getattr(row, samples).append(ms)
                    row.statuses.add(r.status_code)
                    if first and samples == "cold":
                        row.bytes[(x, y)] = len(r.content)
        if first:  # untimed: what the gzip answer weighs on the wire
            for row in rows:
                for x, y in row.addresses:
                    r = http.get(
                        our_url(server.base, row.layer, row.z, x, y),
                        headers={"Accept-Encoding": "gzip"},
                    )
                    row.gzip_bytes[(x, y)] = int(r.headers.get("content-length", 0))
        # The bare round trip: a cached empty tile (204), below the buildings' minzoom.
        _floor(http, our_url(server.base, "buildings", 12, *tile_xy(*CENTRE, 12)), floor)


def tipg_version() -> str | None:
    try:
        return metadata.version("tipg")
    except metadata.PackageNotFoundError:
        return None


def tipg_server(url: str, workdir: Path) -> Server:
    env = {
        "DATABASE_URL": plain_url(url),
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.region","public.building","public.event"]',
        # TiPg's pool size is read from DB_MIN_CONN_SIZE / DB_MAX_CONN_SIZE (no prefix).
        "DB_MIN_CONN_SIZE": "1",
        "DB_MAX_CONN_SIZE": "10",
    }
    # Run outside the checkout so no stray .env file configures TiPg.
    return Server("tipg.main:app", env, "/healthz", cwd=workdir, name="tipg")


def tipg_request(base: str, layer: str, z: int, x: int, y: int) -> tuple[str, dict[str, str]]:
    collection, cql = TIPG_COLLECTIONS[layer]
    # The same properties as our tile (TiPg would otherwise send every column).
    params = {"properties": ",".join(TILE_LAYERS[layer].properties)}
    if cql:
        params["filter"] = cql
    return f"{base}/collections/{collection}/tiles/{TIPG_TMS}/{z}/{x}/{y}", params


def tipg_round(url: str, rows: list[Row], first: bool, workdir: Path, floor: list[float]) -> None:
    with tipg_server(url, workdir) as server, httpx.Client(timeout=120) as http:
        cx, cy = tile_xy(*CENTRE, 8)
        warm_url, warm_params = tipg_request(server.base, "events", 8, cx, cy)
        http.get(warm_url, params=warm_params, headers=IDENTITY)  # warm-up
        for samples in ("tipg", "tipg_warm"):
            for row in rows:
                for x, y in row.addresses:
                    req, params = tipg_request(server.base, row.layer, row.z, x, y)
                    ms, r = _timed_get(http, req, params=params, headers=IDENTITY)
                    getattr(row, samples).append(ms)
                    if first and samples == "tipg":
                        assert "content-encoding" not in r.headers
                        row.tipg_bytes[(x, y)] = len(r.content)
        _floor(http, f"{server.base}/healthz", floor)  # no database behind it


def z10_report(url: str, conn: Connection, workdir: Path, with_tipg: bool) -> dict:
    """The z10 tiles over the detailed town: our buildings (minzoom 13), the basemap, TiPg's
    buildings; and the heaviest buildings tile at z13, the first zoom that draws them."""
    minzoom = TILE_LAYERS["buildings"].minzoom
    tiles = sorted(area_tiles(10))
    count = text(
        "SELECT count(*) FROM building t WHERE t.geom && "
        f"ST_Transform(ST_TileEnvelope(10, :x, :y), {STORAGE_SRID})"
    )
    out: list[dict] = []
    server = our_server(url)
    with server, httpx.Client(timeout=120, headers=server.headers) as http:
        for x, y in tiles:
            entry: dict[str, Any] = {"z": 10, "x": x, "y": y}
            entry["buildings_in_tile"] = conn.execute(count, {"x": x, "y": y}).scalar_one()
            r = http.get(our_url(server.base, "buildings", 10, x, y), headers=IDENTITY)
            entry["buildings_status"] = r.status_code
            entry["buildings_bytes"] = len(r.content)
            r = http.get(our_url(server.base, "basemap", 10, x, y), headers=IDENTITY)
            entry["basemap_status"] = r.status_code
            entry["basemap_bytes"] = len(r.content)
            entry["basemap_gzip_bytes"] = len(gzip.compress(r.content, 6)) if r.content else 0
            out.append(entry)
    if with_tipg:
        with tipg_server(url, workdir) as server, httpx.Client(timeout=120) as http:
            for entry in out:
                req, params = tipg_request(server.base, "buildings", 10, entry["x"], entry["y"])
                r = http.get(req, params=params, headers=IDENTITY)
                entry["tipg_buildings_bytes"] = len(r.content)
    stmt = tile_statement(TILE_LAYERS["buildings"], minzoom, actor=None)
    heaviest: dict[str, Any] = {"z": minzoom, "bytes": 0, "gzip_bytes": 0}
    for x, y in area_tiles(minzoom):
        data = bytes(conn.execute(stmt, {"z": minzoom, "x": x, "y": y}).scalar() or b"")
        if len(data) > heaviest["bytes"]:
            heaviest = {"z": minzoom, "x": x, "y": y, "bytes": len(data)}
            heaviest["gzip_bytes"] = len(gzip.compress(data, 6))
    conn.commit()
    return {"z10_tiles": out, f"heaviest_buildings_tile_z{minzoom}": heaviest}


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def summarise(rows: list[Row]) -> tuple[list[dict], list[dict]]:
    results, checks = [], []
    for row in rows:
        raw, cold, warm = percentiles(row.raw), percentiles(row.cold), percentiles(row.warm)
        tipg, tipg_warm = percentiles(row.tipg), percentiles(row.tipg_warm)
        results.append(
            {
                "layer": row.layer,
                "z": row.z,
                "raw_sql_p50_ms": raw["p50_ms"],
                "raw_sql_p95_ms": raw["p95_ms"],
                "cold_p50_ms": cold["p50_ms"],
                "cold_p95_ms": cold["p95_ms"],
                "warm_p50_ms": warm["p50_ms"],
                "warm_p95_ms": warm["p95_ms"],
                "tipg_p50_ms": tipg["p50_ms"],
                "tipg_p95_ms": tipg["p95_ms"],
                "bytes": _median(row.bytes),
                "gzip_bytes": _median(row.gzip_bytes),
                "tipg_bytes": _median(row.tipg_bytes),
                "tipg_warm_p50_ms": tipg_warm["p50_ms"],
                "tipg_warm_p95_ms": tipg_warm["p95_ms"],
                "tiles": len(row.addresses),
                "samples_per_kind": len(row.cold),
                "note": row.note(),
            }
        )
        cold_vs_raw = _ratio(cold["p50_ms"], raw["p50_ms"])
        tipg_vs_cold = _ratio(tipg["p50_ms"], cold["p50_ms"])
        tipg_warm_vs_warm = _ratio(tipg_warm["p50_ms"], warm["p50_ms"])
        mismatched = [
            a for a, n in row.bytes.items() if a in row.raw_bytes and n != row.raw_bytes[a]
        ]
        checks.append(
            {
                "layer": row.layer,
                "z": row.z,
                "comparable": row.in_zoom_range,
                "cold_over_raw_sql": cold_vs_raw,
                "cold_over_raw_sql_ok": None
                if cold_vs_raw is None
                else cold_vs_raw <= COLD_VS_RAW_MAX,
                "cold_minus_raw_sql_p50_ms": None
                if raw["p50_ms"] is None or cold["p50_ms"] is None
                else round(cold["p50_ms"] - raw["p50_ms"], 2),
                "cache_build_p50_ms": percentiles(row.cache_build)["p50_ms"],
                "tipg_over_cold": tipg_vs_cold,
                "cold_faster_than_tipg": None if tipg_vs_cold is None else tipg_vs_cold > 1,
                "tipg_warm_over_warm": tipg_warm_vs_warm,
                "warm_10x_faster_than_tipg": None
                if tipg_warm_vs_warm is None
                else tipg_warm_vs_warm >= WARM_SPEEDUP_MIN,
                "cold_max_ms": round(max(row.cold), 2) if row.cold else None,
                "bytes_max": max(row.bytes.values(), default=None),
                "gzip_bytes_max": max(row.gzip_bytes.values(), default=None),
                "tipg_bytes_max": max(row.tipg_bytes.values(), default=None),
                "statuses": sorted(row.statuses),
                "endpoint_vs_raw_sql_size_mismatches": len(mismatched),
                "addresses": [list(a) for a in row.addresses],
            }
        )
    return results, checks


def run(url: str, rounds: int = ROUNDS) -> dict:
    started = time.monotonic()
    # The application's own engine (same connect options as the endpoint's sessions).
    engine = get_engine()
    version = tipg_version()
    floors: dict[str, list[float]] = {"ours": [], "tipg": []}
    with engine.connect() as conn, tempfile.TemporaryDirectory(prefix="tipg-") as tmp:
        workdir = Path(tmp)
        rows = [
            Row(layer, z, sample_addresses(conn, layer, z))
            for layer in LAYERS_UNDER_TEST
            for z in ZOOMS
        ]
        conn.commit()
        raw_pass(conn, rows, record=False)  # steady state: buffers and prepared statements
        for i in range(rounds):
            raw_pass(conn, rows, record=True)
            endpoint_round(url, rows, first=i == 0, floor=floors["ours"])
            if version:
                tipg_round(url, rows, first=i == 0, workdir=workdir, floor=floors["tipg"])
        sizes = z10_report(url, conn, workdir, with_tipg=bool(version))
    results, checks = summarise(rows)
    return {
        "tipg_version": version,
        "rounds": rounds,
        "area": AREA,
        "centre": CENTRE,
        "results": results,
        "checks": checks,
        "sizes": sizes,
        "http_floor": {
            "ours_cached_204": percentiles(floors["ours"]),
            "tipg_healthz": percentiles(floors["tipg"]),
        },
        "seconds": round(time.monotonic() - started, 1),
    }


def _fmt(v: Any, width: int) -> str:
    if v is None:
        s = "-"
    elif isinstance(v, float):
        s = f"{v:.2f}"
    else:
        s = str(v)
    return s.rjust(width)


def render(report: dict) -> str:
    lines = []
    cols = [
        ("layer", "layer", 9),
        ("z", "z", 3),
        ("tiles", "n", 3),
        ("raw_sql_p50_ms", "raw p50", 8),
        ("raw_sql_p95_ms", "raw p95", 8),
        ("cold_p50_ms", "cold p50", 9),
        ("cold_p95_ms", "cold p95", 9),
        ("warm_p50_ms", "warm p50", 9),
        ("warm_p95_ms", "warm p95", 9),
        ("tipg_p50_ms", "tipg p50", 9),
        ("tipg_p95_ms", "tipg p95", 9),
        ("tipg_warm_p50_ms", "tipg2 p50", 10),
        ("bytes", "bytes", 8),
        ("gzip_bytes", "gzip", 7),
        ("tipg_bytes", "tipg B", 8),
    ]
    lines.append(
        f"Vector tiles, times in ms (p50/p95 over {report['rounds']} rounds x n addresses, "
        f"sequential, keep-alive); bytes = median per tile; TiPg {report['tipg_version']}"
    )
    lines.append(" ".join(h.rjust(w) if i else h.ljust(w) for i, (_, h, w) in enumerate(cols)))
    for r in report["results"]:
        lines.append(
            " ".join(
                str(r[k]).ljust(w) if i == 0 else _fmt(r[k], w) for i, (k, _, w) in enumerate(cols)
            )
        )
    lines.append("tipg2 = TiPg's second request of the same address (TiPg has no tile cache)")
    lines.append("")
    lines.append(
        f"Targets: cold <= {COLD_VS_RAW_MAX}x raw SQL | cold faster than TiPg | "
        f"warm >= {WARM_SPEEDUP_MIN:g}x faster than TiPg (p50; TiPg's second request)"
    )
    lines.append(
        f"{'layer':9} {'z':>3} {'cold/raw':>9} {'cold-raw':>9} {'gzip+etag':>9} "
        f"{'tipg/cold':>10} {'tipg2/warm':>11}  verdict"
    )

    def mark(ok: bool | None) -> str:
        return "n/a" if ok is None else ("ok" if ok else "MISS")

    for c in report["checks"]:
        verdict = (
            "not comparable (below minzoom)"
            if not c["comparable"]
            else f"raw {mark(c['cold_over_raw_sql_ok'])}, "
            f"tipg {mark(c['cold_faster_than_tipg'])}, "
            f"warm {mark(c['warm_10x_faster_than_tipg'])}"
        )
        lines.append(
            f"{c['layer']:9} {c['z']:>3} {_fmt(c['cold_over_raw_sql'], 9)} "
            f"{_fmt(c['cold_minus_raw_sql_p50_ms'], 9)} {_fmt(c['cache_build_p50_ms'], 9)} "
            f"{_fmt(c['tipg_over_cold'], 10)} {_fmt(c['tipg_warm_over_warm'], 11)}  {verdict}"
        )
    lines.append("")
    sizes = report["sizes"]
    lines.append(f"z10 tiles over the detailed town (target: buildings under {Z10_MAX_BYTES} B):")
    for e in sizes["z10_tiles"]:
        lines.append(
            f"  10/{e['x']}/{e['y']}: our buildings -> {e['buildings_status']} "
            f"({e['buildings_bytes']} B; {e['buildings_in_tile']} buildings in the tile, "
            f"minzoom {TILE_LAYERS['buildings'].minzoom}); basemap {e['basemap_status']} "
            f"{e['basemap_bytes']} B raw / {e['basemap_gzip_bytes']} B gzip; "
            f"TiPg buildings {e.get('tipg_buildings_bytes', '-')} B"
        )
    key = next(k for k in sizes if k.startswith("heaviest"))
    h = sizes[key]
    lines.append(
        f"  heaviest buildings tile at z{h['z']} (first zoom drawn) over the area: "
        f"{h.get('x', '-')}/{h.get('y', '-')} {h['bytes']} B raw / {h['gzip_bytes']} B gzip"
    )
    fl = report["http_floor"]
    lines.append(
        "HTTP floor (p50/p95 ms, same client): ours, a cached 204 "
        f"{fl['ours_cached_204']['p50_ms']}/{fl['ours_cached_204']['p95_ms']}; "
        f"TiPg /healthz {fl['tipg_healthz']['p50_ms']}/{fl['tipg_healthz']['p95_ms']}"
    )
    return "\n".join(lines)
