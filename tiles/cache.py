"""A bounded in-memory cache of finished tiles, with single-flight computation and
invalidation by the area an edit touched.

Each tile is kept per data scope (`geo.core.scope.scope_key`): one town's tile is never
served to another town. Invalidation evicts every scope's copy of a touched tile.

Invalidation arrives from PostgreSQL (see tiles/invalidation.py) after a commit. A
per-source generation number guards the race where a tile computed from the data before
an edit would be stored after the edit's eviction: such a tile is served once but not kept.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass

TileKey = tuple[str, str, int, int, int]  # source, scope key, z, x, y
ENTRY_OVERHEAD = 512  # bytes charged per cached tile beyond its data (key, object, etag)


@dataclass(frozen=True)
class Tile:
    data: bytes  # empty for a tile with no features
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, data: bytes) -> Tile:
        return cls(
            data,
            gzip.compress(data, 6) if data else b"",
            '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"',
        )


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of an XYZ tile."""
    n = 2**z

    def lat(yy: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


class TileCache:
    def __init__(self, max_bytes: int = 256 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._tiles: OrderedDict[TileKey, Tile] = OrderedDict()
        self._bytes = 0
        self._inflight: dict[TileKey, Future[Tile]] = {}
        self._generation: dict[str, int] = {}
        self._epoch = 0  # bumped by clear(): covers sources not seen yet
        self._lock = threading.Lock()
        self.computed = 0  # how many tiles were built (tests and benchmarks read it)

    def get(self, key: TileKey, compute: Callable[[], bytes]) -> Tile:
        with self._lock:
            tile = self._tiles.get(key)
            if tile is not None:
                self._tiles.move_to_end(key)
                return tile
            future = self._inflight.get(key)
            owner = future is None
            if owner:
                future = self._inflight[key] = Future()
                stamp = (self._epoch, self._generation.get(key[0], 0))
        assert future is not None
        if not owner:
            return future.result()  # someone else is building this very tile
        try:
            tile = Tile.of(compute())
            self.computed += 1
        except BaseException as exc:
            future.set_exception(exc)
            self._finish(key, future)
            raise
        with self._lock:
            if stamp == (self._epoch, self._generation.get(key[0], 0)):
                self._store(key, tile)
        self._finish(key, future)
        future.set_result(tile)
        return tile

    def _finish(self, key: TileKey, future: Future[Tile]) -> None:
        with self._lock:
            if self._inflight.get(key) is future:  # invalidation may have dropped it already
                del self._inflight[key]

    @staticmethod
    def _cost(tile: Tile) -> int:
        # Empty tiles cost their bookkeeping too, or endless empty addresses would pile up.
        return len(tile.data) + len(tile.gzipped) + ENTRY_OVERHEAD

    def _store(self, key: TileKey, tile: Tile) -> None:
        self._tiles[key] = tile
        self._bytes += self._cost(tile)
        while self._bytes > self.max_bytes and self._tiles:
            _, old = self._tiles.popitem(last=False)
            self._bytes -= self._cost(old)

    def invalidate(self, sources: Iterable[str], bbox: tuple[float, ...] | None) -> int:
        """Drop the cached tiles of these sources that overlap bbox (all when None).

        Builds already under way for these sources are forgotten too: a request arriving
        after the edit starts a fresh build instead of waiting for one begun before it."""
        sources = set(sources)
        with self._lock:
            for s in sources:
                self._generation[s] = self._generation.get(s, 0) + 1
            for k in [k for k in self._inflight if k[0] in sources]:
                del self._inflight[k]
            doomed = [
                k
                for k in self._tiles
                if k[0] in sources and (bbox is None or _overlaps(tile_bounds(*k[2:]), bbox))
            ]
            for k in doomed:
                self._bytes -= self._cost(self._tiles.pop(k))
        return len(doomed)

    def clear(self) -> None:
        with self._lock:
            self._epoch += 1
            self._inflight.clear()
            self._tiles.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._tiles)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    # Tiles carry a rendering buffer: widen by a quarter tile so edge features count.
    pad_x, pad_y = (a[2] - a[0]) / 4, (a[3] - a[1]) / 4
    return (
        a[0] - pad_x <= b[2]
        and b[0] <= a[2] + pad_x
        and a[1] - pad_y <= b[3]
        and b[1] <= a[3] + pad_y
    )
