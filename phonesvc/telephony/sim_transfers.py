"""Calls that move between parties in the embedded PBX: blind and consultation transfer, redirect and pickup.

`Transfers` is mixed into `Simulator` and works on its internals (`_lines`, `_calls`, `_leg`, `_reachable`,
`_detach`, `_join`, `_flush`, ...), like `RoutePoints` of sim_routepoints.
"""

from __future__ import annotations

from phonesvc.telephony.protocol import TelephonyError
from phonesvc.telephony.sim_model import ACTIVE, HELD, INCOMING, OUTGOING, RINGING, _Call, _End, _Target


class Transfers:
    """The transfer half of `Simulator` (see the module docstring)."""

    async def blind_transfer(self, call_id: str, line: str, destination: str) -> None:
        call, end = self._leg(call_id, line)
        if end.state not in (ACTIVE, HELD):
            raise TelephonyError(f"call {call_id} is {end.state} on line {line}; only an active or held call "
                                 "can be transferred")
        other = call.other(end)
        target = self._reachable(destination, {line, other.number}, line, other.number,
                                 f"cannot transfer call {call_id} to")
        try:
            self._detach(call, end, "transferred", to=target.number)
            other.direction = OUTGOING
            other.state = ACTIVE if target.voicemail else RINGING
            call.original_called = target.original_called
            self._join(call, other, target)
        finally:
            self._flush()

    async def consult_start(self, call_id: str, line: str, destination: str) -> str:
        call, end = self._leg(call_id, line)
        if end.state not in (ACTIVE, HELD):
            raise TelephonyError(f"call {call_id} is {end.state} on line {line}; only an active call can be "
                                 "transferred")
        src = self._usable_line(line)
        target = self._reachable(destination, {line}, line, None, f"line {line} cannot consult")
        call_id2 = self._new_id()
        try:
            if end.state == ACTIVE:
                end.state = HELD
                self._touch(line)
            self._hold_active(line)
            self._place(call_id2, _End(line, src.name, True, OUTGOING, RINGING, self._now()), target)
            return call_id2
        finally:
            self._flush()

    async def consult_complete(self, line: str) -> None:
        held, consult = self._consultation(line)
        if consult is None:
            raise TelephonyError(f"line {line} has no active call to complete the transfer with")
        h_end, k_end = held.end_at(line), consult.end_at(line)
        x, y = held.other(h_end), consult.other(k_end)
        if x.number == y.number:
            raise TelephonyError(f"both calls on line {line} are with {x.number}; nothing to connect")
        try:
            self._detach(held, h_end, "transferred", to=y.number)
            if consult.wait:  # x takes the line's place at the route point (a new waiting call)
                self._let_go(consult, "withdrawn", "transferred", "cleared")
                held.original_called = consult.original_called
                self._join(held, x, _Target(y.number, False, route_point=True))
                return
            self._detach(consult, k_end, "transferred", replaced_by=held.id)
            del self._calls[consult.id]
            if y.state == RINGING:  # completing to a ringing call: the held party now waits for y
                x.direction, x.state = OUTGOING, RINGING
            held.original_called = consult.original_called
            held.ends = [x, y]
            if y.is_line:
                calls = self._lines[y.number].calls
                calls[calls.index(consult.id)] = held.id
            self._touch_call(held)
            self._forget_if_outside(held)
        finally:
            self._flush()

    async def consult_cancel(self, line: str) -> None:
        held, consult = self._consultation(line)
        try:
            if consult is not None:
                self._hang_up_end(consult, consult.end_at(line))
            held.end_at(line).state = ACTIVE
            self._touch(line)
        finally:
            self._flush()

    async def redirect(self, call_id: str, line: str, destination: str) -> None:
        call, end = self._leg(call_id, line)
        if not (end.state == RINGING and end.direction == INCOMING):
            raise TelephonyError(f"call {call_id} is not ringing on line {line}; only a ringing call can be "
                                 "redirected")
        if call.wait:
            try:
                return self._redirect_waiting(call, line, destination)
            finally:
                self._flush()
        other = call.other(end)
        target = self._reachable(destination, {line, other.number}, line, other.number,
                                 f"cannot redirect call {call_id} to")
        try:
            call.original_called = call.original_called or line
            self._detach(call, end, "redirected", to=target.number)
            if target.voicemail:
                other.state = ACTIVE
            self._join(call, other, target)
        finally:
            self._flush()

    async def pickup(self, line: str, ringing_line: str, call_id: str | None = None) -> str:
        dst = self._usable_line(line)
        self._known_line(ringing_line)
        if line == ringing_line:
            raise TelephonyError(f"line {line} cannot pick up its own calls; answer them")
        ringing = [c for c in self._calls_of(ringing_line)
                   if (e := c.end_at(ringing_line)).state == RINGING and e.direction == INCOMING
                   and (call_id is None or c.id == call_id)]
        if not ringing:
            raise TelephonyError(f"call {call_id} is not ringing on line {ringing_line}" if call_id
                                 else f"nothing rings on line {ringing_line}")
        call = ringing[0]
        end = call.end_at(ringing_line)
        other = call.other(end)
        if other.number == line:
            raise TelephonyError(f"line {line} cannot pick up the call it is making itself")
        try:
            if call.wait:
                picker = call.wait.offers.get(line) or _End(line, dst.name, True, INCOMING, ACTIVE, self._now())
                self._take(call, picker, picked_from=ringing_line)
                return call.id
            self._hold_active(line)
            call.original_called = call.original_called or ringing_line
            self._detach(call, end, "picked_up")
            other.state = ACTIVE
            call.ends = [other, _End(line, dst.name, True, INCOMING, ACTIVE, self._now())]
            dst.calls.append(call.id)
            self._touch_call(call)
            return call.id
        finally:
            self._flush()

    # ---- internals ---------------------------------------------------------------------------
    def _consultation(self, line: str) -> tuple[_Call, _Call | None]:
        """The held call and the consultation call (active, or still ringing out) of a line."""
        self._known_line(line)
        held = self._legs_in(line, HELD)
        consult = [c for c in self._calls_of(line) if (e := c.end_at(line)).state == ACTIVE
                   or (e.state == RINGING and e.direction == OUTGOING)]
        if not held:
            raise TelephonyError(f"line {line} has no held call")
        if len(held) > 1 or len(consult) > 1:
            raise TelephonyError(f"line {line} has {len(held)} held and {len(consult)} active calls; "
                                 "a consultation transfer needs exactly one of each")
        return held[0], consult[0] if consult else None
