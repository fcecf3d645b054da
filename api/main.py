"""The web application: `create_app()`; `uvicorn api.main:app` serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import text

from api import ui
from api.errors import install_error_handlers
from api.routes import glyphs, maps, ogc, tiles
from api.routes import map as map_routes
from geo.core.db import get_engine
from geo.core.settings import get_app_settings
from tiles.cache import TileCache
from tiles.invalidation import InvalidationListener


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    listener = InvalidationListener(app.state.tile_cache)
    listener.start()
    app.state.invalidation = listener
    try:
        yield
    finally:
        listener.stop()


def create_app() -> FastAPI:
    settings = get_app_settings()
    app = FastAPI(
        title=settings.title,
        description="乡镇综合指挥平台：空间数据服务（OGC API – Features、矢量瓦片）与业务接口",
        version="0.1.0",
        lifespan=lifespan,
    )
    # One cache per application: tiles built inside a test's transaction never leak out.
    app.state.tile_cache = TileCache()
    app.add_middleware(GZipMiddleware, minimum_size=2048)  # leaves gzipped tiles alone
    install_error_handlers(app)
    app.include_router(ogc.router)
    app.include_router(tiles.router)
    app.include_router(map_routes.router)
    app.include_router(glyphs.router)
    app.include_router(maps.router)

    @app.get("/api/v1/health", tags=["system"], summary="健康检查")
    def health() -> dict[str, str]:
        with get_engine().connect() as conn:
            postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
        return {"status": "ok", "postgis": postgis}

    ui.mount_assets(app)
    return app


app = create_app()
