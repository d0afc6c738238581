"""The PhoneDiversions Call Handler: what happens to a call that reaches the instance's number (a route
point, only through the telephony protocol), as its tab's settings say (manual: Call Handler).

- A caller from a Direct Access Number is connected at once to the number first dialled, no announcement.
- Otherwise the caller hears the announcement (if one is set and readable); then, with "Connect with called
  destination number", the call goes to the number first dialled, else the Call Handler ends it.
- A call dialled to the Call Handler directly (no number before it) has nowhere to go back to: it hears the
  announcement and ends.

"Past the diversion": the number first dialled forwards to the Call Handler while its diversion is ON, so
the call is handed back with `route_to(..., past_forwarding=True)`: that line rings itself, its forwarding
is not followed again (CUCM does the same for a call forwarded from the line once: CFA loop breakout).

Every call is recorded when the Call Handler lets go of it (callhandler_log, the Reports tab): time it
arrived, caller, the number first dialled (receiver), that line's diversion group and what happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from phonesvc.diversions.settings import current
from phonesvc.live.bus import EventBus
from phonesvc.routing.clock import Clock, LoopClock, Timer
from phonesvc.routing.tasks import Instructions
from phonesvc.store import Store
from phonesvc.store import divreports as R
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony.protocol import RouteEnded, RouteRequest, Telephony, TelephonyError

log = logging.getLogger(__name__)


@dataclass
class _Call:
    event: RouteRequest
    at: float
    group_name: str
    status: str = R.HUNG_UP  # until the Call Handler decides otherwise, the caller is the one who leaves
    timer: Timer | None = None
    tail: asyncio.Task | None = field(default=None, repr=False)


class CallHandler:
    def __init__(self, store: Store, telephony: Telephony, bus: EventBus, clock: Clock | None = None, *,
                 announcement_seconds: Callable[[str], float] = lambda _wave: 0.0,
                 on_record: Callable[[R.CallHandlerCall], None] | None = None):
        self.store = store
        self.telephony = telephony
        self.clock = clock or LoopClock()
        self.announcement_seconds = announcement_seconds  # how long an announcement file plays
        self.on_record = on_record or self._write
        self.calls: dict[str, _Call] = {}
        self.instructions = Instructions(log, "Call Handler")
        self.errors = 0
        bus.subscribe(self.on_event)

    def owns(self, route_point: str) -> bool:
        number = current(self.store.snapshot()).number
        return bool(number) and route_point == number

    def on_event(self, event: object) -> None:
        if isinstance(event, RouteRequest) and self.owns(event.route_point):
            self._start(event)
        elif isinstance(event, RouteEnded) and event.call_id in self.calls:
            self._ended(event)

    # -- decisions ----------------------------------------------------------------------------------
    def _start(self, event: RouteRequest) -> None:
        snap = self.store.snapshot()
        handler = current(snap)
        call = self.calls[event.call_id] = _Call(event, self.clock.now(), _group_name(snap, event.original_called))
        if event.original_called and event.caller_number in handler.direct_access:
            self._connect(call, R.DIRECT)
            return
        seconds = self.announcement_seconds(handler.announcement) if handler.announcement else 0.0
        if seconds <= 0:
            self._after_announcement(call)
            return
        self.instructions.queue(call, self._instruct(call, "play the announcement",
                                         self.telephony.play(event.call_id, (handler.announcement,))))
        call.timer = self.clock.call_later(seconds, lambda: self._after_announcement(call))

    def _after_announcement(self, call: _Call) -> None:
        if self.calls.get(call.event.call_id) is not call:
            return  # the caller hung up while it played
        if call.event.original_called and current(self.store.snapshot()).connect:
            self._connect(call, R.CONNECTED)
        else:
            self._end(call, R.TERMINATED)

    def _connect(self, call: _Call, status: str) -> None:
        call_id, number = call.event.call_id, call.event.original_called

        async def run() -> None:
            call.status = status  # before: the PBX reports the hand-off (RouteEnded) while route_to runs
            try:
                await self.telephony.route_to(call_id, number, past_forwarding=True)
                log.info("call %s: Call Handler connects it with %s (%s)", call_id, number, status)
            except TelephonyError as exc:
                self.errors += 1
                log.warning("call %s: Call Handler cannot connect it with %s: %s", call_id, number, exc)
                call.status = R.NOT_CONNECTED
                await self._release(call_id)
        self.instructions.queue(call, run())

    def _end(self, call: _Call, status: str) -> None:
        call_id = call.event.call_id

        async def run() -> None:
            call.status = status
            await self._release(call_id)
        self.instructions.queue(call, run())

    async def _release(self, call_id: str) -> None:
        try:
            await self.telephony.end_call(call_id)
        except TelephonyError as exc:
            self.errors += 1
            log.warning("call %s: Call Handler cannot end it: %s", call_id, exc)

    def _ended(self, event: RouteEnded) -> None:
        call = self.calls.pop(event.call_id)
        if call.timer is not None:
            call.timer.cancel()
        record = R.CallHandlerCall(call.at, event.call_id, call.event.caller_number, call.event.original_called,
                                   call.group_name, call.status)
        try:
            self.on_record(record)
        except Exception:
            log.exception("Call Handler: cannot record call %s", event.call_id)

    def _write(self, record: R.CallHandlerCall) -> None:
        """Into the database off the event loop (not configuration: no snapshot reload)."""
        def write() -> None:
            with self.store.log_write() as conn:
                R.add_call(conn, record)
        self.instructions.spawn(asyncio.to_thread(write))

    # -- the task chain (one call's instructions run in order) -----------------------------------------
    async def _instruct(self, call: _Call, what: str, op) -> None:
        try:
            await op
        except TelephonyError as exc:
            self.errors += 1
            log.warning("call %s: Call Handler cannot %s: %s", call.event.call_id, what, exc)

    async def settle(self) -> None:
        """Wait until every queued instruction (and what it queued in turn) has run (tests, shutdown)."""
        await self.instructions.settle()


def _group_name(snap: Snapshot, number: str) -> str:
    """The diversion group of the line first dialled: the first by ID that is ON (it diverted the call), else
    the first that has the line."""
    groups = [snap.diversion_groups[g] for g in snap.diversions_by_line.get(number, ()) if g in snap.diversion_groups]
    group = next((g for g in groups if g.state == "ON"), groups[0] if groups else None)
    return group.name if group is not None else ""
