"""The current state of lines and calls as the telephony adapter reports it, its events republished
on the bus, and the phone status the manuals show per member."""

from __future__ import annotations

from collections import OrderedDict

from phonesvc.domain.linestate import LineState
from phonesvc.live.bus import EventBus
from phonesvc.live.forwarding import LineForwarding
from phonesvc.telephony.protocol import CallEnded, CallState, Direction, Line, LineChanged, Telephony


class RoutedCalls(dict):
    """The calls waiting at route points (call id -> routing.flow.RoutedCall), kept by the router. A call the
    router let go of (answered by a member, sent on) stays findable among the newest KEPT of them, so that a
    VIP call keeps its star, and a call shown to the manager only its privacy, once it is answered."""

    KEPT = 10_000

    def __init__(self) -> None:
        super().__init__()
        self._let_go: OrderedDict[str, object] = OrderedDict()

    def pop(self, call_id, *default):
        call = super().pop(call_id, *default)
        if call is not None and not (default and call is default[0]):
            self._let_go[call_id] = call
            if len(self._let_go) > self.KEPT:
                self._let_go.popitem(last=False)
        return call

    def find(self, call_id: str):
        """The routed call of this id, waiting or let go of; None for a call no group routed."""
        return self.get(call_id) or self._let_go.get(call_id)


class LiveState:
    def __init__(self, telephony: Telephony, bus: EventBus):
        self.telephony = telephony
        self.bus = bus
        self.routed = RoutedCalls()
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
