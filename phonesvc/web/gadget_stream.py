"""The gadget's server-sent events: the whole panel of the watched group when the connection opens (so a
reconnecting page catches up by itself), then again after every bus event that changed it (presence,
calls, forwarding, members, configuration). Each message's id is the bus's event count, so the page can
tell it is current. A comment line every KEEPALIVE seconds keeps proxies from closing a quiet stream and
lets the server notice a page that is gone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from phonesvc.web.access import SESSION_COOKIE, Visitor
from phonesvc.web.gadget_panel import Panels, for_viewer
from phonesvc.web.ma_group_nav import visible_groups

KEEPALIVE = 15.0  # seconds
RETRY_MS = 1000  # how soon EventSource reconnects after losing the stream
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # nginx: pass each event on at once


def panels(request: Request) -> Panels:
    """The app's one panel cache, shared by every stream."""
    state = request.app.state
    if getattr(state, "panels", None) is None:
        state.panels = Panels(state.store, state.live)
    return state.panels


def _message(request: Request, who: Visitor, group_id: int | None) -> dict:
    """The panel as this viewer may see it now, or why there is none."""
    state = request.app.state
    token = request.cookies.get(SESSION_COOKIE, "")
    session = state.sessions.get(token) if token else None
    snap = state.store.snapshot()
    user = snap.users.get(who.user.id)
    if session is None or user is None or user.password_hash != session.password_hash:
        return {"signed_out": True}
    if group_id is None or group_id not in {g.id for g in visible_groups(snap, who)}:
        return {"group": None}
    panel = panels(request).panel(group_id)
    return for_viewer(panel, who.user.id) if panel else {"group": None}


async def _events(request: Request, who: Visitor, group_id: int | None) -> AsyncIterator[str]:
    bus = request.app.state.bus
    async with bus.stream(100) as queue:
        sent: dict = {}
        yield f"retry: {RETRY_MS}\n\n"
        while True:
            message = _message(request, who, group_id)
            if message | {"now": 0} != sent | {"now": 0}:  # `now` alone is no change
                sent = message
                yield f"id: {bus.published}\nevent: panel\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"
            if "signed_out" in message:
                return
            try:
                await asyncio.wait_for(queue.get(), KEEPALIVE)
            except TimeoutError:
                yield ": keepalive\n\n"
            while not queue.empty():  # a burst of events: one message for all of them
                queue.get_nowait()


async def stream(request: Request, who: Visitor, group_id: int | None) -> Response:
    return StreamingResponse(_events(request, who, group_id), media_type="text/event-stream", headers=HEADERS)
