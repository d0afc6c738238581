"""Phone (line) status codes, as getMembers' <lineState> reports them."""

from __future__ import annotations

from enum import IntEnum


class LineState(IntEnum):
    IDLE = 0
    BUSY = 1
    RINGING = 2
    OUT_OF_SERVICE = 3
    FORWARDING = 4  # forwarding set on the line (device level)
    APP_FORWARDING = 5  # a manager's application-level forwarding
