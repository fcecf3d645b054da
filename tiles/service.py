"""Tiles, TileJSON: built from the registry, cached per application and data scope.

The basemap (towns, communities, streets, building footprints) is the map's geography:
every signed-in user gets the same tile. Every other source is a business layer, cut to
the actor's region subtree (SYS-10) and cached under the actor's scope key.
"""

from __future__ import annotations

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import DomainError, NotFound
from geo.core.scope import scope_key, scope_params
from tiles.cache import Tile, TileCache
from tiles.registry import BASEMAP, BASEMAP_ID, MAX_ZOOM, TILE_LAYERS, TileLayer
from tiles.sql import label_statement, tile_statement


class TileRequestError(DomainError):
    code = "InvalidTileRequest"


class UnknownTileSource(NotFound):
    pass


def layers_of(source: str) -> tuple[TileLayer, ...]:
    if source == BASEMAP_ID:
        return BASEMAP
    layer = TILE_LAYERS.get(source)
    if layer is None:
        raise UnknownTileSource(
            f"没有瓦片图层 {source!r}。可用：{BASEMAP_ID}、{'、'.join(TILE_LAYERS)}"
        )
    return (layer,)


def check_address(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise TileRequestError(f"缩放级别 z 必须在 0 到 {MAX_ZOOM} 之间")
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise TileRequestError(f"第 {z} 级的瓦片行列号必须在 0 到 {2**z - 1} 之间")


def tile_scope(source: str, actor: Actor | None) -> Actor | None:
    """Whose scope cuts this source's tiles: nobody's for the basemap."""
    return None if source == BASEMAP_ID else actor


def tile_sql(source: str, z: int, *, actor: Actor | None) -> TextClause | None:
    """One statement for the whole tile: each layer's MVT as a scalar subquery, joined with
    `||` (MVT layers concatenate), so a tile costs one round trip whatever it holds."""
    actor = tile_scope(source, actor)
    parts = []
    for layer in layers_of(source):
        if not layer.minzoom <= z <= layer.maxzoom:
            continue
        parts.append(tile_statement(layer, z, actor=actor).text)
        if layer.label_points:
            parts.append(label_statement(layer, actor=actor).text)
    if not parts:
        return None
    return text("SELECT " + " || ".join(f"coalesce(({p}), ''::bytea)" for p in parts))


def build_tile(
    session: Session, source: str, z: int, x: int, y: int, *, actor: Actor | None
) -> bytes:
    """MVT bytes of every layer of the source at this address, as the actor may see it."""
    scoped = tile_scope(source, actor)
    statement = tile_sql(source, z, actor=scoped)
    if statement is None:
        return b""
    params = {"z": z, "x": x, "y": y, **scope_params(scoped)}
    return bytes(session.execute(statement, params).scalar_one())


def get_tile(
    session: Session,
    cache: TileCache,
    source: str,
    z: int,
    x: int,
    y: int,
    *,
    actor: Actor | None,
) -> Tile:
    layers_of(source)
    check_address(z, x, y)
    key = (source, scope_key(tile_scope(source, actor)), z, x, y)
    return cache.get(key, lambda: build_tile(session, source, z, x, y, actor=actor))
