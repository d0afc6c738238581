"""What changes every second: lines and calls, presence, forwarding. One event bus carries every change."""

from phonesvc.live.bus import EventBus
from phonesvc.live.state import LiveState

__all__ = ["EventBus", "LiveState"]
