"""The coordinate reference system an uploaded dataset declares, and how to store it.

Township data arrives in a handful of CRSs: CGCS2000 lon/lat (national base maps),
CGCS2000 3-degree Gauss-Krüger projections (cadastral and 国土调查 surveys, with or
without the zone number prefixed to the false easting), WGS84 from GPS devices, Web
Mercator from web tools, and GCJ-02 copied out of Amap/Tencent. Everything is stored
in EPSG:4490 lon/lat, so an import only needs ``parse_source_crs(text).to_storage(geom)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from geo.core.coords import gcj02_to_wgs84_coords
from geo.core.srid import STORAGE_SRID, WEB_MERCATOR_SRID

WGS84_SRID = 4326

# EPSG blocks for CGCS2000 3-degree Gauss-Krüger: zones 25-45 (false easting carries the
# zone number, e.g. 40500000) are 4513-4533; central meridians 75E-135E (plain 500000)
# are 4534-4554. Zone n has central meridian 3n.
_GK3_ZONE_EPSG_FIRST, _GK3_ZONE_FIRST, _GK3_ZONE_LAST = 4513, 25, 45
_GK3_CM_EPSG_FIRST, _GK3_CM_FIRST, _GK3_CM_LAST = 4534, 75, 135

_NAMED_EPSG = {"cgcs2000": STORAGE_SRID, "wgs84": WGS84_SRID, "webmercator": WEB_MERCATOR_SRID}
_EPSG_NAMES = {code: name for name, code in _NAMED_EPSG.items()}
_GCJ02 = "gcj02"

# WGS84 and CGCS2000 differ by centimetres, far below our data's accuracy; treating them
# as identical avoids pyproj's "ballpark" pipeline and keeps coordinates bit-for-bit.
_SAME_AS_STORAGE = frozenset({STORAGE_SRID, WGS84_SRID})

_ACCEPTED_HINT = (
    "可用 cgcs2000、wgs84、webmercator、gk3:<带号25-45>、gk3cm:<中央经线>、gcj02 或对应的 EPSG 代码"
)


class UnknownCRSError(ValueError):
    """Raised for a CRS we do not accept; the message is shown to (Chinese) users as is."""

    def __init__(self, text: object) -> None:
        self.text = text
        super().__init__(f"不支持的坐标系 {text!r}：{_ACCEPTED_HINT}")


@dataclass(frozen=True)
class SourceCRS:
    """A parsed source CRS.

    ``label`` is the canonical spelling (``parse_source_crs(crs.label) == crs``), suitable
    for recording on an import job. ``epsg`` is None only for the GCJ-02 pseudo-CRS.
    """

    label: str
    epsg: int | None

    @property
    def is_gcj02(self) -> bool:
        return self.epsg is None

    def to_storage(self, geom: BaseGeometry) -> BaseGeometry:
        """Return ``geom`` in EPSG:4490 lon/lat; Z values (if any) are kept unchanged."""
        if self.epsg in _SAME_AS_STORAGE:
            return geom
        if self.epsg is None:
            return _transform_xy(geom, gcj02_to_wgs84_coords)
        transformer = _storage_transformer(self.epsg)
        return _transform_xy(geom, partial(_apply_transformer, transformer))


def parse_source_crs(text: str) -> SourceCRS:
    """Parse a user-declared CRS (case- and whitespace-insensitive).

    Accepts cgcs2000 / wgs84 / webmercator / gcj02, ``gk3:<zone 25-45>``,
    ``gk3cm:<central meridian 75-135, step 3>``, and EPSG codes 4490, 4326, 3857 and
    4513-4554 written as ``EPSG:4490`` or ``4490``. Raises :class:`UnknownCRSError`.
    """
    key = "".join(text.split()).lower() if isinstance(text, str) else ""
    crs = _parse_key(key)
    if crs is None:
        raise UnknownCRSError(text)
    return crs


# ----------------------------------------------------------------------------- parsing


def _parse_key(key: str) -> SourceCRS | None:
    if key == _GCJ02:
        return SourceCRS(_GCJ02, None)
    if key in _NAMED_EPSG:
        return _from_epsg(_NAMED_EPSG[key])
    code = re.fullmatch(r"(?:epsg:)?([0-9]{4,5})", key)
    if code:
        return _from_epsg(int(code.group(1)))
    zone = re.fullmatch(r"gk3:([0-9]{2})", key)
    if zone:
        return _from_gk3_zone(int(zone.group(1)))
    meridian = re.fullmatch(r"gk3cm:([0-9]{2,3})", key)
    if meridian:
        return _from_gk3_cm(int(meridian.group(1)))
    return None


def _from_gk3_zone(zone: int) -> SourceCRS | None:
    if not _GK3_ZONE_FIRST <= zone <= _GK3_ZONE_LAST:
        return None
    return SourceCRS(f"gk3:{zone}", _GK3_ZONE_EPSG_FIRST + zone - _GK3_ZONE_FIRST)


def _from_gk3_cm(meridian: int) -> SourceCRS | None:
    if not _GK3_CM_FIRST <= meridian <= _GK3_CM_LAST or meridian % 3:
        return None
    return SourceCRS(f"gk3cm:{meridian}", _GK3_CM_EPSG_FIRST + (meridian - _GK3_CM_FIRST) // 3)


def _from_epsg(code: int) -> SourceCRS | None:
    if code in _EPSG_NAMES:
        return SourceCRS(_EPSG_NAMES[code], code)
    zone_offset = code - _GK3_ZONE_EPSG_FIRST
    if 0 <= zone_offset <= _GK3_ZONE_LAST - _GK3_ZONE_FIRST:
        return _from_gk3_zone(_GK3_ZONE_FIRST + zone_offset)
    cm_offset = code - _GK3_CM_EPSG_FIRST
    if 0 <= cm_offset <= (_GK3_CM_LAST - _GK3_CM_FIRST) // 3:
        return _from_gk3_cm(_GK3_CM_FIRST + 3 * cm_offset)
    return None


# ------------------------------------------------------------------------ transforming


@cache  # at most 45 EPSG codes can reach here
def _storage_transformer(epsg: int) -> Transformer:
    # Building a Transformer costs milliseconds (PROJ database lookups); an import may
    # call to_storage once per feature. pyproj >= 3.1 Transformers are thread-safe.
    return Transformer.from_crs(epsg, STORAGE_SRID, always_xy=True)


def _apply_transformer(
    transformer: Transformer, coords: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    out = np.array(coords, dtype=np.float64)
    out[:, 0], out[:, 1] = transformer.transform(coords[:, 0], coords[:, 1])
    return out


_CoordsFn = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


def _transform_xy(geom: BaseGeometry, fn: _CoordsFn) -> BaseGeometry:
    # Pass Z through only when present so 2D input stays 2D (shapely would add NaN Z).
    return shapely.transform(geom, fn, include_z=bool(shapely.has_z(geom)))
