"""The embedded PBX: lines and calls in memory, every adapter operation with its real effect.

Deterministic: call ids come from a counter ("c1", "c2", ...; `start_after` sets where it goes on, so that a
restarted server does not repeat the ids of logged calls) and times from the injected clock.
A call joins two parties; a party is a registered line (it has a leg that phonesvc sees) or an
outside number (external, or a voicemail box). A call with no line left is gone from the PBX.
Every operation validates before it changes anything, then publishes `LineChanged` for each line
whose snapshot changed (in the order they were touched), then the `CallEnded` events, then the route
events (`RouteRequest`, `RouteEnded`) in the order they happened. Calls to a route point wait there
until the application routes them: see sim_routepoints. The data model is in sim_model; transfers,
redirect and pickup in sim_transfers; the outside world (demos and tests) in sim_outside.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from phonesvc.domain.text import valid_number
from phonesvc.telephony.protocol import (
    CallEnded,
    CallLeg,
    CallState,
    Forwarding,
    Line,
    LineChanged,
    Presented,
    Telephony,
    TelephonyError,
)
from phonesvc.telephony.sim_model import (
    ACTIVE,
    HELD,
    INCOMING,
    OUTGOING,
    RINGING,
    _Call,
    _check_number,
    _End,
    _Line,
    _Target,
)
from phonesvc.telephony.sim_outside import OutsideWorld
from phonesvc.telephony.sim_routepoints import PlayRecord, RoutePoints, Waiting
from phonesvc.telephony.sim_transfers import Transfers

__all__ = ["PlayRecord", "Simulator", "Waiting"]


class Simulator(Transfers, OutsideWorld, RoutePoints, Telephony):
    ID_PREFIX = "c"  # call ids are ID_PREFIX and a number

    def __init__(self, now: Callable[[], float] = time.time, start_after: int = 0) -> None:
        super().__init__()
        self._now = now
        self._lines: dict[str, _Line] = {}
        self._calls: dict[str, _Call] = {}
        self._counter = start_after
        self._published: dict[str, Line] = {}
        self._touched: dict[str, None] = {}
        self._ended: list[CallEnded] = []
        self._init_route_points()

    # ---- lines -------------------------------------------------------------------------------
    def add_line(self, number: str, name: str = "") -> None:
        """Register an internal directory number (again: only its name is updated)."""
        number = _check_number(number)
        if number in self._lines:
            self._lines[number].name = name or self._lines[number].name
            return
        self._lines[number] = _Line(number, name)
        self._touched[number] = None
        self._flush()

    def add_lines(self, numbers: Iterable[str]) -> None:
        """Register many numbers; anything that is not a dialable number is skipped."""
        for number in sorted(numbers):
            if valid_number(number):
                self.add_line(number)

    def lines(self) -> list[Line]:
        return [self._snapshot(n) for n in self._lines]

    def line(self, number: str) -> Line | None:
        # The last published snapshot is current (every change is flushed); phones ask often.
        if number not in self._lines:
            return None
        return self._published.get(number) or self._snapshot(number)

    def is_line(self, number: str) -> bool:
        return number in self._lines

    def state(self) -> dict:
        """Every line with its calls, the route points with the calls waiting there, ready for JSON."""
        out = []
        for line in self.lines():
            fwd = line.forwarding
            out.append({
                "number": line.number, "in_service": line.in_service, "dnd": line.dnd,
                "forwarding": {"number": fwd.number, "voicemail": fwd.voicemail} if fwd else None,
                "calls": [{"call_id": c.call_id, "direction": str(c.direction), "state": str(c.state),
                           "remote_number": c.remote_number, "remote_name": c.remote_name, "external": c.external,
                           "started": c.started, "original_called": c.original_called} for c in line.calls],
            })
        return {"lines": out, **self._route_point_state()}

    # ---- the protocol ------------------------------------------------------------------------
    async def make_call(self, line: str, number: str) -> str:
        src = self._usable_line(line)
        number = _check_number(number)
        if number == line:
            raise TelephonyError(f"line {line} cannot call itself")
        target = self._route(number, {line})
        busy = self._busy(target)
        call_id = self._new_id()
        try:
            if busy:
                self._ended.append(CallEnded(call_id, line, "busy"))
                return call_id
            self._hold_active(src.number)
            self._place(call_id, _End(line, src.name, True, OUTGOING, RINGING, self._now()), target)
            return call_id
        finally:
            self._flush()

    async def answer(self, call_id: str, line: str) -> None:
        call, end = self._leg(call_id, line)
        if not (end.state == RINGING and end.direction == INCOMING):
            raise TelephonyError(f"call {call_id} is not ringing on line {line}")
        try:
            if call.wait:
                self._take(call, end)
                return
            self._touch(line)
            self._hold_active(line)
            for e in call.ends:
                e.state = ACTIVE
            self._touch_call(call)
        finally:
            self._flush()

    async def hang_up(self, call_id: str, line: str) -> None:
        call, end = self._leg(call_id, line)
        try:
            self._hang_up_end(call, end)
        finally:
            self._flush()

    async def hold(self, call_id: str, line: str) -> None:
        _, end = self._leg(call_id, line)
        if end.state != ACTIVE:
            raise TelephonyError(f"call {call_id} on line {line} is {end.state}, only an active call can be held")
        end.state = HELD
        self._touch(line)
        self._flush()

    async def retrieve(self, call_id: str, line: str) -> None:
        _, end = self._leg(call_id, line)
        if end.state != HELD:
            raise TelephonyError(f"call {call_id} is not on hold on line {line}")
        active = self._legs_in(line, ACTIVE)
        if active:
            raise TelephonyError(f"line {line} already has an active call ({active[0].id}); "
                                 "hold or hang it up first")
        end.state = ACTIVE
        self._touch(line)
        self._flush()

    async def set_forwarding(self, line: str, forwarding: Forwarding | None) -> None:
        ln = self._known_line(line)
        if forwarding is not None:
            number = _check_number(forwarding.number)
            if number == line and not forwarding.voicemail:
                raise TelephonyError(f"line {line} cannot be forwarded to itself")
            forwarding = Forwarding(number, forwarding.voicemail)
        ln.forwarding = forwarding
        self._touch(line)
        self._flush()

    async def set_dnd(self, line: str, on: bool) -> None:
        self._known_line(line).dnd = bool(on)
        self._touch(line)
        self._flush()

    async def set_in_service(self, line: str, in_service: bool) -> None:
        ln = self._known_line(line)
        try:
            ln.in_service = bool(in_service)
            self._touch(line)
            if not in_service:
                for call in self._calls_of(line):
                    if call.wait:
                        self._line_lost(call, line)
                    else:
                        self._drop(call, "cleared")
        finally:
            self._flush()

    # ---- internals ---------------------------------------------------------------------------
    def _new_id(self) -> str:
        self._counter += 1
        return f"{self.ID_PREFIX}{self._counter}"

    def _known_line(self, number: str) -> _Line:
        ln = self._lines.get(number)
        if ln is None:
            raise TelephonyError(f"{number or 'an empty number'} is not a line of this PBX")
        return ln

    def _usable_line(self, number: str) -> _Line:
        ln = self._known_line(number)
        if not ln.in_service:
            raise TelephonyError(f"line {number} is out of service")
        return ln

    def _call(self, call_id: str) -> _Call:
        call = self._calls.get(call_id)
        if call is None:
            raise TelephonyError(f"there is no call {call_id or '(no id)'}; it may have ended")
        return call

    def _leg(self, call_id: str, line: str) -> tuple[_Call, _End]:
        self._known_line(line)
        call = self._call(call_id)
        end = call.end_at(line)
        if end is None or not end.is_line:
            raise TelephonyError(f"call {call_id} is not on line {line}")
        return call, end

    def _calls_of(self, line: str) -> list[_Call]:
        return [self._calls[c] for c in self._lines[line].calls]

    def _legs_in(self, line: str, state: CallState) -> list[_Call]:
        return [c for c in self._calls_of(line) if c.end_at(line).state == state]


    def _route(self, number: str, visited: set[str], voicemail: bool = False, follow: bool = True) -> _Target:
        """Follow immediate forwarding from `number`; a chain stops at a line already visited or at a route
        point. With `voicemail`: the voicemail box `number`. Without `follow`, a line is where it rings."""
        if voicemail:
            return _Target(number, False, True)
        if not follow and number in self._lines:
            return _Target(number, True)
        seen, current, original = set(visited), number, ""
        while current not in self._route_points and current in self._lines \
                and (fwd := self._lines[current].forwarding) is not None:
            seen.add(current)
            if fwd.voicemail:
                return _Target(fwd.number, False, True, number)
            if fwd.number in seen:
                break
            current, original = fwd.number, number
        if current in self._route_points:
            return _Target(current, False, False, original, route_point=True)
        return _Target(current, current in self._lines, False, original)

    def _busy(self, target: _Target) -> bool:
        if not target.is_line:
            return False
        ln = self._lines[target.number]
        if not ln.in_service:
            raise TelephonyError(f"line {target.number} is out of service")
        return ln.dnd

    def _reachable(self, destination: str, visited: set[str], line: str, party: str | None,
                   refusal: str, voicemail: bool = False, follow: bool = True) -> _Target:
        """Where `destination` rings, or TelephonyError (`refusal` starts the message) when it cannot."""
        destination = _check_number(destination)
        if destination == line:
            raise TelephonyError(f"{refusal} {destination}: that is line {line} itself")
        if destination == party:
            raise TelephonyError(f"{refusal} {destination}: that is the other party of the call")
        target = self._route(destination, visited, voicemail, follow)
        if self._busy(target):
            raise TelephonyError(f"line {target.number} does not take calls (do not disturb)")
        return target

    def _place(self, call_id: str, caller: _End, target: _Target) -> None:
        call = _Call(call_id, [caller], target.original_called)
        self._calls[call_id] = call
        if caller.is_line:
            self._lines[caller.number].calls.append(call_id)
            self._touch(caller.number)
        if target.voicemail:
            caller.state = ACTIVE
        self._join(call, caller, target)

    def _called(self, target: _Target, presented: Presented | None = None) -> _End:
        """A new called party at `target`: ringing, or answered by a voicemail box."""
        name = self._lines[target.number].name if target.is_line else ("Voicemail" if target.voicemail else "")
        return _End(target.number, name, target.is_line, INCOMING, ACTIVE if target.voicemail else RINGING,
                    self._now(), presented, target.route_point)

    def _join(self, call: _Call, remaining: _End, target: _Target) -> None:
        """Connect `remaining` with a new party at `target` (ringing, answered by a voicemail box, or a route
        point the call now waits at)."""
        new = self._called(target)
        if target.route_point:
            self._waits(call, remaining, new)
            return
        call.ends = [remaining, new]
        if new.is_line:
            self._lines[new.number].calls.append(call.id)
        self._touch_call(call)
        self._forget_if_outside(call)

    def _forget_if_outside(self, call: _Call) -> None:
        """A call between two outside parties is no business of this PBX."""
        if call.wait is None and not any(e.is_line for e in call.ends):
            self._calls.pop(call.id, None)

    def _hold_active(self, line: str) -> None:
        for call in self._legs_in(line, ACTIVE):
            call.end_at(line).state = HELD
            self._touch(line)

    def _hang_up_end(self, call: _Call, end: _End) -> None:
        if call.wait:
            self._hang_up_waiting(call, end)
            return
        rejected = end.state == RINGING and end.direction == INCOMING
        self._drop(call, "rejected" if rejected else "cleared")

    def _detach(self, call: _Call, end: _End, cause: str, replaced_by: str = "", to: str = "") -> None:
        if end.is_line:
            self._lines[end.number].calls.remove(call.id)
            self._touch(end.number)
            self._ended.append(CallEnded(call.id, end.number, cause, replaced_by, to))

    def _drop(self, call: _Call, cause: str) -> None:
        if call.wait:
            self._let_go(call, cause, cause, "cleared")
            return
        for end in call.ends:
            self._detach(call, end, cause)
        self._calls.pop(call.id, None)

    def _touch(self, number: str) -> None:
        self._touched[number] = None

    def _touch_call(self, call: _Call) -> None:
        for e in call.ends:
            if e.is_line:
                self._touch(e.number)

    def _snapshot(self, number: str) -> Line:
        ln = self._lines[number]
        legs = []
        for call_id in ln.calls:
            call = self._calls[call_id]
            end = call.end_at(number)
            other = call.other(end)
            if end.presented is not None:  # an offer of a waiting call
                legs.append(CallLeg(call_id, number, end.direction, end.state, end.presented.number,
                                    end.presented.name, not other.is_line, end.started, call.wait.route_point))
                continue
            legs.append(CallLeg(call_id, number, end.direction, end.state, other.number, other.name,
                                not (other.is_line or other.route_point), end.started, call.original_called))
        return Line(number, ln.in_service, ln.dnd, ln.forwarding, tuple(legs))

    def _flush(self) -> None:
        touched, ended, routed = list(self._touched), self._ended, self._routed
        self._touched, self._ended, self._routed = {}, [], []
        events: list = []
        for number in touched:
            snap = self._snapshot(number)
            if self._published.get(number) != snap:
                self._published[number] = snap
                events.append(LineChanged(snap))
        for event in events + ended + routed:
            self.publish(event)

