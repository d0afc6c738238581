"""What a call-handling service (the MA router, the PhoneDiversions Call Handler) tells the PBX runs as
tasks: one after another for the same call (a call's `tail` is its last instruction, so "stop ringing"
never overtakes "ring"), side by side for different calls, and all of them awaitable at shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Protocol


class HasTail(Protocol):
    tail: asyncio.Future | None


class Instructions:
    def __init__(self, log: logging.Logger, what: str):
        self.log, self.what = log, what  # `what` names the service in a failure's log line
        self._tasks: set[asyncio.Task] = set()

    def queue(self, call: HasTail, coro: Coroutine[Any, Any, Any]) -> None:
        """Run `coro` after the call's previous instruction."""
        call.tail = self.spawn(_after(call.tail, coro))

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        """Run `coro` now, beside everything else."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.log.error("%s instruction failed", self.what, exc_info=task.exception())

    async def settle(self) -> None:
        """Wait until every instruction (and what it queued in turn) has run (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))


async def _after(previous: asyncio.Future | None, coro: Coroutine[Any, Any, Any]) -> None:
    if previous is not None and not previous.done():
        await asyncio.wait([previous])
    await coro
