"""What routing needs to know about a group, read from the configuration snapshot: its members in list
order (seats), who is the manager, who counts as available, who is a VIP caller, where a manager's
application forwarding sends calls, and what a ringing phone shows. No I/O: plain functions."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from phonesvc.domain.callerid import format_caller
from phonesvc.domain.members import MANAGER
from phonesvc.domain.presence import Presence
from phonesvc.store.snapshot import Snapshot, per_snapshot
from phonesvc.telephony.protocol import Presented

VIP_THRESHOLD_OFF = 5  # thresholds above this disable star-level VIPs (the GUI's unchecked box)
VIP_TO_ALL, VIP_TO_MANAGER_ONLY, VIP_TO_MANAGER_AND_AVAILABLE = 0, 1, 2  # gr_VIPCallsRouting
SHOW_VIP_MANAGER_ONLY, SHOW_VIP_ALL, SHOW_VIP_MARKED = 0, 1, 2  # gr_showVIPCall


@dataclass(frozen=True)
class Seat:
    """One member of a group, as routing sees it."""

    member_id: int
    user_id: int
    number: str
    short_name: str
    manager: bool
    presence: Presence
    forwarding: sa.Row | None  # the member's stored forwarding (a manager's is application level only)


def seats_of(snap: Snapshot, group_id: int) -> tuple[Seat, ...]:
    """The group's members in list order; built once per snapshot and group (every decision asks)."""
    cache = _seat_cache(snap)
    seats = cache.get(group_id)
    if seats is None:
        seats = cache[group_id] = tuple(_seats(snap, group_id))
    return seats


def _seats(snap: Snapshot, group_id: int):
    for gm in snap.group_members.get(group_id, []):
        member = snap.members[gm.member_id]
        user = snap.users[member.user_id]
        yield Seat(member.id, user.id, member.number, gm.short_name, gm.type == MANAGER, Presence(user.presence),
                   snap.forwarding.get(member.id))


def group_numbers(snap: Snapshot, group_id: int) -> frozenset[str]:
    return frozenset(s.number for s in seats_of(snap, group_id))


def manager_seat(snap: Snapshot, group_id: int) -> Seat | None:
    return next((s for s in seats_of(snap, group_id) if s.manager), None)


def group_of_number(snap: Snapshot, number: str) -> sa.Row | None:
    """The group whose manager number (route point) this is (the last by ID, if two have it)."""
    ids = snap.groups_by_number.get(number)
    return snap.groups[ids[-1]] if ids else None


@per_snapshot
def _seat_cache(snap: Snapshot) -> dict[int, tuple[Seat, ...]]:
    return {}


def _directory_user(snap: Snapshot, number: str) -> sa.Row | None:
    """The directory user who calls from this number (a line or member number; the first by ID)."""
    ids = {*snap.users_by_line.get(number, ()),
           *(snap.members[m].user_id for m in snap.members_by_number.get(number, ()))}
    return snap.users[min(ids)] if ids else None


def member_group(snap: Snapshot, number: str) -> int | None:
    """The id of the first group of the (first) member with this number: 0 in no group, None: no member's number."""
    ids = snap.members_by_number.get(number)
    if not ids:
        return None
    gms = snap.member_groups.get(ids[0], [])
    return gms[0].group_id if gms else 0


def route_points(snap: Snapshot) -> frozenset[str]:
    return frozenset(snap.groups_by_number)


def is_vip(snap: Snapshot, group: sa.Row, manager: Seat | None, caller_number: str) -> bool:
    """On the manager's VIP list, or a directory user whose star level reaches the group's threshold
    (0: every directory user; above 5: none)."""
    if manager is not None and any(snap.vip_numbers[i].member_id == manager.member_id
                                   for i in snap.vip_by_number.get(caller_number, ())):
        return True
    if group.vip_threshold > VIP_THRESHOLD_OFF:
        return False
    user = _directory_user(snap, caller_number)
    return user is not None and user.vip_level >= group.vip_threshold and \
        (manager is None or user.id != manager.user_id)


def forwarding_destination(snap: Snapshot, seat: Seat) -> tuple[str, bool] | None:
    """Where a manager's application forwarding sends a call: (number, is a voicemail box); None for
    'Group' (the assistants take over) or a destination that is not set (no mobile number, ...)."""
    fwd = seat.forwarding
    if fwd is None or fwd.kind == "group":
        return None
    user = snap.users[seat.user_id]
    if fwd.kind == "voicemail":
        return (user.voicemail_number, True) if user.voicemail_number else None
    if fwd.kind == "mobile":
        return (user.mobile_number, False) if user.mobile_number else None
    if fwd.kind == "member" and fwd.target_member_id in snap.members:
        return snap.members[fwd.target_member_id].number, False
    return (fwd.number, False) if fwd.number else None


def presented(group: sa.Row, manager: Seat | None, caller_name: str, caller_number: str, *, to_manager: bool,
              vip: bool) -> Presented:
    """What the ringing phone shows. The manager sees the caller; everyone else the group's caller
    identification masks (the original call data when neither is set). Marked VIP calls get <VIP>."""
    name, number = caller_name, caller_number
    if not to_manager:
        short, mgr_number = (manager.short_name if manager else ""), group.number
        if group.caller_name:
            name = format_caller(group.caller_name, "", caller_name, caller_number, mgr_number, short)
        if group.caller_number:
            number = format_caller("", group.caller_number, caller_name, caller_number, mgr_number, short)
            name = name if group.caller_name else ""
    if vip and group.show_vip_call == SHOW_VIP_MARKED:
        name = f"{name or number} <VIP>"
    return Presented(name, number)
