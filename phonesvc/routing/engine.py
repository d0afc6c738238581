"""The router: carries out the call flow (flow.py) of every call waiting at a group's manager number
(a route point), on adapter events and a clock.

Decisions are synchronous and read the newest configuration snapshot, so an edit, a presence change
or a removed member takes effect at the next step. Each decision sets its timer at once and queues
the adapter instruction; the instructions of one call run in order (one chain of tasks per call), so
a slow or failing PBX never reorders them and never stops the engine: a failed step moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import sqlalchemy as sa

from phonesvc.live.bus import ConfigurationChanged, EventBus, ForwardingChanged, GroupChanged, PresenceChanged
from phonesvc.routing import flow as F
from phonesvc.routing import seats as S
from phonesvc.routing.clock import Clock, LoopClock
from phonesvc.routing.flow import ASSISTANTS, DONE, GREETING, MANAGER, START, WAITING, RoutedCall
from phonesvc.routing.tasks import Instructions
from phonesvc.routing.tracker import CallTracker
from phonesvc.store import Store
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony.protocol import CallEnded, RouteEnded, RouteRequest, Telephony, TelephonyError

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0  # nobody could take the call: try again this often (and on every presence change)


class Router:
    def __init__(self, store: Store, telephony: Telephony, bus: EventBus, clock: Clock | None = None, *,
                 greeting_seconds: Callable[[str], float] = lambda _wave: 0.0,
                 on_tone: Callable[[list[int], str], None] = lambda _users, _tone: None,
                 on_record: Callable[[object], None] = lambda _record: None, calls: dict | None = None,
                 other_points: Callable[[Snapshot], frozenset[str]] = lambda _snap: frozenset()):
        self.store = store
        self.telephony = telephony
        self.clock = clock or LoopClock()
        self.greeting_seconds = greeting_seconds  # how long a greeting file plays
        # Route points another application answers (the PhoneDiversions Call Handler): the router hands them to
        # the PBX with the manager numbers (set_route_points takes them all) and leaves their calls alone.
        self.other_points = other_points
        self.on_tone = on_tone  # (user ids whose phones should play it, tone file)
        # The calls waiting at route points (shared with LiveState.routed, for displays).
        self.calls: dict[str, RoutedCall] = {} if calls is None else calls
        self.instructions = Instructions(log, "routing")
        self._checked = None  # the snapshot the ringing calls were last checked against
        self._points: frozenset[str] | None = None  # the route points the PBX was given
        self.errors = 0  # adapter instructions that failed (diagnostics, benchmarks)
        self.tracker = CallTracker(self.clock.now, on_record, self._member_group, self._group_name,
                                   lambda n: S.group_of_number(self.store.snapshot(), n) is not None)
        bus.subscribe(self.on_event)

    # -- events -------------------------------------------------------------------------------------
    def on_event(self, event: object) -> None:
        if isinstance(event, RouteRequest) and event.route_point in self.other_points(self.store.snapshot()):
            return  # not a group's call: neither routed nor in the call log
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
            self.instructions.spawn(self._reject(event.call_id))
            return
        call = RoutedCall(event.call_id, event.route_point, event.caller_number, event.caller_name,
                          event.caller_line, group.id, group)
        self.calls[call.call_id] = call
        self._enter_group(call, group, greeting=True)

    def _enter_group(self, call: RoutedCall, group: sa.Row, greeting: bool) -> None:
        snap = self.store.snapshot()
        call.group_id, call.group = group.id, group
        seats = S.seats_of(snap, group.id)
        manager = S.manager_seat(snap, group.id)
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
            self._stop_ringing(call)  # overflow from another group: its phones stop while this greets
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

    def _left(self, event: CallEnded) -> None:
        """A line stopped ringing without answering (declined, out of service): move on if none rings."""
        if event.cause in ("withdrawn", "answered_elsewhere"):
            return
        call = self.calls.get(event.call_id)
        if call is None:
            return
        lines = {line for line in call.ringing if call.rings_at.get(line, line) == event.line}
        if lines:  # the offered line, or the line it forwards to, stopped ringing
            call.ringing -= lines
            log.info("call %s: %s stopped ringing (%s)", call.call_id, event.line, event.cause)
            if not call.ringing and call.stage in (MANAGER, ASSISTANTS):
                # Not at once: if the caller hung up, the RouteEnded of the same change comes next.
                step = call.step

                async def move_on() -> None:
                    if call.step == step and not call.ringing and call.stage in (MANAGER, ASSISTANTS):
                        self._advance(call)
                self.instructions.queue(call, move_on())

    def _revalidate(self) -> None:
        """The configuration or a presence changed: drop lines that left the group, retry waiting calls."""
        snap = self.store.snapshot()
        check = snap is not self._checked  # membership only changes with the snapshot
        changes = snap.changes_since(self._checked) if check else {}
        self._checked = snap
        points_may_move = changes is None or "groups" in changes or "app_settings" in changes \
            or self._points is None  # None: to try again
        if points_may_move and self._route_points(snap) != self._points and _serving():
            self.instructions.spawn(self.sync_route_points())
        for call in list(self.calls.values()):
            if call.stage == WAITING:
                self._advance(call)
                continue
            if not check or call.stage not in (MANAGER, ASSISTANTS) or not call.ringing:
                continue
            gone = call.ringing - S.group_numbers(snap, call.group_id)
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
            step = F.next_step(call, self.store.snapshot(), self.telephony.line)
        except Exception:
            log.exception("call %s: routing failed; the caller hears busy", call.call_id)
            step = F.Busy("routing failed")
        match step:
            case F.Ring(seats, timeout):
                self._ring(call, seats, timeout)
            case F.HandOff(destination, voicemail, why, fallback):
                self._hand_off(call, destination, voicemail, why, fallback)
            case F.EnterGroup(group):
                call.hops += 1  # overflow chains between groups where nobody rings must end
                if call.hops > F.MAX_HOPS:
                    self._wait(call, "overflows between groups ring nobody")
                else:
                    self._enter_group(call, group, greeting=True)
            case F.Wait(why):
                self._wait(call, why)
            case F.Busy(why):
                log.info("call %s: busy (%s)", call.call_id, why)
                self._busy(call)

    # -- actions ------------------------------------------------------------------------------------
    def _ring(self, call: RoutedCall, seats: list[S.Seat], timeout: int) -> None:
        step = self._new_step(call)
        if timeout > 0:  # 0: the call is not moved on
            call.timer = self.clock.call_later(timeout, lambda: self._timed_out(call, step))
        self._offer(call, seats, timeout)

    def _offer(self, call: RoutedCall, seats: list[S.Seat], timeout: int | None) -> None:
        snap = self.store.snapshot()
        group = call.group
        manager = S.manager_seat(snap, group.id)
        offers = {s.number: S.presented(group, manager, call.caller_name, call.caller_number,
                                        to_manager=s.manager, vip=call.vip) for s in seats}
        call.ringing, call.rings_at = set(offers), {line: line for line in offers}
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
                rang = {}
            self.tracker.unrang(call.call_id, [s.number for s in fresh if s.number not in rang])
            if call.step != step or call.stage == DONE:
                return
            call.ringing, call.rings_at = set(rang), dict(rang)
            call.cycle_rang = call.cycle_rang or bool(rang)
            call.hops = 0 if rang else call.hops
            now_ringing = [s for s in fresh if s.number in rang]
            if now_ringing and not call.hidden:
                self._tone(call, seats, now_ringing)
            if not rang:
                log.info("call %s: nobody of %s can ring; next step", call.call_id, ", ".join(offers))
                call.cancel_timer()
                self._advance(call)
        self.instructions.queue(call, run())

    def _tone(self, call: RoutedCall, ringing: list[S.Seat], fresh: list[S.Seat]) -> None:
        """Team member notification: the others' phones play the manager or assistant tone."""
        group, snap = call.group, self.store.snapshot()
        if S.manager_seat(snap, group.id) is None:  # one "call notification tone", whichever field holds it
            tone = group.assist_call_alarm or group.mng_call_alarm
        else:
            tone = group.mng_call_alarm if any(s.manager for s in fresh) else group.assist_call_alarm
        if not tone:
            return
        rung = {s.user_id for s in ringing}
        others = [s.user_id for s in S.seats_of(snap, group.id) if s.user_id not in rung]
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
        call.stage, call.pos, call.cycle_rang, call.hops = WAITING, -1, False, 0
        self._stop_ringing(call)
        call.timer = self.clock.call_later(RETRY_SECONDS, lambda: self._retry(call, step))

    def _stop_ringing(self, call: RoutedCall) -> None:
        if call.ringing:
            call.ringing = set()
            self.instructions.queue(call, self._instruct(call, "stop ringing", self.telephony.offer(call.call_id, {})))

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
                if fallback == "busy":
                    self._busy(call)
                else:
                    self.tracker.sent(call.call_id, "")
                    call.stage, call.pos = ASSISTANTS, -1
                    self._advance(call)
        self.instructions.queue(call, run())

    def _busy(self, call: RoutedCall) -> None:
        self._new_step(call)
        call.stage, call.ringing = DONE, set()
        self.tracker.sent(call.call_id, "busy")
        self.instructions.queue(call, self._reject(call.call_id))

    async def _reject(self, call_id: str) -> None:
        try:
            await self.telephony.reject(call_id)
        except TelephonyError as exc:
            self.errors += 1
            log.error("call %s: cannot give the caller busy either (%s); ending it", call_id, exc)
            with contextlib.suppress(TelephonyError):
                await self.telephony.end_call(call_id)

    def _play(self, call: RoutedCall, waves: tuple[str, ...], repeat: bool) -> None:
        call.playing = tuple(waves)
        playing = self.telephony.play(call.call_id, waves, repeat)
        self.instructions.queue(call, self._instruct(call, "play announcements", playing))

    async def _instruct(self, call: RoutedCall, what: str, op: Awaitable) -> None:
        try:
            await op
        except TelephonyError as exc:
            self.errors += 1
            log.warning("call %s: cannot %s: %s", call.call_id, what, exc)

    # -- the task chain -----------------------------------------------------------------------------
    async def settle(self) -> None:
        """Wait until every queued instruction (and what it queued in turn) has run (tests, shutdown)."""
        await self.instructions.settle()

    # -- lookups ------------------------------------------------------------------------------------
    def _member_group(self, number: str) -> int | None:
        return S.member_group(self.store.snapshot(), number)

    def _is_member(self, number: str) -> bool:
        return S.member_group(self.store.snapshot(), number) is not None

    def _group_name(self, group_id: int) -> str:
        group = self.store.snapshot().groups.get(group_id)
        return group.name if group is not None else ""

    def _route_points(self, snap: Snapshot) -> frozenset[str]:
        return S.route_points(snap) | self.other_points(snap)

    async def sync_route_points(self) -> None:
        """Tell the PBX which numbers are route points: the manager numbers and the other applications' (at
        start, and when one changes)."""
        points = self._route_points(self.store.snapshot())
        if points == self._points:
            return
        self._points = points
        try:
            await self.telephony.set_route_points(points)
        except TelephonyError as exc:
            self._points = None  # try again at the next change
            self.errors += 1
            log.error("cannot make the manager numbers route points: %s", exc)


def _serving() -> bool:
    """An event loop runs (before the server starts, its start-up does what the loop would)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
