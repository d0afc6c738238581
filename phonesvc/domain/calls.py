"""A handled call as the call log keeps it, for the reports."""

from __future__ import annotations

from dataclasses import dataclass

INBOUND = "inbound"
OUTBOUND = "outbound"
DIRECTIONS = (INBOUND, OUTBOUND)


@dataclass(frozen=True)
class CallRecord:
    """One call, recorded when it ended. Names are copies, so the record outlives the group and the user."""

    call_id: str
    direction: str  # "inbound" | "outbound"
    caller_number: str
    caller_name: str
    called_number: str
    group_id: int | None
    group_name: str
    members_rung: tuple[str, ...]  # in the order they were rung; repeats when the call went round again
    answered_by: str  # who talked to the caller last, after any transfer; "" if nobody took the call
    vip: bool
    started: float  # epoch seconds
    answered: float | None
    ended: float
    # Where the call ended up: a member number, an outside number, "voicemail:<box>", "busy", or "" when the
    # caller hung up while waiting.
    destination: str
    taken_by: str = ""  # who took the call first (an assistant who then transferred it); "" if nobody did

    @property
    def duration(self) -> float:
        """Seconds connected: 0 when never answered, never negative."""
        if self.answered is None:
            return 0.0
        return max(0.0, self.ended - self.answered)

    @property
    def outcome(self) -> str:
        return "connected" if self.answered_by else "missed"
