"""The call flow of one routed call as data and one decision: given where the call stands and the
newest configuration, what is the next step? No I/O; the router (engine.py) carries the step out.

    greeting -> manager (+ first available assistant when ringing parallel) -> each available assistant
    in list order -> overflow (again from the start, a number, busy, a voicemail box, another group)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from phonesvc.domain.presence import Presence
from phonesvc.routing import seats as S
from phonesvc.routing.clock import Timer
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony.protocol import Line

log = logging.getLogger(__name__)

START, GREETING, MANAGER, ASSISTANTS, WAITING, DONE = "start", "greeting", "manager", "assistants", "waiting", "done"
MAX_HOPS = 20  # decisions (or overflows to other groups) in a row that ring nobody, before the call waits


@dataclass
class RoutedCall:
    call_id: str
    route_point: str
    caller_number: str
    caller_name: str
    caller_line: bool
    group_id: int
    group: sa.Row  # the group's settings as last seen (they outlive a deletion)
    vip: bool = False
    stage: str = START
    pos: int = -1  # list index of the assistant that rang last ...
    pos_member: int | None = None  # ... and its member id: the list may change while the call rings
    step: int = 0  # counts steps, so that a stale timer or instruction result is ignored
    ringing: set[str] = field(default_factory=set)  # the members' lines it rings for ...
    rings_at: dict[str, str] = field(default_factory=dict)  # ... and where each rings (line forwarding)
    rung: set[str] = field(default_factory=set)  # rung in the last step (a line rung on is not rung anew)
    cycle_rang: bool = False  # something rang since the list was last started from the top
    hops: int = 0  # groups entered by overflow since something last rang
    timer: Timer | None = None
    tail: asyncio.Future | None = None  # the last queued adapter instruction
    playing: tuple[str, ...] = ()

    @property
    def hidden(self) -> bool:
        """Show VIP calls = manager only: the other members neither see this call nor hear a tone."""
        return self.vip and self.group.show_vip_call == S.SHOW_VIP_MANAGER_ONLY

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


@dataclass(frozen=True)
class Ring:
    seats: Sequence[S.Seat]
    timeout: int  # 0: not moved on


@dataclass(frozen=True)
class HandOff:
    destination: str
    voicemail: bool
    why: str
    fallback: str  # when the PBX refuses: "assistants" or "busy"


@dataclass(frozen=True)
class Busy:
    why: str


@dataclass(frozen=True)
class Wait:
    why: str


@dataclass(frozen=True)
class EnterGroup:
    group: sa.Row


Step = Ring | HandOff | Busy | Wait | EnterGroup


def next_step(call: RoutedCall, snap: Snapshot, line_of: Callable[[str], Line | None]) -> Step:
    """Move `call` on (its stage, position and group) and say what to do now."""
    for _ in range(MAX_HOPS):
        group = snap.groups.get(call.group_id)
        if group is None:
            log.warning("call %s: group %s was deleted while routing; its overflow applies", call.call_id,
                        call.group_id)
            step = _overflow(call, call.group, snap, gone=True)
            if step is not None:
                return step
            continue
        call.group = group
        seats = S.seats_of(snap, group.id)
        manager = next((s for s in seats if s.manager), None)
        vip_mode = group.vip_calls_routing
        if call.stage in (START, WAITING, GREETING):
            if manager is not None and manager.number != call.caller_number:
                app_fwd = manager.forwarding
                if call.vip or (manager.presence == Presence.AVAILABLE and app_fwd is None):
                    ring = [manager]
                    if group.ring_parallel and not (call.vip and vip_mode == S.VIP_TO_MANAGER_ONLY):
                        first = _next_assistant(call, seats, -1, False, line_of)
                        ring += [first[1]] if first else []
                    call.stage = MANAGER
                    return Ring(ring, group.manager_timeout)
                if app_fwd is not None and app_fwd.kind != "group":
                    dest = S.forwarding_destination(snap, manager)
                    if dest is not None:
                        call.stage = DONE
                        return HandOff(dest[0], dest[1], f"manager's forwarding ({app_fwd.kind})", "assistants")
            call.stage, call.pos = ASSISTANTS, -1
        elif call.stage == MANAGER:
            call.stage, call.pos = ASSISTANTS, -1
            if call.vip and vip_mode == S.VIP_TO_MANAGER_ONLY and manager is not None:
                call.pos = len(seats)  # no assistant for this call: straight to the overflow
        if call.stage == ASSISTANTS:
            regardless = call.vip and vip_mode == S.VIP_TO_ALL
            found = _next_assistant(call, seats, _position(call, seats), regardless, line_of)
            if found is not None:
                call.pos, call.pos_member = found[0], found[1].member_id
                return Ring([found[1]], group.assistant_timeout)
        step = _overflow(call, group, snap)
        if step is not None:
            return step
    return Wait("no member can take the call")


def _position(call: RoutedCall, seats: Sequence[S.Seat]) -> int:
    """Where the last assistant stands in the list now; if it left, the one after it slid into its place."""
    if call.pos < 0 or call.pos >= len(seats):
        return call.pos
    now = next((i for i, s in enumerate(seats) if s.member_id == call.pos_member), None)
    return now if now is not None else call.pos - 1


def _next_assistant(call: RoutedCall, seats: Sequence[S.Seat], after: int, regardless: bool,
                    line_of: Callable[[str], Line | None]) -> tuple[int, S.Seat] | None:
    """(list index, seat) of the next member after `after` who can take the call: not the manager,
    not the caller, and Available or Forwarding (VIP to all: regardless of presence)."""
    for i, seat in enumerate(seats):
        if i <= after or seat.manager or seat.number == call.caller_number:
            continue
        if regardless or seat.presence == Presence.AVAILABLE or seat.forwarding is not None:
            return i, seat
        line = line_of(seat.number)
        if line is not None and line.forwarding is not None:
            return i, seat
    return None


def _overflow(call: RoutedCall, group: sa.Row, snap: Snapshot, gone: bool = False) -> Step | None:
    """The group's overflow; None when the decision goes on (No overflow: from the top of the list)."""
    ov = group.overflow
    if ov.startswith("group:"):
        target = snap.groups.get(int(ov[6:]))
        if target is not None and target.id != group.id:
            log.info("call %s: overflow from group %s to group %s", call.call_id, group.id, target.id)
            return EnterGroup(target)
        log.warning("call %s: overflow group %s does not exist; starting again", call.call_id, ov[6:])
        ov = "-1"
    if ov == "-1":
        if gone:
            return Busy("the group was deleted")
        if not call.cycle_rang:
            return Wait("nobody in the group can take the call")
        call.stage, call.pos, call.cycle_rang = START, -1, False
        return None
    if ov == "-3":
        return Busy("overflow")
    call.stage = DONE
    if ov.startswith("voicemail:"):
        return HandOff(ov[10:], True, "overflow", "busy")
    return HandOff(ov, False, "overflow", "busy")
