"""Navigation (GIS-8): routes on the platform's own street network (pgRouting)."""
