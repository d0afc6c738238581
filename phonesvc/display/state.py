"""A group's status display as data (a Grid), built from the configuration snapshot and the live
line states. Equal state gives an equal Grid, which is what the PNG cache and the push compare."""

from __future__ import annotations

from phonesvc.display.grid import Grid, Tile
from phonesvc.domain.members import MANAGER, member_index
from phonesvc.domain.presence import Presence
from phonesvc.live.state import LiveState
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony import CallState, Direction


def _symbol(snap: Snapshot, live: LiveState, member, index_of: dict[str, str]) -> str:
    line = live.line(member.number)
    calls = [c for c in (line.calls if line else ()) if c.state in (CallState.RINGING, CallState.ACTIVE)]
    if calls:
        call = calls[-1]  # the most recent
        kind = "in" if call.direction == Direction.INCOMING else "out"
        return f"{kind}_ext" if call.external else kind
    fwd = snap.forwarding.get(member.id)
    destination = fwd.number if fwd is not None and fwd.kind != "group" else None
    if fwd is not None and fwd.kind == "group":
        return "fwd"
    if destination is None and line is not None and line.forwarding is not None:
        destination = line.forwarding.number
    if destination is None:
        return ""
    return f"fwd:{index_of[destination]}" if destination in index_of else "fwd"


def group_grid(snap: Snapshot, live: LiveState, group_id: int) -> Grid | None:
    group = snap.groups.get(group_id)
    if group is None:
        return None
    memberships = snap.group_members.get(group_id, [])
    index_of = {snap.members[gm.member_id].number: member_index(gm.position) for gm in memberships
                if gm.position <= 35}
    tiles, calls = [], []
    for gm in memberships:
        if gm.position > 35:
            break
        member = snap.members[gm.member_id]
        user = snap.users[member.user_id]
        app_forwarding = gm.type == MANAGER and member.id in snap.forwarding
        tiles.append(Tile(index=member_index(gm.position), short_name=gm.short_name, manager=gm.type == MANAGER,
                          presence=Presence(user.presence), line_state=live.line_state(member.number, app_forwarding),
                          symbol=_symbol(snap, live, member, index_of)))
        if group.show_calls:
            for leg in live.ringing_calls(member.number):
                routed = live.routed.find(leg.call_id)
                if routed is not None and routed.hidden:
                    continue  # a VIP call shown to the manager only
                # A routed call arrives presented with the group's caller identification (routing/seats.py).
                calls.append(f"{leg.remote_name or leg.remote_number} -> {gm.short_name}")
    return Grid(title=group.name, tiles=tuple(tiles), calls=tuple(calls))
