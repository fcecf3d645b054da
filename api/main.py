"""The web application: `create_app()`; `uvicorn api.main:app` serves it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import text

from api import ui
from api.auth import ActorCache
from api.errors import install_error_handlers
from api.limits import BodyLimitMiddleware
from api.routes import attendance as attendance_routes
from api.routes import auth, glyphs, maps, ogc, tiles
from api.routes import cases as case_routes
from api.routes import centres as centre_routes
from api.routes import command as command_routes
from api.routes import config as config_routes
from api.routes import enforcement_tasks as enforcement_task_routes
from api.routes import event_photos as event_photo_routes
from api.routes import event_query as event_query_routes
from api.routes import events as event_routes
from api.routes import grids as grid_routes
from api.routes import inspection_draws as inspection_draw_routes
from api.routes import inspection_experts as inspection_expert_routes
from api.routes import inspection_items as inspection_item_routes
from api.routes import inspection_lists as inspection_list_routes
from api.routes import inspection_objects as inspection_object_routes
from api.routes import inspection_officers as inspection_officer_routes
from api.routes import inspection_tasks as inspection_task_routes
from api.routes import map as map_routes
from api.routes import navigation as navigation_routes
from api.routes import open311 as open311_routes
from api.routes import open311_keys as open311_key_routes
from api.routes import org as org_routes
from api.routes import oversight as oversight_routes
from api.routes import party as party_routes
from api.routes import patrols as patrol_routes
from api.routes import public_draws as public_draw_routes
from api.routes import routing_rules as routing_rule_routes
from geo.core.db import get_engine
from geo.core.settings import DEFAULT_SECRET_KEY, get_app_settings, get_auth_settings
from tiles.cache import TileCache
from tiles.invalidation import InvalidationListener

logger = logging.getLogger(__name__)


class UnsafeProductionSetup(RuntimeError):
    pass


MIN_SECRET_LENGTH = 32


def refuse_unsafe_production() -> None:
    """Production mode must not start with the demo's accounts or default secrets."""
    if get_app_settings().mode != "production":
        return
    problems = []
    secret = get_auth_settings().secret_key
    if secret == DEFAULT_SECRET_KEY:
        problems.append("APP_SECRET_KEY 仍是默认值：请设置一个随机的长字符串")
    elif len(secret) < MIN_SECRET_LENGTH:
        # A short key can be guessed offline from one stolen session row.
        problems.append(f"APP_SECRET_KEY 太短：至少 {MIN_SECRET_LENGTH} 个字符的随机字符串")
    with get_engine().connect() as conn:
        demo = conn.execute(text("SELECT count(*) FROM user_account WHERE is_demo")).scalar_one()
        demo_key = conn.execute(
            text("SELECT count(*) FROM open311_key WHERE is_demo AND revoked_at IS NULL")
        ).scalar_one()
    if demo:
        problems.append(
            f"数据库中有 {demo} 个演示账号（共用公开的演示密码）：请删除后再以生产模式启动"
        )
    if demo_key:
        problems.append(
            "演示用的开放接口密钥（README 中公开的 demo-open311-key）仍然有效："
            "请在“开放接口密钥”中吊销后再以生产模式启动"
        )
    if problems:
        raise UnsafeProductionSetup("拒绝以生产模式启动：" + "；".join(problems))
    if not get_auth_settings().cookie_secure:
        # Plain HTTP on an intranet is a legitimate set-up, so this warns, not refuses.
        logger.warning(
            "会话 Cookie 未设置 Secure 标志：通过 HTTPS 提供服务时请设置 APP_COOKIE_SECURE=true"
        )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    refuse_unsafe_production()
    listener = InvalidationListener(app.state.tile_cache)
    listener.start()
    app.state.invalidation = listener
    try:
        yield
    finally:
        listener.stop()
        feed = getattr(app.state, "event_feed", None)
        if feed is not None:
            feed.stop()


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
    app.state.actor_cache = ActorCache(get_auth_settings().actor_cache_seconds)
    app.state.throttles = {}  # api/throttle.py: public request rates, per client
    app.add_middleware(GZipMiddleware, minimum_size=2048)  # leaves gzipped tiles alone
    app.add_middleware(BodyLimitMiddleware)  # outermost: before anything reads a body
    install_error_handlers(app)
    app.include_router(auth.router)
    app.include_router(ogc.router)
    app.include_router(tiles.router)
    app.include_router(map_routes.router)
    app.include_router(glyphs.router)
    app.include_router(maps.router)
    app.include_router(org_routes.router)
    app.include_router(config_routes.router)
    app.include_router(centre_routes.router)
    app.include_router(event_query_routes.router)  # before /events/{event_id}
    app.include_router(event_routes.router)
    app.include_router(routing_rule_routes.router)
    app.include_router(event_photo_routes.router)
    app.include_router(oversight_routes.router)
    app.include_router(open311_routes.router)
    app.include_router(open311_key_routes.router)
    app.include_router(attendance_routes.router)
    app.include_router(grid_routes.router)
    app.include_router(navigation_routes.router)
    app.include_router(inspection_draw_routes.router)
    app.include_router(public_draw_routes.router)  # no sign-in: published draws only
    app.include_router(inspection_object_routes.router)
    app.include_router(inspection_task_routes.router)
    app.include_router(inspection_list_routes.router)
    app.include_router(patrol_routes.router)
    app.include_router(enforcement_task_routes.router)
    app.include_router(case_routes.router)
    app.include_router(inspection_officer_routes.router)
    app.include_router(inspection_expert_routes.router)
    app.include_router(inspection_item_routes.router)
    app.include_router(command_routes.router)
    app.include_router(party_routes.router)

    # Public (load balancers, start-up scripts) and outside /api/v1, which needs sign-in.
    @app.get("/health", tags=["system"], summary="健康检查")
    def health() -> dict[str, str]:
        with get_engine().connect() as conn:
            postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
        return {"status": "ok", "postgis": postgis}

    ui.mount_pages(app)
    ui.mount_assets(app)
    ui.mount_mobile(app)
    return app


app = create_app()
