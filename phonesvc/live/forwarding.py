"""Line forwarding on the PBX follows the configuration: the one path from a stored forwarding or
diversion change to the PBX, whichever surface (REST, phone, CLI, web) or process made it.

A surface only writes the store. Every committed write is a ConfigurationChanged on the bus (a write
by another process too, once the snapshot notices it), and LineForwarding then sets or clears the
lines whose wanted forwarding differs from what it last set. Lines it never set (a user's own
forwarding made on the handset) are left alone."""

from __future__ import annotations

import asyncio
import logging

from phonesvc.domain.members import MANAGER
from phonesvc.live.bus import ConfigurationChanged
from phonesvc.store import Store
from phonesvc.store.members import forward_destination
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony import Forwarding, Telephony

log = logging.getLogger(__name__)


def wanted_forwarding(snap: Snapshot) -> dict[str, Forwarding]:
    """What the configuration asks of each line: a diversion group that is ON sends its lines to its
    destination (a line in several: the first group by ID); otherwise a member's own forwarding, set on
    the line unless the member is a manager (managers' forwarding is applied by the routing)."""
    managers = {gm.member_id for gms in snap.member_groups.values() for gm in gms if gm.type == MANAGER}
    wanted: dict[str, Forwarding] = {}
    for member_id, fwd in snap.forwarding.items():
        member = snap.members.get(member_id)
        if member is None or member_id in managers or fwd.kind == "group":
            continue
        user = snap.users[member.user_id]
        target = snap.members.get(fwd.target_member_id) if fwd.target_member_id else None
        destination = forward_destination({
            "fwd_kind": fwd.kind, "fwd_number": fwd.number, "voicemail_number": user.voicemail_number,
            "mobile_number": user.mobile_number, "fwd_member_number": target.number if target else ""})
        if destination:
            wanted[member.number] = Forwarding(destination, voicemail=fwd.kind == "voicemail")
    for group in reversed(snap.diversion_groups.values()):  # reversed: the first group of a line has the last word
        if group.state == "ON":
            for line in snap.diversion_lines.get(group.id, []):
                wanted[line.number] = Forwarding(group.destination)
    # the destination of a group among its own lines keeps ringing
    return {number: f for number, f in wanted.items() if f.voicemail or f.number != number}


class LineForwarding:
    def __init__(self, store: Store, telephony: Telephony):
        self.store = store
        self.telephony = telephony
        self.applied: dict[str, Forwarding] = {}  # what this process set on the PBX, per line
        self.refused: dict[str, str] = {}  # line -> why the PBX refused; tried again at the next change
        self._task: asyncio.Task | None = None
        self._again = False

    def on_event(self, event: object) -> None:
        if isinstance(event, ConfigurationChanged):
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
        """Set or clear every line whose wanted forwarding differs from what was set (at start: all)."""
        wanted = wanted_forwarding(self.store.snapshot())
        for number in sorted(wanted.keys() | self.applied.keys() | self.refused.keys()):
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
