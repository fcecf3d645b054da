"""The leaders' command screen (CMD-1): today's figures, grid load, grid members' positions,
the open events, and the live feed of event changes as server-sent events."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from api.auth import require
from api.deps import SessionDep
from geo.command import party, service
from geo.command.live import EventFeed, Subscriber
from geo.command.schemas import FeatureCollection, Summary
from geo.core.actor import Actor

router = APIRouter(prefix="/api/v1/command", tags=["command"])

Leader = Annotated[Actor, Depends(require("command.view"))]
HEARTBEAT_S = 15.0
RETRY_MS = 3000  # EventSource waits this long before reconnecting (e.g. a server restart)
POLL_S = 0.5
# Set when the server is asked to stop. Uvicorn waits for open responses before it shuts
# down, and an event stream never ends by itself: without this a restart would hang until
# every screen disconnected. The screens reconnect to the new process on their own.
CLOSING = threading.Event()


def _end_streams_on_exit() -> None:
    try:
        from uvicorn.server import Server
    except ImportError:  # served by something else: streams end with their connections
        return
    original = Server.handle_exit

    def handle_exit(self: Server, *args: Any, **kwargs: Any) -> None:
        CLOSING.set()
        original(self, *args, **kwargs)

    Server.handle_exit = handle_exit  # type: ignore[method-assign]


_end_streams_on_exit()


@router.get("/summary", response_model=Summary, summary="指挥大屏：今日数据、近30日趋势、排行")
def summary(session: SessionDep, actor: Leader) -> Summary:
    return service.command_summary(session, actor=actor)


@router.get(
    "/grids", response_model=FeatureCollection, summary="指挥大屏：网格轮廓（简化）与未办结事件数"
)
def grids(session: SessionDep, actor: Leader) -> FeatureCollection:
    return service.grid_load(session, actor=actor)


@router.get("/members", response_model=FeatureCollection, summary="指挥大屏：网格员今日最后位置")
def members(session: SessionDep, actor: Leader) -> FeatureCollection:
    return service.member_positions(session, actor=actor)


@router.get("/events", response_model=FeatureCollection, summary="指挥大屏：未办结事件点位")
def events(session: SessionDep, actor: Leader) -> FeatureCollection:
    return service.open_events(session, actor=actor)


@router.get(
    "/party/organisations", response_model=FeatureCollection,
    summary="指挥大屏·党建：党组织位置（党员数、近30日活动数）",
)  # fmt: skip
def party_organisations(session: SessionDep, actor: Leader) -> FeatureCollection:
    return party.organisations(session, actor=actor)


@router.get(
    "/party/activities", response_model=FeatureCollection,
    summary="指挥大屏·党建：近30日党建活动位置",
)  # fmt: skip
def party_activities(session: SessionDep, actor: Leader) -> FeatureCollection:
    return party.activities(session, actor=actor)


@router.get("/party/summary", summary="指挥大屏·党建引领：党组织、党员、本月活动（按类型）")
def party_summary(session: SessionDep, actor: Leader) -> party.PartySummary:
    return party.summary(session, actor=actor)


def feed_of(request: Request) -> EventFeed:
    feed: EventFeed | None = getattr(request.app.state, "event_feed", None)
    if feed is None:
        feed = request.app.state.event_feed = EventFeed()
    return feed


def _sse(message: dict[str, Any]) -> str:
    return f"event: event\nid: {message['id']}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"


async def _stream(feed: EventFeed, sub: Subscriber) -> AsyncIterator[str]:
    try:
        # The first message may follow at once: be listening before saying "connected".
        await asyncio.to_thread(feed.ready.wait, 5.0)
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        quiet_since = time.monotonic()
        while not CLOSING.is_set():
            try:
                message = await asyncio.wait_for(sub.queue.get(), timeout=POLL_S)
            except TimeoutError:
                if time.monotonic() - quiet_since >= HEARTBEAT_S:
                    quiet_since = time.monotonic()
                    yield ": heartbeat\n\n"  # keeps proxies from closing an idle stream
                continue
            quiet_since = time.monotonic()
            yield _sse(message)
    finally:
        feed.unsubscribe(sub)


@router.get(
    "/stream",
    summary="指挥大屏：事件变化实时推送（text/event-stream）",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(request: Request, actor: Leader) -> StreamingResponse:
    feed = feed_of(request)
    sub = feed.subscribe(None if actor.is_district_wide else actor.region_path)
    return StreamingResponse(
        _stream(feed, sub),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
