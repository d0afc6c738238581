"""Line forwarding on the PBX follows the configuration: the one path from a stored forwarding or
diversion change to the PBX, whichever surface (REST, phone, CLI, web) or process made it.

A surface only writes the store. Every committed write is a ConfigurationChanged on the bus (a write
by another process too, once the snapshot notices it), and LineForwarding then sets or clears the
lines whose wanted forwarding differs from what it last set. Lines it never set (a user's own
forwarding made on the handset) are left alone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from phonesvc.domain.members import MANAGER
from phonesvc.live.bus import ConfigurationChanged
from phonesvc.store import Store
from phonesvc.store.members import forward_destination
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony import Forwarding, LineChanged, Telephony

log = logging.getLogger(__name__)


def wanted_forwarding(snap: Snapshot) -> dict[str, Forwarding]:
    """What the configuration asks of every line (at start, or when the snapshot cannot say what changed)."""
    numbers = snap.members_by_number.keys() | snap.diversions_by_line.keys()
    return {number: wanted for number in numbers if (wanted := wanted_line(snap, number)) is not None}


def wanted_line(snap: Snapshot, number: str) -> Forwarding | None:
    """What the configuration asks of one line: a diversion group that is ON sends its lines to its destination
    (a line in several: the first group by ID); otherwise the forwarding of the member with this number (the
    last by ID), unless the member is a manager (managers' forwarding is applied by the routing)."""
    groups = (snap.diversion_groups[gid] for gid in snap.diversions_by_line.get(number, ()))
    group = next((g for g in groups if g.state == "ON"), None)
    if group is not None:
        wanted = Forwarding(group.destination)
    else:
        found = (_member_forwarding(snap, mid) for mid in reversed(snap.members_by_number.get(number, ())))
        wanted = next((f for f in found if f is not None), None)
    # the destination of a group among its own lines keeps ringing
    return None if wanted is None or (not wanted.voicemail and wanted.number == number) else wanted


def _member_forwarding(snap: Snapshot, member_id: int) -> Forwarding | None:
    fwd, member = snap.forwarding.get(member_id), snap.members.get(member_id)
    if fwd is None or member is None or fwd.kind == "group" or \
            any(gm.type == MANAGER for gm in snap.member_groups.get(member_id, [])):
        return None
    user = snap.users[member.user_id]
    target = snap.members.get(fwd.target_member_id) if fwd.target_member_id else None
    destination = forward_destination({
        "fwd_kind": fwd.kind, "fwd_number": fwd.number, "voicemail_number": user.voicemail_number,
        "mobile_number": user.mobile_number, "fwd_member_number": target.number if target else ""})
    return Forwarding(destination, voicemail=fwd.kind == "voicemail") if destination else None


def changed_lines(before: Snapshot, snap: Snapshot, changes: Mapping[str, frozenset]) -> set[str]:
    """The lines whose wanted forwarding a change may have altered (numbers before and after it)."""
    members = set().union(*(changes.get(part, ()) for part in ("forwarding", "members", "member_groups")))
    for s in (before, snap):
        members.update(m for mid in changes.get("members", ()) for m in s.forwarded_to.get(mid, ()))
        members.update(m.id for uid in changes.get("users", ()) for m in s.user_members.get(uid, []))
    numbers = {s.members[mid].number for mid in members for s in (before, snap) if mid in s.members}
    diversions = changes.get("diversion_groups", frozenset()) | changes.get("diversion_lines", frozenset())
    numbers.update(line.number for gid in diversions for s in (before, snap) for line in s.diversion_lines.get(gid, []))
    return numbers


class LineForwarding:
    def __init__(self, store: Store, telephony: Telephony):
        self.store = store
        self.telephony = telephony
        self.applied: dict[str, Forwarding] = {}  # what this process set on the PBX, per line
        self.refused: dict[str, str] = {}  # line -> why the PBX refused; tried again at the next change
        self._followed: Snapshot | None = None  # the configuration last applied
        self._task: asyncio.Task | None = None
        self._again = False

    def on_event(self, event: object) -> None:
        # A line the PBX refused may have become known since (a PBX that connects after the start): try again
        if isinstance(event, ConfigurationChanged) or (isinstance(event, LineChanged)
                                                        and event.line.number in self.refused):
            self.changed()

    def changed(self) -> None:
        """Bring the PBX up to date soon (on the event loop); changes that arrive meanwhile are coalesced."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def settled(self) -> None:
        """Wait until the PBX has been told about every change so far (a screen that reports the result)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        while self._again:
            self._again = False
            try:
                await self.apply()
            except Exception:  # the configuration could not be read: the next change tries again
                log.exception("line forwarding not brought up to date")

    async def apply(self) -> None:
        """Set or clear every line whose wanted forwarding differs from what was set: the lines the changes since
        the last time concern (and those the PBX refused), every line at start."""
        snap = self.store.snapshot()
        changes = snap.changes_since(self._followed) if self._followed is not None else None
        if changes is None:
            wanted = wanted_forwarding(snap)
            numbers = wanted.keys() | self.applied.keys() | self.refused.keys()
        else:
            numbers = changed_lines(self._followed, snap, changes) | self.refused.keys()
            wanted = {number: f for number in numbers if (f := wanted_line(snap, number)) is not None}
        self._followed = snap
        for number in sorted(numbers):
            target = wanted.get(number)
            if target is None and number not in self.applied:
                self.refused.pop(number, None)  # nothing to undo
                continue
            if self.applied.get(number) == target and number not in self.refused:
                continue
            try:
                await self.telephony.set_forwarding(number, target)
            except Exception as exc:  # one line the PBX refuses must not keep the others from switching
                if self.refused.get(number) != str(exc):
                    log.warning("forwarding of line %s not %s: %s", number, "set" if target else "cleared", exc)
                self.refused[number] = str(exc)
                continue
            self.refused.pop(number, None)
            if target is None:
                del self.applied[number]
            else:
                self.applied[number] = target
