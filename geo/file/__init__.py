"""Uploaded files: one content-addressed store (a local folder by default); the database
keeps each file's hash, type, size and owner."""
