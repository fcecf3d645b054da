"""Data in and out: the demo-area generator and file importers."""
