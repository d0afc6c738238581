"""The PBX's monitored lines follow the configuration: every directory number and member number is a line it
monitors, named after its user (a member or user added over REST can be called at once).

Driven by events, never by requests: at start, and on each ConfigurationChanged. That event is published on
the loop right after a commit, before the writing request resumes, so a REST or phone write answers after its
new lines exist (the bus calls this listener before LineForwarding's: the PBX must know a number before it can
forward it). A change by another process (the CLI) arrives the same way once the snapshot notices it. The
manager numbers are the router's: it sets the route points through the adapter on the same event."""

from __future__ import annotations

import logging

from phonesvc.live.bus import ConfigurationChanged
from phonesvc.store import Store
from phonesvc.telephony import Telephony, TelephonyError

log = logging.getLogger(__name__)


class LineSync:
    def __init__(self, store: Store, telephony: Telephony):
        self.store, self.telephony = store, telephony
        self._synced = None  # the snapshot last followed
        self._named: dict[str, str] = {}  # line -> the name it was given

    def on_event(self, event: object) -> None:
        if isinstance(event, ConfigurationChanged):
            self.sync()

    def sync(self) -> None:
        snap = self.store.snapshot()
        if snap is self._synced:
            return
        changes = snap.changes_since(self._synced)
        if changes is None:  # loaded whole (at start, or too much changed): every user
            users = snap.users.values()
        else:  # only the users whose name, line or members changed: a write costs the same on any site
            ids = changes.get("users", frozenset()) | changes.get("user_members", frozenset())
            users = [snap.users[i] for i in ids if i in snap.users]
        for user in users:
            name = f"{user.first_name} {user.last_name}".strip()
            numbers = [user.line_number] + [m.number for m in snap.user_members.get(user.id, [])]
            for number in filter(None, numbers):
                if self._named.get(number) == name:
                    continue  # known, same name: nothing to tell the PBX
                try:
                    self.telephony.add_line(number, name)
                    self._named[number] = name
                except TelephonyError as exc:  # a number stored before it was validated: the rest still works
                    log.warning("the PBX does not monitor %r of %s: %s", number, name, exc)
        self._synced = snap
