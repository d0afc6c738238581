"""Route points of the embedded PBX: calls that wait at a group's manager number while the application
offers them to lines, plays to the caller, hands them off or rejects them (Telephony.offer, route_to,
reject, play).

A waiting call is an ordinary `_Call` of the simulator whose second party is the route point itself and
whose `wait` holds the offers: one ringing party per number the call rings at (a line, or an outside
number a line forwards to), each showing its `Presented` caller. When an offer is answered the call
becomes an ordinary two-party call with the same id. `RoutePoints` is mixed into `Simulator` and works on
its internals (`_lines`, `_calls`, `_route`, `_join`, `_detach`, `_touch`, `_flush`, ...); the route
events it queues are published by `_flush` after the line events.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from phonesvc.domain.text import valid_number
from phonesvc.telephony.protocol import CallState, Direction, Presented, RouteEnded, RouteRequest, TelephonyError

if TYPE_CHECKING:
    from phonesvc.telephony.sim_model import _Call, _End

PLAYED_KEPT = 1000

@dataclass(frozen=True)
class PlayRecord:
    """One `play` instruction, as given: an empty `files` stopped playing."""

    call_id: str
    files: tuple[str, ...]
    repeat: bool
    at: float


@dataclass
class _Wait:
    route_point: str
    offers: dict[str, _End] = field(default_factory=dict)  # number it rings at -> that party, in order
    keys: dict[str, str] = field(default_factory=dict)  # line offered -> the number it rings at for it
    playing: PlayRecord | None = None


@dataclass(frozen=True)
class Waiting:
    """A call waiting at a route point, as the tests and the state view see it."""

    call_id: str
    route_point: str
    caller_number: str
    caller_name: str
    caller_line: bool
    offers: dict[str, Presented]  # line offered -> what it shows, in the order offered
    at: dict[str, str]  # line offered -> where it rings (itself, or where it forwards to)
    playing: PlayRecord | None


class RoutePoints:
    """The route-point half of `Simulator` (see the module docstring)."""

    def _init_route_points(self) -> None:
        self._route_points: set[str] = set()
        self._routed: list[RouteRequest | RouteEnded] = []  # published by _flush after CallEnded
        # The play instructions, in order; the newest PLAYED_KEPT (a demo server runs for months).
        self.played: deque[PlayRecord] = deque(maxlen=PLAYED_KEPT)

    # ---- configuration and views ---------------------------------------------------------------
    def use_route_points(self, numbers: Iterable[str]) -> None:
        """Calls to these numbers (and only these) wait at a route point; anything not a number is skipped.
        Calls already waiting at a number no longer in the set keep waiting."""
        self._route_points = {n for n in numbers if isinstance(n, str) and valid_number(n)}

    async def set_route_points(self, numbers: Iterable[str]) -> None:
        self.use_route_points(numbers)

    def is_route_point(self, number: str) -> bool:
        return number in self._route_points

    def route_points(self) -> list[str]:
        return sorted(self._route_points)

    def waiting(self, call_id: str) -> Waiting | None:
        """The call if it waits at a route point, else None."""
        call = self._calls.get(call_id)
        if call is None or call.wait is None:
            return None
        wait, caller = call.wait, call.ends[0]
        return Waiting(call.id, wait.route_point, caller.number, self._caller_name(caller), caller.is_line,
                       {k: wait.offers[at].presented for k, at in wait.keys.items()}, dict(wait.keys), wait.playing)

    def _route_point_state(self) -> dict:
        waiting = []
        for call_id in list(self._calls):
            if (w := self.waiting(call_id)) is None:
                continue
            waiting.append({
                "call_id": w.call_id, "route_point": w.route_point, "caller_number": w.caller_number,
                "caller_name": w.caller_name, "caller_line": w.caller_line,
                "offers": {k: {"name": p.name, "number": p.number, "at": w.at[k]} for k, p in w.offers.items()},
                "playing": {"files": list(w.playing.files), "repeat": w.playing.repeat} if w.playing else None,
            })
        played = [{**asdict(p), "files": list(p.files)} for p in self.played]
        return {"route_points": self.route_points(), "waiting": waiting, "played": played}

    # ---- the protocol ----------------------------------------------------------------------------
    async def offer(self, call_id: str, offers: Mapping[str, Presented]) -> dict[str, str]:
        call = self._waiting_call(call_id)
        wait, caller = call.wait, call.ends[0]
        plan: dict[str, tuple] = {}  # line offered -> (target, presented)
        voicemail = None
        for line, presented in offers.items():
            if not isinstance(presented, Presented):
                raise TypeError(f"the offer to {line!r} must be a Presented, not {type(presented).__name__}")
            if line not in self._lines or line == caller.number:
                continue
            target = self._route(line, {caller.number})
            if target.route_point or target.number == caller.number:
                continue
            if target.is_line and (not self._lines[target.number].in_service or self._lines[target.number].dnd):
                continue
            if target.voicemail:
                voicemail = (line, target)
                break
            plan[line] = (target, presented)
        try:
            if voicemail is not None:  # the box answers at once: the call is taken, nothing else rings
                line, target = voicemail
                self._take(call, self._called(target))
                return {line: target.number}
            rings = {}  # number it rings at -> (target, presented): the first line that reaches it decides
            for target, presented in plan.values():
                rings.setdefault(target.number, (target, presented))
            for number in list(wait.offers):
                if number not in rings:
                    self._withdraw(call, number, "withdrawn")
            for number, (target, presented) in rings.items():
                end = wait.offers.get(number)
                if end is None:
                    wait.offers[number] = self._called(target, presented)
                    if target.is_line:
                        self._lines[number].calls.append(call.id)
                        self._touch(number)
                elif end.presented != presented:
                    end.presented = presented
                    self._touch_if_line(end)
            wait.keys = {line: target.number for line, (target, _) in plan.items()}
            return dict(wait.keys)
        finally:
            self._flush()

    async def route_to(self, call_id: str, destination: str, voicemail: bool = False,
                       past_forwarding: bool = False) -> None:
        call = self._waiting_call(call_id)
        try:
            self._hand_off(call, destination, voicemail, past_forwarding=past_forwarding)
        finally:
            self._flush()

    async def reject(self, call_id: str) -> None:
        call = self._waiting_call(call_id)
        try:
            self._let_go(call, "withdrawn", "busy", "busy")
        finally:
            self._flush()

    async def play(self, call_id: str, files: Sequence[str], repeat: bool = False) -> None:
        call = self._waiting_call(call_id)
        if isinstance(files, str) or not all(isinstance(f, str) for f in files):
            raise TypeError("files must be a sequence of file names")
        record = PlayRecord(call.id, tuple(files), bool(repeat), self._now())
        self.played.append(record)
        call.wait.playing = record if record.files else None

    # ---- what the ordinary operations do to a waiting call (called from Simulator) ------------------
    def _waits(self, call: _Call, caller: _End, route_point: _End) -> None:
        """`caller` now waits at `route_point` (the call's other party)."""
        caller.direction, caller.state = Direction.OUTGOING, CallState.RINGING
        call.ends = [caller, route_point]
        call.wait = _Wait(route_point.number)
        self._touch_if_line(caller)
        self._routed.append(RouteRequest(call.id, route_point.number, caller.number, self._caller_name(caller),
                                         caller.is_line, call.original_called))

    def _take(self, call: _Call, end: _End, picked_from: str = "") -> None:
        """`end` (an offer, or a line picking up) answers the waiting call: it becomes an ordinary call
        with its caller. The offer at `picked_from` ends as picked up, every other one as answered elsewhere."""
        wait, caller = call.wait, call.ends[0]
        if end.is_line:
            self._touch(end.number)
            self._hold_active(end.number)
            if call.id not in self._lines[end.number].calls:
                self._lines[end.number].calls.append(call.id)
        for number, other in list(wait.offers.items()):
            if other is not end:
                self._withdraw(call, number, "picked_up" if number == picked_from else "answered_elsewhere")
        end.state = caller.state = CallState.ACTIVE
        end.presented = None
        call.ends, call.wait = [caller, end], None
        call.original_called = call.original_called or wait.route_point
        self._touch_call(call)
        self._routed.append(RouteEnded(call.id, wait.route_point, "answered", end.number))
        self._forget_if_outside(call)

    def _hang_up_waiting(self, call: _Call, end: _End) -> None:
        """The caller hangs up (the call ends), or an offered party declines (only its offer ends)."""
        if end is call.ends[0]:
            self._let_go(call, "cleared", "cleared", "cleared")
        else:
            self._withdraw(call, end.number, "rejected")

    def _line_lost(self, call: _Call, line: str) -> None:
        """The line went out of service: its offer is withdrawn, or (the caller's line) the call ends."""
        if call.ends[0].number == line:
            self._let_go(call, "cleared", "cleared", "cleared")
        else:
            self._withdraw(call, line, "cleared")

    def _redirect_waiting(self, call: _Call, line: str, destination: str) -> None:
        """An offered line deflects the call: the route point hands it to `destination`."""
        self._hand_off(call, destination, False, redirected_by=line)

    def _let_go(self, call: _Call, offers_cause: str, caller_cause: str, route_cause: str) -> None:
        """The call ends at the route point: every offer and the caller's leg end."""
        wait = call.wait
        for number in list(wait.offers):
            self._withdraw(call, number, offers_cause)
        self._detach(call, call.ends[0], caller_cause)
        call.wait = None
        self._calls.pop(call.id, None)
        self._routed.append(RouteEnded(call.id, wait.route_point, route_cause))

    # ---- internals ---------------------------------------------------------------------------------
    def _waiting_call(self, call_id: str) -> _Call:
        call = self._call(call_id)
        if call.wait is None:
            raise TelephonyError(f"call {call_id} does not wait at a route point")
        return call

    def _caller_name(self, caller: _End) -> str:
        return self._lines[caller.number].name if caller.is_line else caller.name

    def _touch_if_line(self, end: _End) -> None:
        if end.is_line:
            self._touch(end.number)

    def _withdraw(self, call: _Call, number: str, cause: str) -> None:
        """The call stops ringing at `number` (CallEnded when that is a line)."""
        wait = call.wait
        end = wait.offers.pop(number)
        wait.keys = {k: at for k, at in wait.keys.items() if at != number}
        self._detach(call, end, cause)

    def _hand_off(self, call: _Call, destination: str, voicemail: bool, redirected_by: str = "",
                  past_forwarding: bool = False) -> None:
        wait, caller = call.wait, call.ends[0]
        target = self._reachable(destination, {caller.number}, redirected_by, caller.number,
                                 f"cannot route call {call.id} to", voicemail, follow=not past_forwarding)
        destination = destination.strip()
        if target.route_point and target.number == wait.route_point:
            raise TelephonyError(f"cannot route call {call.id} to {destination}: it already waits at route point "
                                 f"{wait.route_point}")
        for number in list(wait.offers):
            self._withdraw(call, number, "redirected" if number == redirected_by else "withdrawn")
        call.wait = None
        call.original_called = call.original_called or wait.route_point
        self._routed.append(RouteEnded(call.id, wait.route_point, "handed_off", destination))
        caller.state = CallState.ACTIVE if target.voicemail else CallState.RINGING
        self._join(call, caller, target)

