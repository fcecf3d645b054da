"""Spatial reference identifiers shared across the platform."""

from typing import Final

# Everything is stored as CGCS2000 geographic lon/lat: it is the national datum that
# township base maps (天地图, 国土调查) are delivered in.
STORAGE_SRID: Final[int] = 4490
# Tiles and browser maps work in Web Mercator.
WEB_MERCATOR_SRID: Final[int] = 3857
