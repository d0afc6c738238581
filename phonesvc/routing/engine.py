"""The router: a state machine per call waiting at a group's manager number (a route point).

    greeting -> manager (+ first available assistant when ringing parallel) -> each available assistant
    in list order -> overflow (again from the start, a number, busy, a voicemail box, another group)

Decisions are synchronous and read the newest configuration snapshot, so an edit, a presence change
or a removed member takes effect at the next step. Each decision sets its timer at once and queues
the adapter instruction; the instructions of one call run in order (one chain of tasks per call), so
a slow or failing PBX never reorders them and never stops the engine: a failed step moves on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from phonesvc.domain.presence import Presence
from phonesvc.live.bus import ConfigurationChanged, EventBus, ForwardingChanged, GroupChanged, PresenceChanged
from phonesvc.routing import seats as S
from phonesvc.routing.clock import Clock, LoopClock, Timer
from phonesvc.routing.tracker import CallTracker
from phonesvc.store import Store
from phonesvc.telephony.protocol import CallEnded, RouteEnded, RouteRequest, Telephony, TelephonyError

log = logging.getLogger(__name__)

GREETING, MANAGER, ASSISTANTS, WAITING, DONE = "greeting", "manager", "assistants", "waiting", "done"
START = "start"
RETRY_SECONDS = 10.0  # nobody could take the call: try again this often (and on every presence change)
MAX_HOPS = 20  # decisions in a row that ring nobody (overflow chains between groups) before waiting


@dataclass
class RoutedCall:
    call_id: str
    route_point: str
    caller_number: str
    caller_name: str
    caller_line: bool
    group_id: int
    group: sa.Row  # the group's settings as last seen (they outlive a deletion)
    vip: bool = False
    stage: str = START
    pos: int = -1  # list index of the assistant that rang last
    step: int = 0  # counts decisions, so that a stale timer or answer is ignored
    ringing: set[str] = field(default_factory=set)
    rung: set[str] = field(default_factory=set)  # rung in this step or before without a break
    cycle_rang: bool = False  # something rang since the list was last started from the top
    timer: Timer | None = None
    tail: asyncio.Future | None = None  # the last queued adapter instruction
    playing: tuple[str, ...] = ()

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


@dataclass(frozen=True)
class RoutedView:
    """What displays and the gadget need to know about a routed call."""

    group_id: int
    vip: bool
    hidden: bool  # Show VIP calls = manager only: other members do not see it


class Router:
    def __init__(self, store: Store, telephony: Telephony, bus: EventBus, clock: Clock | None = None, *,
                 greeting_seconds: Callable[[str], float] = lambda _wave: 0.0,
                 on_tone: Callable[[list[int], str], None] = lambda _users, _tone: None,
                 on_record: Callable[[object], None] = lambda _record: None, views: dict | None = None):
        self.store = store
        self.telephony = telephony
        self.clock = clock or LoopClock()
        self.greeting_seconds = greeting_seconds  # how long a greeting file plays
        self.on_tone = on_tone  # (user ids whose phones should play it, tone file)
        self.calls: dict[str, RoutedCall] = {}
        self.views: dict[str, RoutedView] = {} if views is None else views  # call id -> view, while it rings
        self._tasks: set[asyncio.Task] = set()
        self.errors = 0  # adapter instructions that failed (diagnostics, benchmarks)
        self.tracker = CallTracker(self.clock.now, on_record, self._member_group, self._group_name,
                                   lambda n: S.group_of_number(self.store.snapshot(), n) is not None)
        bus.subscribe(self.on_event)

    # -- events -------------------------------------------------------------------------------------
    def on_event(self, event: object) -> None:
        self.tracker.on_event(event)
        if isinstance(event, RouteRequest):
            self._start(event)
        elif isinstance(event, RouteEnded):
            self._ended(event)
        elif isinstance(event, CallEnded):
            self._left(event)
        elif isinstance(event, (ConfigurationChanged, PresenceChanged, ForwardingChanged, GroupChanged)):
            self._revalidate()

    def _start(self, event: RouteRequest) -> None:
        snap = self.store.snapshot()
        group = S.group_of_number(snap, event.route_point)
        if group is None:
            log.warning("call %s to %s: no group has this manager number any more; the caller hears busy",
                        event.call_id, event.route_point)
            self.tracker.sent(event.call_id, "busy")
            self._spawn(self._reject(None, event.call_id))
            return
        call = RoutedCall(event.call_id, event.route_point, event.caller_number, event.caller_name,
                          event.caller_line, group.id, group)
        self.calls[call.call_id] = call
        self._enter_group(call, group, greeting=True)

    def _enter_group(self, call: RoutedCall, group: sa.Row, greeting: bool) -> None:
        snap = self.store.snapshot()
        call.group_id, call.group = group.id, group
        seats = S.seats_of(snap, group.id)
        manager = next((s for s in seats if s.manager), None)
        call.vip = S.is_vip(snap, group, manager, call.caller_number)
        self.tracker.routed(call.call_id, group.id, call.vip)
        call.stage, call.pos, call.cycle_rang = START, -1, False
        caller = next((s for s in seats if s.number == call.caller_number), None)
        if call.caller_line and caller is not None and not caller.manager and manager is not None \
                and group.assistant_to_mng:
            # Connect assistants directly with the manager: no announcement, no moving on.
            self._hand_off(call, manager.number, False, "assistant calls the manager directly", fallback="busy")
            return
        seconds = self.greeting_seconds(group.welcome) if greeting and group.welcome else 0.0
        if seconds > 0:
            call.stage = GREETING
            step = self._new_step(call)
            self._play(call, (group.welcome,), repeat=False)
            call.timer = self.clock.call_later(seconds, lambda: self._greeted(call, step))
            return
        self._begin(call)

    def _greeted(self, call: RoutedCall, step: int) -> None:
        if call.step == step and call.stage == GREETING:
            self._begin(call)

    def _begin(self, call: RoutedCall) -> None:
        """The greeting is over: waiting announcements while it rings, then the first step."""
        waves = self.store.snapshot().announcements.get(call.group_id, ())
        if waves or call.playing:
            self._play(call, waves, repeat=True)
        call.stage = START
        self._advance(call)

    def _ended(self, event: RouteEnded) -> None:
        call = self.calls.pop(event.call_id, None)
        if call is None:
            return
        call.stage = DONE
        call.cancel_timer()
        call.step += 1
        self.views.pop(call.call_id, None)

    def _left(self, event: CallEnded) -> None:
        """A line stopped ringing without answering (declined, out of service): move on if none rings."""
        if event.cause in ("withdrawn", "answered_elsewhere"):
            return
        call = self.calls.get(event.call_id)
        if call is None:
            return
        if event.line in call.ringing:
            call.ringing.discard(event.line)
            log.info("call %s: %s stopped ringing (%s)", call.call_id, event.line, event.cause)
            if not call.ringing and call.stage in (MANAGER, ASSISTANTS):
                # Not at once: if the caller hung up, the RouteEnded of the same change comes next.
                step = call.step

                async def move_on() -> None:
                    if call.step == step and not call.ringing and call.stage in (MANAGER, ASSISTANTS):
                        self._advance(call)
                self._queue(call, move_on())

    def _revalidate(self) -> None:
        """The configuration or a presence changed: drop lines that left the group, retry waiting calls."""
        snap = self.store.snapshot()
        for call in list(self.calls.values()):
            if call.stage == WAITING:
                self._advance(call)
                continue
            if call.stage not in (MANAGER, ASSISTANTS) or not call.ringing:
                continue
            numbers = {s.number for s in S.seats_of(snap, call.group_id)} if call.group_id in snap.groups else set()
            gone = call.ringing - numbers
            if gone:
                log.warning("call %s: %s left group %s while ringing", call.call_id, ", ".join(sorted(gone)),
                            call.group_id)
                if call.ringing - gone:
                    self._offer(call, [s for s in S.seats_of(snap, call.group_id) if s.number in call.ringing],
                                timeout=None)
                else:
                    self._advance(call)

    # -- decisions ----------------------------------------------------------------------------------
    def _new_step(self, call: RoutedCall) -> int:
        call.cancel_timer()
        call.step += 1
        return call.step

    def _advance(self, call: RoutedCall) -> None:
        """Take the next step of the call flow."""
        try:
            self._decide(call)
        except Exception:
            log.exception("call %s: routing failed; the caller hears busy", call.call_id)
            self._busy(call)

    def _decide(self, call: RoutedCall) -> None:
        for _ in range(MAX_HOPS):
            snap = self.store.snapshot()
            group = snap.groups.get(call.group_id)
            if group is None:
                log.warning("call %s: group %s was deleted while routing; its overflow applies",
                            call.call_id, call.group_id)
                if self._overflow(call, call.group, gone=True):
                    return
                continue
            call.group = group
            seats = S.seats_of(snap, group.id)
            manager = next((s for s in seats if s.manager), None)
            vip_mode = group.vip_calls_routing
            if call.stage in (START, WAITING, GREETING):
                if manager is not None and manager.number != call.caller_number:
                    app_fwd = manager.forwarding
                    if call.vip or (manager.presence == Presence.AVAILABLE and app_fwd is None):
                        ring = [manager]
                        if group.ring_parallel and not (call.vip and vip_mode == S.VIP_TO_MANAGER_ONLY):
                            first = self._next_assistant(call, seats, -1, regardless=False)
                            ring += [first[1]] if first else []
                        call.stage = MANAGER
                        self._ring(call, ring, group.manager_timeout)
                        return
                    if app_fwd is not None and app_fwd.kind != "group":
                        dest = S.forwarding_destination(snap, manager)
                        if dest is not None:
                            self._hand_off(call, dest[0], dest[1], f"manager's forwarding ({app_fwd.kind})",
                                           fallback="assistants")
                            return
                call.stage, call.pos = ASSISTANTS, -1
            elif call.stage == MANAGER:
                if call.vip and vip_mode == S.VIP_TO_MANAGER_ONLY:
                    if self._overflow(call, group):
                        return
                    continue
                call.stage, call.pos = ASSISTANTS, -1
            if call.stage == ASSISTANTS:
                regardless = call.vip and vip_mode == S.VIP_TO_ALL
                if not (call.vip and vip_mode == S.VIP_TO_MANAGER_ONLY and manager is not None):
                    found = self._next_assistant(call, seats, call.pos, regardless)
                    if found is not None:
                        call.pos = found[0]
                        self._ring(call, [found[1]], group.assistant_timeout)
                        return
            if self._overflow(call, group):
                return
        self._wait(call, "no member can take the call")

    def _next_assistant(self, call: RoutedCall, seats: list[S.Seat], after: int, regardless: bool):
        """(list index, seat) of the next member after `after` who can take the call: not the manager,
        not the caller, and Available or Forwarding (VIP to all: regardless of presence)."""
        live = self.telephony
        for i, seat in enumerate(seats):
            if i <= after or seat.manager or seat.number == call.caller_number:
                continue
            if regardless or seat.presence == Presence.AVAILABLE or seat.forwarding is not None:
                return i, seat
            line = live.line(seat.number)
            if line is not None and line.forwarding is not None:
                return i, seat
        return None

    def _overflow(self, call: RoutedCall, group: sa.Row, gone: bool = False) -> bool:
        """Run the group's overflow; False when the decision loop should go on (start over, other group)."""
        ov = group.overflow
        if ov.startswith("group:"):
            target = self.store.snapshot().groups.get(int(ov[6:]))
            if target is not None and target.id != group.id:
                log.info("call %s: overflow from group %s to group %s", call.call_id, group.id, target.id)
                self._enter_group(call, target, greeting=True)
                return True
            log.warning("call %s: overflow group %s does not exist; starting again", call.call_id, ov[6:])
            ov = "-1"
        if ov == "-1":
            if gone:
                self._busy(call)
                return True
            if not call.cycle_rang and call.stage != START:
                self._wait(call, "nobody in the group can take the call")
                return True
            call.stage, call.pos, call.cycle_rang = START, -1, False
            return False
        if ov == "-3":
            self._busy(call)
        elif ov.startswith("voicemail:"):
            self._hand_off(call, ov[10:], True, "overflow", fallback="busy")
        else:
            self._hand_off(call, ov, False, "overflow", fallback="busy")
        return True

    # -- actions ------------------------------------------------------------------------------------
    def _ring(self, call: RoutedCall, seats: list[S.Seat], timeout: int) -> None:
        step = self._new_step(call)
        if timeout > 0:  # 0: the call is not moved on
            call.timer = self.clock.call_later(timeout, lambda: self._timed_out(call, step))
        self._offer(call, seats, timeout)

    def _offer(self, call: RoutedCall, seats: list[S.Seat], timeout: int | None) -> None:
        snap = self.store.snapshot()
        group = call.group
        manager = next((s for s in S.seats_of(snap, group.id) if s.manager), None) \
            if group.id in snap.groups else None
        offers = {s.number: S.presented(group, manager, call.caller_name, call.caller_number,
                                        to_manager=s.manager, vip=call.vip) for s in seats}
        call.ringing = set(offers)
        hidden = call.vip and group.show_vip_call == S.SHOW_VIP_MANAGER_ONLY
        self.views[call.call_id] = RoutedView(group.id, call.vip, hidden)
        step = call.step
        fresh = [s for s in seats if s.number not in call.rung]
        call.rung = set(offers)

        # Logged before the PBX answers: a voicemail box behind a forwarded line takes the call at once.
        self.tracker.rang(call.call_id, [s.number for s in fresh])

        async def run() -> None:
            try:
                rang = await self.telephony.offer(call.call_id, offers)
            except TelephonyError as exc:
                self.errors += 1
                log.warning("call %s: cannot ring %s: %s", call.call_id, ", ".join(offers), exc)
                rang = []
            self.tracker.unrang(call.call_id, [s.number for s in fresh if s.number not in rang])
            if call.step != step or call.stage == DONE:
                return
            call.ringing = set(rang)
            call.cycle_rang = call.cycle_rang or bool(rang)
            now_ringing = [s for s in fresh if s.number in rang]
            if now_ringing and not hidden:
                self._tone(call, seats, now_ringing)
            if not rang:
                log.info("call %s: nobody of %s can ring; next step", call.call_id, ", ".join(offers))
                call.cancel_timer()
                self._advance(call)
        self._queue(call, run())

    def _tone(self, call: RoutedCall, ringing: list[S.Seat], fresh: list[S.Seat]) -> None:
        """Team member notification: the others' phones play the manager or assistant tone."""
        group = call.group
        tone = group.mng_call_alarm if any(s.manager for s in fresh) else group.assist_call_alarm
        if not tone:
            return
        rung = {s.user_id for s in ringing}
        others = [s.user_id for s in S.seats_of(self.store.snapshot(), group.id) if s.user_id not in rung]
        if others:
            try:
                self.on_tone(others, tone)
            except Exception:
                log.exception("call %s: cannot send the notification tone", call.call_id)

    def _timed_out(self, call: RoutedCall, step: int) -> None:
        if call.step == step and call.stage in (MANAGER, ASSISTANTS):
            self._advance(call)

    def _wait(self, call: RoutedCall, why: str) -> None:
        log.info("call %s: %s; waiting (again in %g s or when someone becomes available)", call.call_id, why,
                 RETRY_SECONDS)
        step = self._new_step(call)
        call.stage, call.pos, call.cycle_rang = WAITING, -1, False
        if call.ringing:
            call.ringing = set()
            self._queue(call, self._instruct(call, "stop ringing", self.telephony.offer(call.call_id, {})))
        call.timer = self.clock.call_later(RETRY_SECONDS, lambda: self._retry(call, step))

    def _retry(self, call: RoutedCall, step: int) -> None:
        if call.step == step and call.stage == WAITING:
            self._advance(call)

    def _hand_off(self, call: RoutedCall, destination: str, voicemail: bool, why: str, fallback: str) -> None:
        """Send the call away for good; if the PBX refuses, `fallback`: the assistants take it, or busy."""
        step = self._new_step(call)
        call.stage = DONE
        call.ringing = set()
        self.tracker.sent(call.call_id, f"voicemail:{destination}" if voicemail else destination)
        if not voicemail and self._is_member(destination):
            self.tracker.rang(call.call_id, [destination])

        async def run() -> None:
            try:
                await self.telephony.route_to(call.call_id, destination, voicemail)
                log.info("call %s: sent to %s (%s)", call.call_id, destination, why)
            except TelephonyError as exc:
                self.errors += 1
                if call.step != step or call.call_id not in self.calls:
                    return
                log.warning("call %s: cannot send it to %s (%s): %s", call.call_id, destination, why, exc)
                self.tracker.sent(call.call_id, "")
                if fallback == "busy":
                    self.tracker.sent(call.call_id, "busy")
                    await self._reject(call, call.call_id)
                else:
                    call.stage, call.pos = ASSISTANTS, -1
                    self._advance(call)
        self._queue(call, run())

    def _busy(self, call: RoutedCall) -> None:
        self._new_step(call)
        call.stage, call.ringing = DONE, set()
        self.tracker.sent(call.call_id, "busy")
        self._queue(call, self._reject(call, call.call_id))

    async def _reject(self, call: RoutedCall | None, call_id: str) -> None:
        if call is not None:
            call.stage = DONE
            call.cancel_timer()
        try:
            await self.telephony.reject(call_id)
        except TelephonyError as exc:
            self.errors += 1
            log.error("call %s: cannot give the caller busy either (%s); ending it", call_id, exc)
            try:
                end = getattr(self.telephony, "end_call", None)
                if end is not None:
                    await end(call_id)
            except TelephonyError:
                pass

    def _play(self, call: RoutedCall, waves: tuple[str, ...], repeat: bool) -> None:
        call.playing = tuple(waves)
        self._queue(call, self._instruct(call, "play announcements", self.telephony.play(call.call_id, waves, repeat)))

    async def _instruct(self, call: RoutedCall, what: str, op: Awaitable) -> None:
        try:
            await op
        except TelephonyError as exc:
            self.errors += 1
            log.warning("call %s: cannot %s: %s", call.call_id, what, exc)

    # -- the task chain -----------------------------------------------------------------------------
    def _queue(self, call: RoutedCall, coro) -> None:
        """Run `coro` after the call's previous instruction."""
        call.tail = self._spawn(self._after(call.tail, coro))

    @staticmethod
    async def _after(previous: asyncio.Future | None, coro) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        await coro

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("routing instruction failed", exc_info=task.exception())

    async def settle(self) -> None:
        """Wait until every queued instruction (and what it queued in turn) has run."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    # -- lookups ------------------------------------------------------------------------------------
    def _member_group(self, number: str) -> int | None:
        return S.member_numbers(self.store.snapshot()).get(number)

    def _is_member(self, number: str) -> bool:
        return number in S.member_numbers(self.store.snapshot())

    def _group_name(self, group_id: int) -> str:
        group = self.store.snapshot().groups.get(group_id)
        return group.name if group is not None else ""

    async def sync_route_points(self) -> None:
        """Tell the PBX which numbers are manager numbers (at start and after configuration changes)."""
        await self.telephony.set_route_points(S.route_points(self.store.snapshot()))
