"""Open311 GeoReport v2 (GIS-10): standard clients report events and follow them."""
