"""The status display as a service: PNGs rendered once per (group state, model), the phones that show
each group, and a push to them whenever the picture of their group changes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from phonesvc.display.grid import Grid
from phonesvc.display.render import plan, png, render
from phonesvc.display.state import group_grid
from phonesvc.live.concerns import changed_groups, event_groups
from phonesvc.live.devices import DeviceRegistry
from phonesvc.live.state import LiveState
from phonesvc.phonemodels import PhoneModel
from phonesvc.phonemodels import find as find_model
from phonesvc.store import Store
from phonesvc.store.snapshot import Snapshot
from phonesvc.telephony import RouteEnded, RouteRequest

log = logging.getLogger(__name__)
CACHE_SIZE = 2048


class StatusDisplays:
    def __init__(self, store: Store, live: LiveState, registry: DeviceRegistry):
        self.store, self.live, self.registry = store, live, registry
        self._pictures: dict[tuple[Grid, str], tuple[bytes, str]] = {}
        self._shown: dict[int, Grid] = {}  # the last grid of every group some phone shows
        self._compared: Snapshot | None = None  # the configuration those grids were compared at
        self._grids: dict[int, tuple[object, Grid | None]] = {}  # group -> (snapshot, grid) until it changes
        self._etags: dict[str, bytes] = {}
        self._named: dict[str, int] = {}  # ETag -> group, of the pictures StatusDisplay screens named
        self._boxes: dict[tuple[Grid, str], list[tuple[int, int, int, int]]] = {}
        self.screens: dict[tuple, object] = {}  # StatusDisplay screens per (device, model, state)
        self._version = 0  # bumped by every event: grids are built again after any change
        self.renders = 0  # pictures rendered (the tests prove that cached ones are not)
        self.on_group_changed: Callable[[int], None] = lambda _gid: None

    @property
    def version(self) -> int:
        """Changes with every event that may change a picture."""
        return self._version

    def grid(self, group_id: int) -> Grid | None:
        """The group's grid, built again only after a change of that group (an event that concerns it, or a
        new snapshot)."""
        snap = self.store.snapshot()
        cached = self._grids.get(group_id)
        if cached is not None and cached[0] is snap:
            return cached[1]
        grid = group_grid(snap, self.live, group_id)
        self._grids[group_id] = (snap, grid)
        return grid

    def by_etag(self, etag: str, group_id: int) -> bytes | None:
        """A picture a screen named for the group, by its ETag (phones fetch the URL the menu named)."""
        return self._etags.get(etag) if self._named.get(etag) == group_id else None

    def name_picture(self, group_id: int, grid: Grid, model: PhoneModel) -> str:
        """The ETag of the group's picture, for a screen to name (by_etag finds it again)."""
        _body, etag = self.picture(grid, model)
        if len(self._named) >= CACHE_SIZE:
            self._named.clear()
        self._named[etag] = group_id
        return etag

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
            if len(self._etags) >= CACHE_SIZE:
                self._etags.clear()
            self._etags[found[1]] = body
        return found

    def boxes(self, grid: Grid, model: PhoneModel) -> list[tuple[int, int, int, int]]:
        """Each shown tile's touch area, in the picture's coordinates (worked out once per state)."""
        key = (grid, model.name)
        found = self._boxes.get(key)
        if found is None:
            if len(self._boxes) >= CACHE_SIZE:
                self._boxes.clear()
            found = self._boxes[key] = [tuple(t.touch_area) for t in plan(grid, model).tiles]
        return found

    def targets(self, group_id: int) -> list[tuple[str, str]]:
        """(device, address) of the phones showing a group that have asked us for a screen."""
        out = []
        for name in shown_devices(self.store.snapshot(), group_id):
            seen = self.registry.last_seen(name)
            device, _ = self.registry.device(name)
            address = seen.address if seen else (device.address if device else "")
            if address:
                out.append((name, address))
        return out

    def shown(self, group_id: int) -> list[str]:
        """Every phone that shows the group, with or without a known address (for the open previews)."""
        return shown_devices(self.store.snapshot(), group_id)

    def changed(self, event: object = None) -> None:
        """After a change: compare the grid of every shown group it may concern with the last one; a group
        whose picture changed is announced (to the push notifier). A line's event concerns only the groups
        of that line's members, so its cost does not grow with the site (a PBX that starts reports every line)."""
        if isinstance(event, RouteRequest | RouteEnded):
            return  # the call's lines report what a display shows
        self._version += 1
        snap = self.store.snapshot()
        concerned = event_groups(snap, event)
        if concerned is not None:
            for gid in concerned:
                self._grids.pop(gid, None)
        if snap is not self._compared:  # the configuration changed too: its groups are concerned
            changes = snap.changes_since(self._compared)
            by_configuration = changed_groups(snap, changes)
            if by_configuration is not None and self._compared is not None:
                by_configuration |= _moved(self._compared, snap, changes)
            self._compared = snap
            concerned = None if concerned is None or by_configuration is None else concerned | by_configuration
        if concerned is None:
            self._grids.clear()
            concerned = self._shown.keys() | {gid for gid in snap.users_by_display if shown_devices(snap, gid)}
        for gid in list(concerned):
            if not shown_devices(snap, gid):  # no phone shows it (any more): nothing to compare
                self._shown.pop(gid, None)
                continue
            grid = self.grid(gid)
            if grid is not None and self._shown.get(gid) != grid:
                first = gid not in self._shown  # a group that has just become shown: its first grid
                self._shown[gid] = grid
                if not first:
                    self.on_group_changed(gid)

    def model_of(self, name: str) -> PhoneModel:
        seen = self.registry.last_seen(name)
        device, _ = self.registry.device(name)
        return find_model(seen.model if seen else (device.model if device else ""),
                          seen.display if seen else (device.display if device else ""))


def _moved(before: Snapshot, snap: Snapshot, changes) -> set[int]:
    """The groups that phones started or stopped showing: a device given to another user, a user whose first
    member displays another group."""
    users = {(before.devices[name].user_id if name in before.devices else None,
              snap.devices[name].user_id if name in snap.devices else None) for name in changes.get("devices", ())}
    users |= {(uid, uid) for uid in changes.get("user_members", ())}
    out = set()
    for old, new in users:
        groups = {shown_group(before, old) if old else None, shown_group(snap, new) if new else None}
        if len(groups) > 1:
            out |= groups - {None}
    return out


def shown_devices(snap: Snapshot, group_id: int) -> list[str]:
    """The phones that show a group: those of the users whose first member displays it."""
    if group_id not in snap.groups:
        return []
    return [name for uid in snap.users_by_display.get(group_id, ()) for name in snap.devices_by_user.get(uid, ())]


def shown_group(snap: Snapshot, user_id: int) -> int | None:
    """The group the user's phones show: the displayed group of the user's first member (a phone
    shows one group)."""
    members = snap.user_members.get(user_id, [])
    gid = members[0].displayed_group if members else 0
    return gid if gid and gid in snap.groups else None
