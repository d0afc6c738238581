"""The gadget's team panel as data: a group's members with their phone status, presence, forwarding and
calls, from the configuration snapshot and the live lines. The same for every viewer (the page puts the
viewer on top), so that one computation serves every open gadget of a group until something changes."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from phonesvc.domain.linestate import LineState
from phonesvc.domain.members import MANAGER
from phonesvc.domain.presence import Presence
from phonesvc.live.concerns import changed_groups, event_groups
from phonesvc.live.state import LiveState
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony import CallState, Direction

CHUNK = 16  # streams woken per turn of the event loop

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
    ids = snap.users_by_line.get(number, ()) if number else ()
    return snap.users[ids[0]].vip_level if ids else 0


def _calls(snap: Snapshot, live: LiveState, number: str, show_calls: bool) -> list[dict]:
    """The member's calls, oldest first (the page shows the newest on the right). The PBX presents a routed
    call with the group's caller identification (routing/seats.py), so name and number are shown as they
    ring. Active and held calls show caller and duration only with Show call information."""
    line = live.line(number)
    out = []
    for leg in sorted(line.calls if line else (), key=lambda c: c.started):
        routed = live.routed.find(leg.call_id)
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
    snap: Snapshot
    key: tuple  # (changes that concerned any group, changes that concerned this one) when it was worked out
    panel: dict | None
    hidden_to: frozenset  # users who see a hidden VIP call the others do not
    bodies: dict  # a viewer variant (None or a user id in hidden_to) -> the JSON text of the panel


class Panels:
    """Each group's panel, worked out once per change for every gadget, and its JSON text once per viewer variant
    (viewers differ only by hidden VIP calls). An event, a configuration write too, concerns only the groups it
    may change (live/concerns.py, as for the status display): an event elsewhere costs a watched group no work
    and wakes none of its streams. A configuration write also wakes the streams of the users it touched (their
    password, privileges or groups decide what they may see)."""

    def __init__(self, store, live: LiveState):
        self.store, self.live = store, live
        self._cache: dict[int, _Cached] = {}
        self._any = 0  # changes that may concern any group
        self._changes: dict[int, int] = {}  # group -> changes that concerned it
        self._compared: Snapshot | None = store.snapshot()  # the configuration the last change was told against
        self._groups = _Waiters()  # group -> resolved at its next change
        self._viewers = _Waiters()  # user -> resolved when what they may see may change
        live.bus.subscribe(self._count)

    def _count(self, event: object) -> None:
        snap = self.store.snapshot()
        groups, viewers = event_groups(snap, event), set()
        if snap is not self._compared:
            changes = snap.changes_since(self._compared)
            self._compared = snap
            by_configuration = changed_groups(snap, changes)
            groups = None if groups is None or by_configuration is None else groups | by_configuration
            viewers = {uid for part in _VIEWER_PARTS for uid in changes.get(part, ())} if changes is not None \
                else self._viewers.keys()
        if groups is None:
            self._any += 1
            groups, viewers = self._groups.keys(), self._viewers.keys()
        for gid in groups:
            self._changes[gid] = self._changes.get(gid, 0) + 1
        self._groups.wake(groups)
        self._viewers.wake(viewers)

    def changed(self, group_id: int | None, user_id: int) -> tuple[asyncio.Future, asyncio.Future]:
        """Resolved at the next event that may change this group's panel, or what this user may see: only the
        streams concerned wake up."""
        return self._groups.next(group_id), self._viewers.next(user_id)

    def _key(self, group_id: int) -> tuple:
        return self._any, self._changes.get(group_id, 0)

    def _current(self, group_id: int) -> _Cached:
        snap = self.store.snapshot()
        cached = self._cache.get(group_id)
        if cached is not None and cached.snap is snap and cached.key == self._key(group_id):
            return cached
        key, panel = self._key(group_id), group_panel(snap, self.live, group_id)
        if cached is not None and cached.panel == panel:  # the same panel: its texts stay, streams send nothing
            cached.snap, cached.key = snap, key
            return cached
        hidden = frozenset(m["user"] for m in panel["members"] if any(c["hidden"] for c in m["calls"])) \
            if panel else frozenset()
        cached = self._cache[group_id] = _Cached(snap, key, panel, hidden, {})
        return cached

    def panel(self, group_id: int) -> dict | None:
        return self._current(group_id).panel

    def text(self, group_id: int, user_id: int) -> str | None:
        """The panel as this viewer sees it, as JSON without `now`; the very same string while it is unchanged."""
        cached = self._current(group_id)
        if cached.panel is None:
            return None
        variant = user_id if user_id in cached.hidden_to else None
        body = cached.bodies.get(variant)
        if body is None:
            body = cached.bodies[variant] = json.dumps(visible(cached.panel, user_id), ensure_ascii=False)
        return body


# Parts of the configuration keyed by user that decide what a user's gadget may show (web/gadget_stream.py _Viewer)
_VIEWER_PARTS = ("users", "privileges", "user_members")


class _Waiters:
    """Futures resolved at the next change of a key (a group, a user), one per CHUNK streams that wait: the chunks
    are woken one per turn of the event loop, so that the phones' requests are read between them rather than
    after every stream of a large group has sent."""

    def __init__(self) -> None:
        self._chunks: dict = {}  # key -> [[future, streams waiting on it], ...]

    def keys(self) -> set:
        return set(self._chunks)

    def next(self, key) -> asyncio.Future:
        chunks = self._chunks.setdefault(key, [])
        if not chunks or chunks[-1][1] >= CHUNK:
            chunks.append([asyncio.get_running_loop().create_future(), 0])
        chunks[-1][1] += 1
        return chunks[-1][0]

    def wake(self, keys) -> None:
        _resolve([future for key in keys for future, _n in self._chunks.pop(key, ())])


def _resolve(futures: list[asyncio.Future]) -> None:
    """The first future now, the others each on a later turn of the loop."""
    if not futures:
        return
    if not futures[0].done():
        futures[0].set_result(None)
    if len(futures) > 1:
        futures[0].get_loop().call_soon(_resolve, futures[1:])


def visible(panel: dict, user_id: int) -> dict:
    """The panel as one viewer sees it: a VIP call shown to the manager only is left out for the others."""
    members = [{**m, "calls": [c for c in m["calls"] if not c["hidden"] or m["user"] == user_id]}
               for m in panel["members"]]
    return {**panel, "members": members}

