"""The device registry: which user and lines a phone belongs to, and what it told us on its last
request (model, display, address), so that pushes and renders can target it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from phonesvc.store import Store
from phonesvc.store.users import record_device_seen


@dataclass(frozen=True)
class Seen:
    model: str
    display: str
    address: str
    when: float


class DeviceRegistry:
    def __init__(self, store: Store):
        self.store = store
        self._seen: dict[str, Seen] = {}

    def device(self, name: str):
        """(device row, user row) of a device name as CUCM sends it, or (None, None)."""
        snap = self.store.snapshot()
        device = snap.devices.get(name.strip().upper())
        return (device, snap.users.get(device.user_id)) if device else (None, None)

    def lines(self, user_id: int) -> list[str]:
        """The user's directory number first, then the numbers of the user's members."""
        snap = self.store.snapshot()
        user = snap.users.get(user_id)
        numbers = [user.line_number] if user and user.line_number else []
        numbers += [m.number for m in snap.user_members.get(user_id, []) if m.number not in numbers]
        return numbers

    def seen(self, name: str, model: str, display: str, address: str) -> bool:
        """Note a request from a phone; True when model, display or address changed and should be
        stored (the caller does that off the event loop with `persist`)."""
        name, before, now = self._visit(name, model, display, address)
        self._seen[name] = now
        return _moved(before, now)

    def seen_again(self, name: str, model: str, display: str, address: str) -> bool:
        """Note a request that changes nothing to store and answer True; False (and nothing noted) when it
        would, so that the caller goes the whole way through `seen`."""
        name, before, now = self._visit(name, model, display, address)
        if _moved(before, now):
            return False
        self._seen[name] = now
        return True

    def _visit(self, name: str, model: str, display: str, address: str) -> tuple[str, Seen | None, Seen]:
        name = name.strip().upper()
        before = self._seen.get(name)
        if before is None:
            device, _ = self.device(name)
            before = Seen(device.model, device.display, device.address, device.last_seen) if device else None
        now = Seen(model or (before.model if before else ""), display or (before.display if before else ""),
                   address, time.time())
        return name, before, now

    def persist(self, name: str) -> None:
        s = self._seen.get(name.strip().upper())
        if s is not None:
            with self.store.write() as conn:
                record_device_seen(conn, name.strip().upper(), s.model, s.display, s.address, s.when)

    def addresses(self, user_ids) -> list[tuple[str, str]]:
        """(device, address) of the users' phones that have told us where they are."""
        snap = self.store.snapshot()
        out = []
        for user_id in user_ids:
            for name in snap.devices_by_user.get(user_id, ()):
                seen = self._seen.get(name)
                address = seen.address if seen else snap.devices[name].address
                if address:
                    out.append((name, address))
        return out

    def device_names(self, user_ids) -> list[str]:
        """The users' phones, whether or not they told us where they are."""
        snap = self.store.snapshot()
        return [name for user_id in user_ids for name in snap.devices_by_user.get(user_id, ())]

    def last_seen(self, name: str) -> Seen | None:
        return self._seen.get(name.strip().upper())



def _moved(before: Seen | None, now: Seen) -> bool:
    return before is None or (before.model, before.display, before.address) != (now.model, now.display, now.address)
