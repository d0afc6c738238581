"""The status display as a service: PNGs rendered once per (group state, model), the phones that show
each group, and a push to them whenever the picture of their group changes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from phonesvc.display.grid import Grid
from phonesvc.display.render import plan, png, render
from phonesvc.display.state import group_grid
from phonesvc.live.devices import DeviceRegistry
from phonesvc.live.state import LiveState
from phonesvc.phone.models import PhoneModel
from phonesvc.phone.models import find as find_model
from phonesvc.store import Store

log = logging.getLogger(__name__)
CACHE_SIZE = 2048


class StatusDisplays:
    def __init__(self, store: Store, live: LiveState, registry: DeviceRegistry):
        self.store, self.live, self.registry = store, live, registry
        self._pictures: dict[tuple[Grid, str], tuple[bytes, str]] = {}
        self._shown: dict[int, Grid] = {}  # the last grid of every group some phone shows
        self._shown_for: tuple[object, dict[int, list[str]]] | None = None
        self.renders = 0  # pictures rendered (the tests prove that cached ones are not)
        self.on_group_changed: Callable[[int], None] = lambda _gid: None

    def grid(self, group_id: int) -> Grid | None:
        return group_grid(self.store.snapshot(), self.live, group_id)

    def picture(self, grid: Grid, model: PhoneModel) -> tuple[bytes, str]:
        """(PNG, ETag) of a grid on a model: rendered on the first request only."""
        key = (grid, model.name)
        found = self._pictures.get(key)
        if found is None:
            body = png(render(grid, model))
            self.renders += 1
            if len(self._pictures) >= CACHE_SIZE:  # old states of groups: simply start over
                self._pictures.clear()
            found = self._pictures[key] = (body, '"' + hashlib.sha1(body).hexdigest()[:20] + '"')
        return found

    def boxes(self, grid: Grid, model: PhoneModel) -> list[tuple[int, int, int, int]]:
        """Each shown tile's touch area, in the picture's coordinates."""
        return [tuple(t.touch_area) for t in plan(grid, model).tiles]

    def shown_groups(self) -> dict[int, list[str]]:
        """group id -> names of the devices that show it (through their user's members); worked out
        once per configuration snapshot, since it walks every device."""
        snap = self.store.snapshot()
        if self._shown_for is not None and self._shown_for[0] is snap:
            return self._shown_for[1]
        out: dict[int, list[str]] = {}
        for name, device in snap.devices.items():
            for member in snap.user_members.get(device.user_id, [])[:1]:  # a phone shows one group
                if member.displayed_group and member.displayed_group in snap.groups:
                    out.setdefault(member.displayed_group, []).append(name)
        self._shown_for = (snap, out)
        return out

    def targets(self, group_id: int) -> list[tuple[str, str]]:
        """(device, address) of the phones showing a group that have asked us for a screen."""
        out = []
        for name in self.shown_groups().get(group_id, []):
            seen = self.registry.last_seen(name)
            device, _ = self.registry.device(name)
            address = seen.address if seen else (device.address if device else "")
            if address:
                out.append((name, address))
        return out

    def changed(self, _event: object = None) -> None:
        """After any change: compare the grid of every shown group with the last one; a group whose
        picture changed is announced (to the push notifier)."""
        shown = self.shown_groups()
        for gid in shown:
            grid = self.grid(gid)
            if grid is not None and self._shown.get(gid) != grid:
                first = gid not in self._shown
                self._shown[gid] = grid
                if not first:
                    self.on_group_changed(gid)
        for gid in set(self._shown) - set(shown):
            del self._shown[gid]

    def model_of(self, name: str) -> PhoneModel:
        seen = self.registry.last_seen(name)
        device, _ = self.registry.device(name)
        return find_model(seen.model if seen else (device.model if device else ""),
                          seen.display if seen else (device.display if device else ""))
