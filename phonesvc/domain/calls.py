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


@dataclass(frozen=True)
class MemberPart:
    """What one call was for one member, as the reports count it (store/schema.py call_members)."""

    number: str
    connected: bool  # talked to the caller (took the call or got it by transfer); outbound: the call was answered
    missed: bool  # inbound: rang at the member, who did not take it
    seconds: float  # the whole call, greeting and waiting included (the manual's durations); 0 if not connected


def member_parts(record: CallRecord) -> list[MemberPart]:
    """The members a call concerned. Inbound: every member it rang at (once, however often it rang) and
    whoever took it or got it by transfer or pickup (an outside forwarding target too, shown as External);
    one it rang at who did not take it missed it, so a call that rang three members before the third
    answered is missed for two and connected for one. Outbound: the member who called."""
    seconds = max(0.0, record.ended - record.started)
    if record.direction == OUTBOUND:
        answered = record.answered is not None
        return [MemberPart(record.caller_number, answered, False, seconds if answered else 0.0)] \
            if record.caller_number else []
    takers = [n for n in (record.taken_by, record.answered_by) if n]
    parts: dict[str, MemberPart] = {}
    for number in (*record.members_rung, *takers):
        if number not in parts:
            connected = number in takers
            parts[number] = MemberPart(number, connected, not connected, seconds if connected else 0.0)
    return list(parts.values())
