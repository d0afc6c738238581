"""The gadget's server-sent events: the whole panel of the watched group when the connection opens (so a
reconnecting page catches up by itself), then again after every bus event that changed it (presence,
calls, forwarding, members, configuration); a stream wakes only for events that may concern its group or its
viewer and sends the text Panels worked out once for every stream of the group. Each message's id is the bus's event
count, so the page can tell it is current. A comment line every KEEPALIVE seconds keeps proxies from closing
a quiet stream and lets the server notice a page that is gone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from phonesvc.web.access import SESSION_COOKIE, Visitor
from phonesvc.web.gadget_panel import Panels
from phonesvc.web.ma_group_nav import visible_groups

KEEPALIVE = 15.0  # seconds
RETRY_MS = 1000  # how soon EventSource reconnects after losing the stream
SIGNED_OUT, NO_GROUP = '{"signed_out": true}', '{"group": null}'
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # nginx: pass each event on at once


def panels(state) -> Panels:
    """The app's one panel cache (`state`: the app's state), shared by every stream."""
    if getattr(state, "panels", None) is None:
        state.panels = Panels(state.store, state.live)
    return state.panels


class _Viewer:
    """Whether the stream's viewer may still see the group: the session whenever the stream wakes (its group's
    change or the keepalive: a sign-out ends it then), the user and the group's visibility again only when the
    configuration changed."""

    def __init__(self, request: Request, who: Visitor, group_id: int | None):
        self.state, self.who, self.group_id = request.app.state, who, group_id
        self.token = request.cookies.get(SESSION_COOKIE, "")
        self.snap: object = None
        self.answer: str | None = None

    def text(self) -> str:
        """The panel's JSON text without `now`, or why there is none (the same string while nothing changed)."""
        state = self.state
        session = state.sessions.get(self.token) if self.token else None
        snap = state.store.snapshot()
        if snap is not self.snap:
            self.snap = snap
            user = snap.users.get(self.who.user.id)
            if session is None or user is None or user.password_hash != session.password_hash:
                self.answer = SIGNED_OUT
            elif self.group_id is None or self.group_id not in {g.id for g in visible_groups(snap, self.who)}:
                self.answer = NO_GROUP
            else:
                self.answer = None
        if session is None:
            return SIGNED_OUT
        if self.answer is not None:
            return self.answer
        return panels(self.state).text(self.group_id, self.who.user.id) or NO_GROUP


def _with_now(text: str) -> str:
    """`now` lets the page count durations with the server's clock; it alone is no change."""
    return f'{text[:-1]}, "now": {time.time()!r}}}'


async def _events(request: Request, who: Visitor, group_id: int | None) -> AsyncIterator[str]:
    bus = request.app.state.bus
    viewer, feed = _Viewer(request, who, group_id), panels(request.app.state)
    sent = ""
    yield f"retry: {RETRY_MS}\n\n"
    while True:
        text = viewer.text()
        if text is not sent and text != sent:
            sent = text
            data = text if text in (SIGNED_OUT, NO_GROUP) else _with_now(text)
            yield f"id: {bus.published}\nevent: panel\ndata: {data}\n\n"
        if text == SIGNED_OUT:
            return
        # a burst of events: one message for all of them
        done, _ = await asyncio.wait(feed.changed(group_id, who.user.id), timeout=KEEPALIVE,
                                     return_when=asyncio.FIRST_COMPLETED)
        if not done:
            yield ": keepalive\n\n"


async def stream(request: Request, who: Visitor, group_id: int | None) -> Response:
    return StreamingResponse(_events(request, who, group_id), media_type="text/event-stream", headers=HEADERS)
