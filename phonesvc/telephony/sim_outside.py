"""The outside world of the embedded PBX (demos and tests): outside callers ring in, answer and hang up.

`OutsideWorld` is mixed into `Simulator` and works on its internals (`_lines`, `_route_points`, `_call`,
`_route`, `_place`, `_flush`, ...), like `RoutePoints` of sim_routepoints.
"""

from __future__ import annotations

from phonesvc.telephony.protocol import TelephonyError
from phonesvc.telephony.sim_model import ACTIVE, INCOMING, OUTGOING, RINGING, _check_number, _End


class OutsideWorld:
    """The outside-world half of `Simulator` (see the module docstring)."""

    async def external_call(self, from_number: str, to_line: str, name: str = "") -> str:
        """A call from outside to a line (forwarding, DND and service apply) or to a route point (it waits
        there); returns the call id."""
        from_number = _check_number(from_number)
        if from_number in self._lines:
            raise TelephonyError(f"{from_number} is a line of this PBX; call from it with make_call")
        if from_number in self._route_points:
            raise TelephonyError(f"{from_number} is a route point of this PBX; it cannot call")
        if to_line not in self._route_points:
            self._known_line(to_line)
        target = self._route(to_line, {from_number})
        busy = self._busy(target)
        call_id = self._new_id()
        try:
            if not busy:
                self._place(call_id, _End(from_number, name, False, OUTGOING, RINGING, self._now()), target)
            return call_id
        finally:
            self._flush()

    async def answer_external(self, call_id: str) -> None:
        """The outside party a line called answers."""
        call = self._call(call_id)
        callee = next((e for e in call.parties() if not e.is_line and e.direction == INCOMING and e.state == RINGING),
                      None)
        if callee is None:
            raise TelephonyError(f"call {call_id} is not ringing at an outside number")
        try:
            if call.wait:
                self._take(call, callee)
                return
            for e in call.ends:
                e.state = ACTIVE
            self._touch_call(call)
        finally:
            self._flush()

    async def answer_call(self, call_id: str) -> None:
        """Whoever the call rings at answers: the ringing line, or the outside number."""
        call = self._call(call_id)
        callee = next((e for e in call.parties() if e.direction == INCOMING and e.state == RINGING), None)
        if callee is None:
            raise TelephonyError(f"call {call_id} is not ringing" + (
                f"; it waits at route point {call.wait.route_point}" if call.wait else ""))
        if callee.is_line:
            await self.answer(call_id, callee.number)
        else:
            await self.answer_external(call_id)

    async def hang_up_external(self, call_id: str) -> None:
        """The outside party of the call hangs up."""
        call = self._call(call_id)
        end = next((e for e in call.parties() if not e.is_line), None)
        if end is None:
            raise TelephonyError(f"call {call_id} has no outside party")
        try:
            self._hang_up_end(call, end)
        finally:
            self._flush()

    async def end_call(self, call_id: str) -> None:
        """Release every party of the call."""
        call = self._call(call_id)
        try:
            self._drop(call, "cleared")
        finally:
            self._flush()

    def call_numbers(self, call_id: str) -> tuple[str, str]:
        """The two parties of a call: (caller side, called side) as they are now."""
        call = self._call(call_id)
        return call.ends[0].number, call.ends[1].number
