"""The built web app (map_ui/dist), served by the API so the product is one address."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

DIST = Path(__file__).resolve().parents[1] / "map_ui" / "dist"


def index() -> FileResponse | None:
    page = DIST / "index.html"
    return FileResponse(page, headers={"Cache-Control": "no-cache"}) if page.exists() else None


def mount_pages(app: FastAPI) -> None:
    """Pages of the same app at their own address: the command screen is shown on a large
    display by its URL. The page itself holds no data; its calls need sign-in."""

    @app.get("/command/", include_in_schema=False)
    def command_screen() -> Response:
        return index() or Response("前端未构建：先运行 make ui", status_code=404)


def mount_assets(app: FastAPI) -> None:
    # Hashed file names: safe to cache for long. Mounted only when the app is built.
    if (DIST / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=DIST / "assets"), name="assets")
