"""The built web app (map_ui/dist), served by the API so the product is one address."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

DIST = Path(__file__).resolve().parents[1] / "map_ui" / "dist"

# The field app (/m/) is the same build; these files of it live beside the page so that
# the service worker's scope is /m/ and the manifest's relative addresses resolve there.
MOBILE_FILES = {
    "sw.js": "text/javascript",
    "manifest.webmanifest": "application/manifest+json",
    "icon-192.png": "image/png",
    "icon-512.png": "image/png",
    "icon.svg": "image/svg+xml",
}


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


def mobile_page(path: str = "") -> Response:
    """The field app: its worker, manifest and icons by name; any other address is the
    page itself (the app reads its screen from the hash)."""
    name = path.strip("/")
    media_type = MOBILE_FILES.get(name)
    file = DIST / "mobile" / name if media_type else DIST / "index.html"
    if not file.is_file():
        return Response("网页端尚未构建（cd map_ui && npm run build）", status_code=404)
    return FileResponse(file, media_type=media_type, headers={"Cache-Control": "no-cache"})


def mount_mobile(app: FastAPI) -> None:
    app.add_api_route("/m", mobile_page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/m/{path:path}", mobile_page, methods=["GET"], include_in_schema=False)
