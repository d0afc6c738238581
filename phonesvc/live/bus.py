"""One in-process event bus. Listeners are called in order, synchronously, on the publishing thread
of the event loop; a listener that fails is logged and does not stop the others."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PresenceChanged:
    user_id: int


@dataclass(frozen=True)
class ForwardingChanged:
    member_id: int


@dataclass(frozen=True)
class GroupChanged:
    """Members, names, order or settings of a group changed (group_id None: possibly any group)."""

    group_id: int | None


@dataclass(frozen=True)
class ConfigurationChanged:
    """Something in the store changed (any REST, phone or CLI write of this process)."""


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Callable[[object], None]] = []
        self.published = 0  # events so far: what was worked out from the live state holds while it stays

    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, event: object) -> None:
        self.published += 1
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %r", listener, event)

    @asynccontextmanager
    async def stream(self, maxsize: int = 1000) -> AsyncIterator[asyncio.Queue]:
        """A queue that receives every event while the context is open (for streaming to browsers).
        A consumer that falls behind by `maxsize` events loses the oldest ones rather than memory."""
        queue: asyncio.Queue = asyncio.Queue(maxsize)

        def put(event: object) -> None:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

        unsubscribe = self.subscribe(put)
        try:
            yield queue
        finally:
            unsubscribe()
