"""The built web app (map_ui/dist), served by the API so the product is one address."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

DIST = Path(__file__).resolve().parents[1] / "map_ui" / "dist"


def index() -> FileResponse | None:
    page = DIST / "index.html"
    return FileResponse(page, headers={"Cache-Control": "no-cache"}) if page.exists() else None


def mount_assets(app: FastAPI) -> None:
    # Hashed file names: safe to cache for long. Mounted only when the app is built.
    if (DIST / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=DIST / "assets"), name="assets")
