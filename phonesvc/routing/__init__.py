"""Call distribution: where a call to a group's manager number goes (manual: Groups - Timeout and
overflow, VIP calls, Appendix: Call flow examples), the team's ringtone notifications, and the call log."""

from phonesvc.routing.clock import Clock, LoopClock, ManualClock
from phonesvc.routing.engine import Router

__all__ = ["Clock", "LoopClock", "ManualClock", "Router"]
