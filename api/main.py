"""The web application: `create_app()`; `uvicorn api.main:app` serves it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import text

from api.errors import install_error_handlers
from api.routes import ogc
from geo.core.db import get_engine
from geo.core.settings import get_app_settings


def create_app() -> FastAPI:
    settings = get_app_settings()
    app = FastAPI(
        title=settings.title,
        description="乡镇综合指挥平台：空间数据服务（OGC API – Features）与业务接口",
        version="0.1.0",
    )
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    install_error_handlers(app)
    app.include_router(ogc.router)

    @app.get("/api/v1/health", tags=["system"], summary="健康检查")
    def health() -> dict[str, str]:
        with get_engine().connect() as conn:
            postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
        return {"status": "ok", "postgis": postgis}

    return app


app = create_app()
