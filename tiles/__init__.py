"""Vector tiles (MVT) built in PostGIS, their cache, TileJSON and the map style."""
