"""Which groups an event or a configuration change concerns: what the status display and the gadget show of a
group (members, their lines, presence, forwarding, the group's settings) changes only for these groups, so each
works out again only theirs. None means any group (a change that cannot be narrowed)."""

from __future__ import annotations

from collections.abc import Mapping

from phonesvc.live.bus import ConfigurationChanged, ForwardingChanged, GroupChanged, PresenceChanged
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony import CallEnded, LineChanged, RouteEnded, RouteRequest


def event_groups(snap: Snapshot, event: object) -> set[int] | None:
    """The groups whose members' status an event may change; None: any group."""
    if isinstance(event, LineChanged):
        return groups_of_number(snap, event.line.number)
    if isinstance(event, CallEnded):
        return groups_of_number(snap, event.line)
    if isinstance(event, PresenceChanged):
        return snap.user_group_ids(event.user_id)
    if isinstance(event, ForwardingChanged):
        return {gm.group_id for gm in snap.member_groups.get(event.member_id, [])}
    if isinstance(event, GroupChanged) and event.group_id is not None:
        return {event.group_id}
    if isinstance(event, ConfigurationChanged):
        return set()  # what it changed: the snapshot says (changed_groups compares it with the one before)
    if isinstance(event, RouteRequest):
        return set()  # nothing shows until a member's line rings (a line event)
    if isinstance(event, RouteEnded):
        return groups_of_number(snap, event.destination)  # the call it took is no longer a routed (VIP) call
    return None


# Parts of the configuration a group's status is made of, and the groups a changed key concerns.
_SHOWN_PARTS = {
    "groups": lambda snap, key: {key},
    "group_members": lambda snap, key: {key},
    "members": lambda snap, key: {gm.group_id for gm in snap.member_groups.get(key, [])},
    "member_groups": lambda snap, key: {gm.group_id for gm in snap.member_groups.get(key, [])},
    "forwarding": lambda snap, key: {gm.group_id for gm in snap.member_groups.get(key, [])},
    "users": lambda snap, key: snap.user_group_ids(key),
    "user_members": lambda snap, key: snap.user_group_ids(key),
}
_NOT_SHOWN = {"devices", "privileges", "vip_numbers", "announcements", "diversion_groups", "diversion_lines"}


def changed_groups(snap: Snapshot, changes: Mapping[str, frozenset] | None) -> set[int] | None:
    """The groups whose status a configuration change (Snapshot.changes_since) may alter; None: any (the change
    is not known)."""
    if changes is None or not changes.keys() <= _SHOWN_PARTS.keys() | _NOT_SHOWN:
        return None
    return {gid for part, keys in changes.items() if part in _SHOWN_PARTS
            for key in keys for gid in _SHOWN_PARTS[part](snap, key)}


def groups_of_number(snap: Snapshot, number: str) -> set[int]:
    """The groups of the members with this number (a line event concerns them)."""
    return {gm.group_id for mid in snap.members_by_number.get(number, ()) for gm in snap.member_groups.get(mid, [])}
