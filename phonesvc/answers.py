"""Answers kept in memory: a phone screen or REST read that follows only from the configuration and the live
state is sent again from memory, before the framework routes the request, until either of them moves.

Idle phones reload their status display all day, users open the same menus again and again, and integrations
poll the same REST read; each of those answers is worked out once per state. A surface offers an answer with
`keep()` after working it out; the key is everything of the request an answer can depend on (path, query,
the client's address and the headers the surfaces read), so a kept answer is reused only for the very same
request: the same phone, the same credentials, the same client. The state is the configuration snapshot
(Store.snapshot(), which moves with every committed write) and the number of events published on the bus
(every line, call and configuration change)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from phonesvc.live.bus import EventBus
from phonesvc.store import Store

# The request headers any surface reads (phone/, rest/, urls.py, addresses.py): the rest cannot change an answer.
VARY = frozenset((b"host", b"accept", b"authorization", b"x-forwarded-for", b"if-none-match",
                  b"x-ciscoipphonemodelname", b"x-ciscoipphonedisplay"))
SIZE = 8192  # answers kept; all are dropped when full (states move on anyway)

State = tuple[object, int]  # (snapshot, events published)


@dataclass(frozen=True, slots=True)
class Kept:
    state: State
    start: dict
    body: dict
    # Called on reuse (the phone's visit is still noted); False sends the request on to the app instead.
    on_hit: Callable[[], bool] | None


def key(scope: Scope) -> tuple:
    client = scope.get("client")
    return (scope["path"], scope["query_string"], scope.get("scheme"), client[0] if client else None,
            tuple(h for h in scope["headers"] if h[0] in VARY))


class Answers:
    def __init__(self, store: Store, bus: EventBus, size: int = SIZE):
        self.store, self.bus, self.size = store, bus, size
        self._kept: dict[tuple, Kept] = {}

    def state(self) -> State:
        """Take it before working an answer out: an answer kept under a state that has moved is never sent."""
        return self.store.snapshot(), self.bus.published

    def keep(self, scope: Scope, state: State, response: Response, on_hit: Callable[[], bool] | None = None) -> None:
        if scope["method"] != "GET" or response.status_code != 200:
            return
        if len(self._kept) >= self.size:
            self._kept.clear()
        self._kept[key(scope)] = Kept(
            state, {"type": "http.response.start", "status": 200, "headers": response.raw_headers},
            {"type": "http.response.body", "body": response.body}, on_hit)

    def find(self, scope: Scope) -> Kept | None:
        kept = self._kept.get(key(scope))
        if kept is None:
            return None
        snap, events = kept.state
        if events != self.bus.published or snap is not self.store.snapshot():
            return None
        return kept if kept.on_hit is None or kept.on_hit() else None


class AnswersMiddleware:
    """In front of the routes: a kept answer costs a dictionary lookup."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            kept = scope["app"].state.answers.find(scope)
            if kept is not None:
                await send(kept.start)
                await send(kept.body)
                return
        await self.app(scope, receive, send)
