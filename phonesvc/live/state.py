"""The current state of lines and calls as the telephony adapter reports it, its events republished
on the bus, and the phone status the manuals show per member."""

from __future__ import annotations

from phonesvc.domain.linestate import LineState
from phonesvc.live.bus import EventBus
from phonesvc.live.forwarding import LineForwarding
from phonesvc.telephony.protocol import CallEnded, CallState, Direction, Line, LineChanged, Telephony


class LiveState:
    def __init__(self, telephony: Telephony, bus: EventBus):
        self.telephony = telephony
        self.bus = bus
        self.routed: dict = {}  # call id -> routing.flow.RoutedCall waiting at a route point, kept by the router
        self.forwarding: LineForwarding | None = None  # keeps the PBX's line forwarding as configured
        telephony.subscribe(self._on_event)

    def _on_event(self, event: LineChanged | CallEnded) -> None:
        self.bus.publish(event)

    def line(self, number: str) -> Line | None:
        """The adapter keeps the lines (from its PBX's events); this is the one place that asks."""
        return self.telephony.line(number)

    def line_state(self, number: str, app_forwarding: bool = False) -> LineState:
        """The phone status of the manual's status display and gadget: out of service, ringing, busy,
        forwarding (line, or a manager's application forwarding), idle. A number the PBX does not
        monitor counts as out of service."""
        line = self.line(number)
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
        line = self.line(number)
        return [c for c in line.calls if c.state == CallState.RINGING and c.direction == Direction.INCOMING] \
            if line else []
