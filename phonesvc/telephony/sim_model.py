"""The embedded PBX's in-memory model: lines, calls, their parties and where a dialled number rings.

Private to the simulator modules (simulator, sim_transfers, sim_outside, sim_routepoints).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from phonesvc.domain.text import valid_number
from phonesvc.telephony.protocol import CallState, Direction, Forwarding, Presented, TelephonyError

if TYPE_CHECKING:
    from phonesvc.telephony.sim_routepoints import _Wait

RINGING, ACTIVE, HELD = CallState.RINGING, CallState.ACTIVE, CallState.HELD
INCOMING, OUTGOING = Direction.INCOMING, Direction.OUTGOING


@dataclass
class _Line:
    number: str
    name: str = ""
    in_service: bool = True
    dnd: bool = False
    forwarding: Forwarding | None = None
    calls: list[str] = field(default_factory=list)  # call ids, in the order they reached the line


@dataclass
class _End:
    """One party of a call."""

    number: str
    name: str
    is_line: bool
    direction: Direction
    state: CallState
    started: float
    presented: Presented | None = None  # an offer of a waiting call: what the ringing line shows
    route_point: bool = False  # the route point a waiting call waits at


@dataclass
class _Call:
    id: str
    ends: list[_End]  # always two; a waiting call: the caller and the route point
    original_called: str = ""
    wait: _Wait | None = None  # the call waits at a route point: its offers (more parties, all ringing)

    def other(self, end: _End) -> _End:
        return self.ends[1] if self.ends[0] is end else self.ends[0]

    def end_at(self, number: str) -> _End | None:
        end = next((e for e in self.ends if e.number == number), None)
        return end if end is not None or self.wait is None else self.wait.offers.get(number)

    def parties(self) -> list[_End]:
        """Everyone on the call: both ends, or the waiting caller and its offers."""
        return [self.ends[0], *self.wait.offers.values()] if self.wait else list(self.ends)


@dataclass(frozen=True)
class _Target:
    """Where a dialled number really rings after forwarding."""

    number: str
    is_line: bool
    voicemail: bool = False
    original_called: str = ""
    route_point: bool = False



def _check_number(number: str) -> str:
    number = (number or "").strip() if isinstance(number, str) else ""
    if not valid_number(number):
        raise TelephonyError(f"{number!r} is not a phone number" if number else "a phone number is missing")
    return number
