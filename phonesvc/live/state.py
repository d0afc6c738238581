"""The current state of every line, kept from the telephony adapter's events and republished on
the bus, with the phone status the manuals show per member."""

from __future__ import annotations

from phonesvc.domain.linestate import LineState
from phonesvc.live.bus import EventBus
from phonesvc.telephony.protocol import CallEnded, CallState, Direction, Line, LineChanged, Telephony


class LiveState:
    def __init__(self, telephony: Telephony, bus: EventBus):
        self.telephony = telephony
        self.bus = bus
        self._lines: dict[str, Line] = {line.number: line for line in telephony.lines()}
        telephony.subscribe(self._on_event)

    def _on_event(self, event: LineChanged | CallEnded) -> None:
        if isinstance(event, LineChanged):
            self._lines[event.line.number] = event.line
        self.bus.publish(event)

    def line(self, number: str) -> Line | None:
        return self._lines.get(number)

    def line_state(self, number: str, app_forwarding: bool = False) -> LineState:
        """The phone status of the manual's status display and gadget: out of service, ringing, busy,
        forwarding (line, or a manager's application forwarding), idle. A number the PBX does not
        monitor counts as out of service."""
        line = self._lines.get(number)
        if line is None or not line.in_service:
            return LineState.OUT_OF_SERVICE
        if any(c.state == CallState.RINGING and c.direction == Direction.INCOMING for c in line.calls):
            return LineState.RINGING
        if line.calls:
            return LineState.BUSY
        if app_forwarding:
            return LineState.APP_FORWARDING
        if line.forwarding is not None:
            return LineState.FORWARDING
        return LineState.IDLE

    def ringing_calls(self, number: str):
        line = self._lines.get(number)
        return [c for c in line.calls if c.state == CallState.RINGING and c.direction == Direction.INCOMING] \
            if line else []
