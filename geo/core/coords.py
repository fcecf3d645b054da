"""Conversions between WGS84, GCJ-02 ("Mars" coordinates) and BD-09.

* WGS84 is numerically the same as CGCS2000 (EPSG:4490) at the sub-metre level that
  matters for township data, so "wgs84" here also stands for our storage CRS.
* GCJ-02 is the obfuscated datum mandated for published maps in China (Amap, Tencent,
  Apple/Google in China). The offset is a smooth, non-linear function of position.
* BD-09 is Baidu's extra obfuscation layered on top of GCJ-02.

Outside mainland China (the rough bounding box lon 72.004-137.8347, lat 0.8293-55.8271
used by every public implementation) GCJ-02 is *defined* as equal to WGS84, so points
there pass through WGS84 <-> GCJ-02 unchanged. The box is deliberately crude (it
includes e.g. Korea and Mongolia) because matching the other libraries matters more
than geographic precision: data converted elsewhere must round-trip here.

Every function takes and returns ``(lon, lat)`` in that order, in degrees.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt

CoordSystem = Literal["wgs84", "gcj02", "bd09"]
COORD_SYSTEMS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")

FloatArray = npt.NDArray[np.float64]
_ArrayFn = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]

# The leaked GCJ-02 algorithm uses the Krasovsky 1940 semi-major axis, not WGS84's
# 6378137 m; the published vectors (eviltransform, coordtransform) only reproduce with it.
_KRASOVSKY_A = 6378245.0
_EE = 0.00669342162296594323  # eccentricity squared, as in the same algorithm
_BD_X_PI = math.pi * 3000.0 / 180.0  # Baidu's angular scrambling frequency

_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271

# Inverses are solved to far better than the promised 1e-7 degrees; the offsets change
# slowly (derivative ~1e-3), so each fixed-point step gains about three digits.
_INVERSE_TOL = 1e-10
_INVERSE_MAX_ITER = 30


# --------------------------------------------------------------------------- helpers


def is_in_china(lon: float, lat: float) -> bool:
    """True inside the bounding box where GCJ-02 differs from WGS84."""
    return _LON_MIN <= lon <= _LON_MAX and _LAT_MIN <= lat <= _LAT_MAX


def _in_china(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    return (lon >= _LON_MIN) & (lon <= _LON_MAX) & (lat >= _LAT_MIN) & (lat <= _LAT_MAX)


def _raw_offset(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The GCJ-02 polynomial + sine noise in metres-ish units, x/y relative to (105E, 35N)."""
    x_pi, y_pi = x * math.pi, y * math.pi
    shared = 20.0 * np.sin(6.0 * x_pi) + 20.0 * np.sin(2.0 * x_pi)
    dlat = shared + 20.0 * np.sin(y_pi) + 40.0 * np.sin(y_pi / 3.0)
    dlat = dlat + 160.0 * np.sin(y_pi / 12.0) + 320.0 * np.sin(y_pi / 30.0)
    dlon = shared + 20.0 * np.sin(x_pi) + 40.0 * np.sin(x_pi / 3.0)
    dlon = dlon + 150.0 * np.sin(x_pi / 12.0) + 300.0 * np.sin(x_pi / 30.0)
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = dlat * 2.0 / 3.0 - 100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
    dlat = dlat + 0.2 * sqrt_abs_x
    dlon = dlon * 2.0 / 3.0 + 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y
    dlon = dlon + 0.1 * sqrt_abs_x
    return dlon, dlat


def _gcj_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS84 in degrees at a WGS84 point, ignoring the China box."""
    dlon, dlat = _raw_offset(lon - 105.0, lat - 35.0)
    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    # Convert the "metre" offsets to degrees with the meridian / parallel radii.
    dlat = dlat * 180.0 / ((_KRASOVSKY_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = dlon * 180.0 / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * math.pi)
    return dlon, dlat


def _invert(
    forward: _ArrayFn,
    target_lon: FloatArray,
    target_lat: FloatArray,
    start_lon: FloatArray,
    start_lat: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Solve forward(p) == target by fixed-point iteration p <- p - (forward(p) - target).

    Converges because both forward maps are the identity plus a slowly varying offset.
    NaNs never satisfy ``> tol`` so they do not keep the loop alive.
    """
    lon, lat = start_lon, start_lat
    for _ in range(_INVERSE_MAX_ITER):
        fwd_lon, fwd_lat = forward(lon, lat)
        res_lon, res_lat = fwd_lon - target_lon, fwd_lat - target_lat
        lon, lat = lon - res_lon, lat - res_lat
        if not (np.any(np.abs(res_lon) > _INVERSE_TOL) or np.any(np.abs(res_lat) > _INVERSE_TOL)):
            break
    return lon, lat


# ------------------------------------------------------------------ array versions


def _wgs_to_gcj(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _gcj_offset(lon, lat)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def _gcj_to_wgs(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    # The box test is made on the GCJ input and the iteration uses the unmasked offset,
    # so it stays smooth (and convergent) even for points within a few hundred metres
    # of the box edge, where the WGS84 answer may fall just outside the box.
    def shifted(p_lon: FloatArray, p_lat: FloatArray) -> tuple[FloatArray, FloatArray]:
        dlon, dlat = _gcj_offset(p_lon, p_lat)
        return p_lon + dlon, p_lat + dlat

    wgs_lon, wgs_lat = _invert(shifted, lon, lat, lon, lat)
    inside = _in_china(lon, lat)
    return np.where(inside, wgs_lon, lon), np.where(inside, wgs_lat, lat)


def _gcj_to_bd(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    radius = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_X_PI)
    return radius * np.cos(theta) + 0.0065, radius * np.sin(theta) + 0.006


def _bd_to_gcj_approx(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The closed-form inverse everyone publishes; it is only good to ~2e-6 degrees."""
    x, y = lon - 0.0065, lat - 0.006
    radius = np.hypot(x, y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    return radius * np.cos(theta), radius * np.sin(theta)


def _bd_to_gcj(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    # Refine the closed form so that BD-09 round trips stay well under 1e-6 degrees.
    start_lon, start_lat = _bd_to_gcj_approx(lon, lat)
    return _invert(_gcj_to_bd, lon, lat, start_lon, start_lat)


def _wgs_to_bd(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _gcj_to_bd(*_wgs_to_gcj(lon, lat))


def _bd_to_wgs(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _gcj_to_wgs(*_bd_to_gcj(lon, lat))


def _identity(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return lon, lat


_CONVERTERS: dict[tuple[str, str], _ArrayFn] = {
    ("wgs84", "gcj02"): _wgs_to_gcj,
    ("gcj02", "wgs84"): _gcj_to_wgs,
    ("gcj02", "bd09"): _gcj_to_bd,
    ("bd09", "gcj02"): _bd_to_gcj,
    ("wgs84", "bd09"): _wgs_to_bd,
    ("bd09", "wgs84"): _bd_to_wgs,
}


def _converter(src: str, dst: str) -> _ArrayFn:
    for name in (src, dst):
        if name not in COORD_SYSTEMS:
            raise ValueError(
                f"unknown coordinate system {name!r}; expected one of {', '.join(COORD_SYSTEMS)}"
            )
    return _identity if src == dst else _CONVERTERS[(src, dst)]


def _scalar(fn: _ArrayFn, lon: float, lat: float) -> tuple[float, float]:
    out_lon, out_lat = fn(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return float(out_lon), float(out_lat)


# ------------------------------------------------------------------- public scalar API


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 -> GCJ-02 (identity outside the China box)."""
    return _scalar(_wgs_to_gcj, lon, lat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 -> WGS84, the exact inverse of :func:`wgs84_to_gcj02` (error < 1e-7 degrees).

    The widely copied one-step formula (subtract the offset evaluated at the GCJ point)
    is off by up to ~1e-5 degrees (1-2 m); we iterate to convergence instead.
    """
    return _scalar(_gcj_to_wgs, lon, lat)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 -> BD-09 (Baidu's formula, applied everywhere like coordtransform does)."""
    return _scalar(_gcj_to_bd, lon, lat)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 -> GCJ-02, the exact inverse of :func:`gcj02_to_bd09`."""
    return _scalar(_bd_to_gcj, lon, lat)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 -> BD-09 via GCJ-02."""
    return _scalar(_wgs_to_bd, lon, lat)


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 -> WGS84 via GCJ-02 (both steps exact inverses)."""
    return _scalar(_bd_to_wgs, lon, lat)


def convert(lon: float, lat: float, src: str, dst: str) -> tuple[float, float]:
    """Convert a point between "wgs84", "gcj02" and "bd09"; unknown names raise ValueError."""
    return _scalar(_converter(src, dst), lon, lat)


# ------------------------------------------------------------- vectorised (shapely) API


def convert_coords(coords: npt.ArrayLike, src: str, dst: str) -> FloatArray:
    """Convert an (N, 2) or (N, 3) lon/lat[/z] array; z is copied through unchanged.

    Shaped for ``shapely.transform(geom, lambda c: convert_coords(c, "gcj02", "wgs84"))``.
    """
    fn = _converter(src, dst)
    arr = np.array(coords, dtype=np.float64)  # a copy: never mutate shapely's buffer
    if arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise ValueError(f"expected an (N, 2) or (N, 3) coordinate array, got shape {arr.shape}")
    arr[:, 0], arr[:, 1] = fn(arr[:, 0], arr[:, 1])
    return arr


def gcj02_to_wgs84_coords(coords: npt.ArrayLike) -> FloatArray:
    """Vectorised :func:`gcj02_to_wgs84` for ``shapely.transform``."""
    return convert_coords(coords, "gcj02", "wgs84")


def wgs84_to_gcj02_coords(coords: npt.ArrayLike) -> FloatArray:
    """Vectorised :func:`wgs84_to_gcj02` for ``shapely.transform``."""
    return convert_coords(coords, "wgs84", "gcj02")
