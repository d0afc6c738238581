"""The gadget's team panel as data: a group's members with their phone status, presence, forwarding and
calls, from the configuration snapshot and the live lines. The same for every viewer (the page puts the
viewer on top), so that one computation serves every open gadget of a group until something changes."""

from __future__ import annotations

import time
from dataclasses import dataclass

from phonesvc.domain.linestate import LineState
from phonesvc.domain.members import MANAGER
from phonesvc.domain.presence import Presence
from phonesvc.live.state import LiveState
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony import CallState, Direction

# CSS names of the line states; their colours are the status display's (display/render.py STATUS_COLOURS)
LINE_STATES = {LineState.IDLE: "idle", LineState.BUSY: "busy", LineState.RINGING: "ringing",
               LineState.OUT_OF_SERVICE: "out-of-service", LineState.FORWARDING: "forwarding",
               LineState.APP_FORWARDING: "app-forwarding"}
LINE_STATE_LABELS = {LineState.IDLE: "Idle", LineState.BUSY: "Busy", LineState.RINGING: "Ringing",
                     LineState.OUT_OF_SERVICE: "Out of service", LineState.FORWARDING: "Forwarding on the phone",
                     LineState.APP_FORWARDING: "Application forwarding"}


def _forwarding(snap: Snapshot, live: LiveState, member) -> str:
    """Where the member's calls go: application forwarding wins over the line's (the manual)."""
    fwd = snap.forwarding.get(member.id)
    if fwd is not None:
        if fwd.kind == "group":
            return "Group"
        if fwd.kind == "member" and fwd.target_member_id in snap.members:
            return snap.members[fwd.target_member_id].number
        return fwd.number
    line = live.line(member.number)
    if line is None or line.forwarding is None:
        return ""
    return "Voicemail" if line.forwarding.voicemail else line.forwarding.number


def _vip_level(snap: Snapshot, number: str) -> int:
    """The VIP level (stars) of the directory user with this number, 0 when none."""
    user = next((u for u in snap.users.values() if number and u.line_number == number), None)
    return user.vip_level if user is not None else 0


def _calls(snap: Snapshot, live: LiveState, number: str, show_calls: bool) -> list[dict]:
    """The member's calls, oldest first (the page shows the newest on the right). The PBX presents a routed
    call with the group's caller identification (routing/seats.py), so name and number are shown as they
    ring. Active and held calls show caller and duration only with Show call information."""
    line = live.line(number)
    out = []
    for leg in sorted(line.calls if line else (), key=lambda c: c.started):
        routed = live.routed.get(leg.call_id)
        details = leg.state == CallState.RINGING or show_calls
        vip = routed is not None and routed.vip
        out.append({"id": leg.call_id, "state": str(leg.state), "incoming": leg.direction == Direction.INCOMING,
                    "name": leg.remote_name if details else "", "number": leg.remote_number if details else "",
                    "started": leg.started if details else None, "vip": vip,
                    "vip_level": _vip_level(snap, routed.caller_number) if vip else 0,
                    "hidden": routed is not None and routed.hidden})
    return out


def group_panel(snap: Snapshot, live: LiveState, group_id: int) -> dict | None:
    """The panel of one group, None when the group is gone."""
    group = snap.groups.get(group_id)
    if group is None:
        return None
    members = []
    for gm in snap.group_members.get(group_id, []):
        member = snap.members[gm.member_id]
        user = snap.users[member.user_id]
        manager = gm.type == MANAGER
        state = live.line_state(member.number, manager and member.id in snap.forwarding)
        presence = Presence(user.presence)
        members.append({
            "member": member.id, "user": user.id, "manager": manager, "short_name": gm.short_name,
            "name": f"{user.first_name} {user.last_name}".strip() or user.user_name,
            "presence": int(presence), "presence_label": presence.label, "message": user.presence_message or "",
            "number": member.number, "department": user.department or "",
            "forwarding": _forwarding(snap, live, member),
            "line_state": LINE_STATES[state], "line_label": LINE_STATE_LABELS[state],
            "calls": _calls(snap, live, member.number, group.show_calls)})
    tones = {"manager": group.mng_call_alarm_j, "assistant": group.assist_call_alarm_j}  # Jabber tones: MP3 names
    return {"group": group.id, "name": group.name, "members": members, "tones": tones}


@dataclass
class _Cached:
    key: tuple
    panel: dict | None


class Panels:
    """Each group's panel, worked out once per change (bus events, configuration version) for every gadget."""

    def __init__(self, store, live: LiveState):
        self.store, self.live = store, live
        self._cache: dict[int, _Cached] = {}

    def panel(self, group_id: int) -> dict | None:
        snap = self.store.snapshot()
        key = (self.live.bus.published, id(snap))
        cached = self._cache.get(group_id)
        if cached is None or cached.key != key:
            cached = self._cache[group_id] = _Cached(key, group_panel(snap, self.live, group_id))
        return cached.panel


def for_viewer(panel: dict, user_id: int) -> dict:
    """The panel as one viewer sees it: a VIP call shown to the manager only is left out for the others,
    and `now` lets the page count durations with the server's clock."""
    members = [{**m, "calls": [c for c in m["calls"] if not c["hidden"] or m["user"] == user_id]}
               for m in panel["members"]]
    return {**panel, "members": members, "now": time.time()}
