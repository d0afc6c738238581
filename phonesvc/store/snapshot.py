"""An immutable in-memory picture of the configuration, for requests that must not wait on the
database (phones ask all day). See Store.snapshot().

The picture is made of parts, each a mapping from a key (a user id, a group id ...) to what the rows of one
table with that key become. A committed write names the (part, key) pairs it touched (the change journal,
store/journal.py); the next snapshot re-reads only those keys and copies only the chunks they fall in
(store/chunks.py), so its cost follows the size of the change, not of the site. Beside the parts it keeps
indexes (the devices of a user, the members with a number ...), brought forward the same way, so that a
consumer of a write looks up what it concerns instead of walking the site."""

from __future__ import annotations

import dataclasses
import functools
import gc
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain.members import MANAGER
from phonesvc.store.chunks import Chunks
from phonesvc.store.schema import (
    announcements,
    app_settings,
    devices,
    diversion_groups,
    diversion_lines,
    forwarding,
    group_members,
    groups,
    members,
    privileges,
    users,
    vip_numbers,
)

T = TypeVar("T")
_SERIALS = itertools.count(1)
# serial -> (the serial it was advanced from, the keys read again), for the newest advances: a consumer that
# skipped a few snapshots (writes commit on several threads) still learns what changed since its last one.
_LINEAGE: dict[int, tuple[int, Mapping[str, frozenset]]] = {}
_LINEAGE_SIZE = 256


def _one(rows: list[sa.Row]) -> sa.Row:
    return rows[0]


@dataclass(frozen=True)
class Part:
    """One field of the Snapshot: the rows of `table` grouped by `key`, in `order`, each group made into
    a value by `value` (by default the single row)."""

    name: str
    table: sa.Table
    key: str
    order: tuple[str, ...] = ()
    value: Callable[[list[sa.Row]], Any] = _one

    @property
    def key_type(self) -> type:
        return self.table.c[self.key].type.python_type

    @functools.cached_property
    def _queries(self) -> tuple[sa.Select, sa.Select, sa.Select]:
        """Every row, the rows of some keys, and of one key (most writes: no list of keys to expand into the SQL
        on each run): built once, so that SQLAlchemy compiles them once."""
        every = sa.select(self.table).order_by(*(self.table.c[c] for c in self.order or (self.key,)))
        column = self.table.c[self.key]
        return (every, every.where(column.in_(sa.bindparam("keys", expanding=True))),
                every.where(column == sa.bindparam("key")))

    def build(self, conn: Connection, keys: Iterable | None = None) -> dict:
        """The part for `keys` (every key when None), in key order for a part of single rows."""
        every, some, one = self._queries
        if keys is None:
            rows = conn.execute(every)
        else:
            keys = list(keys)
            rows = conn.execute(one, {"key": keys[0]}) if len(keys) == 1 else conn.execute(some, {"keys": keys})
        grouped: dict = {}
        for row in rows:
            grouped.setdefault(getattr(row, self.key), []).append(row)
        return {k: self.value(v) for k, v in grouped.items()}


PARTS = (
    Part("users", users, "id"),
    Part("devices", devices, "name"),  # upper-case device name
    Part("groups", groups, "id"),
    Part("members", members, "id"),
    Part("group_members", group_members, "group_id", ("group_id", "position"), list),  # in list order
    Part("member_groups", group_members, "member_id", ("group_id", "position"), list),
    Part("user_members", members, "user_id", ("id",), list),
    Part("forwarding", forwarding, "member_id"),
    Part("privileges", privileges, "user_id", (), lambda rows: frozenset((p.app, p.privilege) for p in rows)),
    # by id: a manager's list can grow to thousands, and adding one reads one row (vip_by_member finds the list)
    Part("vip_numbers", vip_numbers, "id"),
    Part("announcements", announcements, "group_id", ("group_id", "priority"),
         lambda rows: tuple(a.wave for a in rows)),  # waves in play order
    Part("diversion_groups", diversion_groups, "id"),  # PhoneDiversions' groups
    Part("diversion_lines", diversion_lines, "group_id", ("id",), list),
    Part("app_settings", app_settings, "app", ("app", "name"), lambda rows: {r.name: r.value for r in rows}),
)
_SINGLE = {p.name for p in PARTS if p.value is _one}  # parts kept in key order


@dataclass(frozen=True)
class Index:
    """A lookup kept beside the parts: the keys of part `part` by what `by` makes of each key's value (a device's
    user, a member's number), as sorted tuples (the lowest key first)."""

    name: str
    part: str
    by: Callable[[Any], Iterable]

    def build(self, values: Mapping) -> Chunks:
        out: dict = {}
        for key, value in values.items():
            for found in self.by(value):
                out.setdefault(found, []).append(key)
        return Chunks((found, tuple(sorted(keys))) for found, keys in out.items())

    def advance(self, index: Chunks, old: Mapping, new: Mapping, keys: Iterable) -> Chunks:
        """The index after the values of `keys` went from `old` to `new`: a changed copy only if an entry moved."""
        added: dict = {}
        removed: dict = {}
        for key in keys:
            before = set(self.by(old[key])) if key in old else set()
            after = set(self.by(new[key])) if key in new else set()
            for found in before - after:
                removed.setdefault(found, set()).add(key)
            for found in after - before:
                added.setdefault(found, set()).add(key)
        if not added and not removed:
            return index
        entries: dict = {}
        for found in added.keys() | removed.keys():
            entries[found] = (set(index.get(found, ())) - removed.get(found, set())) | added.get(found, set())
        return index.changed({found: tuple(sorted(entry)) for found, entry in entries.items() if entry},
                             [found for found, entry in entries.items() if not entry])


def _displayed(members: list[sa.Row]) -> tuple[int, ...]:
    """The group a user's phones show: the displayed group of the user's first member (0: none)."""
    return (members[0].displayed_group,) if members and members[0].displayed_group else ()


INDEXES = (
    Index("devices_by_user", "devices", lambda device: (device.user_id,)),
    Index("users_by_display", "user_members", _displayed),
    Index("users_by_line", "users", lambda user: (user.line_number,) if user.line_number else ()),
    Index("members_by_number", "members", lambda member: (member.number,)),
    Index("forwarded_to", "forwarding", lambda fwd: (fwd.target_member_id,) if fwd.target_member_id else ()),
    Index("groups_by_number", "groups", lambda group: (group.number,) if group.number else ()),
    Index("diversions_by_line", "diversion_lines", lambda lines: {line.number for line in lines}),
    Index("vip_by_member", "vip_numbers", lambda vip: (vip.member_id,)),
    Index("vip_by_number", "vip_numbers", lambda vip: (vip.number,)),
)


@dataclass(frozen=True)
class Snapshot:
    users: Mapping[int, sa.Row] = field(default_factory=Chunks)
    devices: Mapping[str, sa.Row] = field(default_factory=Chunks)
    groups: Mapping[int, sa.Row] = field(default_factory=Chunks)
    members: Mapping[int, sa.Row] = field(default_factory=Chunks)
    group_members: Mapping[int, list[sa.Row]] = field(default_factory=Chunks)  # group id -> memberships in order
    member_groups: Mapping[int, list[sa.Row]] = field(default_factory=Chunks)  # member id -> memberships
    user_members: Mapping[int, list[sa.Row]] = field(default_factory=Chunks)  # user id -> members
    forwarding: Mapping[int, sa.Row] = field(default_factory=Chunks)  # member id -> forwarding
    privileges: Mapping[int, frozenset[tuple[str, str]]] = field(default_factory=Chunks)
    vip_numbers: Mapping[int, sa.Row] = field(default_factory=Chunks)  # VIP number id -> row (vip_list: a manager's)
    announcements: Mapping[int, tuple[str, ...]] = field(default_factory=Chunks)
    diversion_groups: Mapping[int, sa.Row] = field(default_factory=Chunks)
    diversion_lines: Mapping[int, list[sa.Row]] = field(default_factory=Chunks)  # diversion group id -> lines
    app_settings: Mapping[str, dict[str, str]] = field(default_factory=Chunks)  # application -> name -> value
    # indexes (INDEXES): what they find -> the keys of their part
    devices_by_user: Mapping[int, tuple[str, ...]] = field(default_factory=Chunks)
    users_by_display: Mapping[int, tuple[int, ...]] = field(default_factory=Chunks)  # displayed group -> users
    users_by_line: Mapping[str, tuple[int, ...]] = field(default_factory=Chunks)  # directory number -> users
    members_by_number: Mapping[str, tuple[int, ...]] = field(default_factory=Chunks)
    forwarded_to: Mapping[int, tuple[int, ...]] = field(default_factory=Chunks)  # member -> members forwarding to it
    groups_by_number: Mapping[str, tuple[int, ...]] = field(default_factory=Chunks)  # manager number -> groups
    diversions_by_line: Mapping[str, tuple[int, ...]] = field(default_factory=Chunks)  # line -> diversion groups
    vip_by_member: Mapping[int, tuple[int, ...]] = field(default_factory=Chunks)  # manager member -> VIP number ids
    vip_by_number: Mapping[str, tuple[int, ...]] = field(default_factory=Chunks)  # number -> VIP number ids
    # Which snapshot this is, for consumers that follow only what changed (changes_since).
    serial: int = field(default_factory=lambda: next(_SERIALS), compare=False)

    def changes_since(self, earlier: Snapshot | None) -> Mapping[str, frozenset] | None:
        """The keys that changed from `earlier` to this snapshot; None when it cannot tell (loaded whole since,
        or too long ago)."""
        merged: dict[str, frozenset] = {}
        serial = self.serial
        for _ in range(_LINEAGE_SIZE):
            if earlier is not None and serial == earlier.serial:
                return merged
            step = _LINEAGE.get(serial)
            if step is None:
                return None
            serial, changes = step
            for part, keys in changes.items():
                merged[part] = merged.get(part, frozenset()) | keys
        return None

    @classmethod
    def load(cls, conn: Connection) -> Snapshot:
        # Hundreds of thousands of new objects and no garbage among them: the collector would only walk them,
        # again and again as they pile up (a third of a large site's start).
        enabled = gc.isenabled()
        gc.disable()
        try:
            parts = {p.name: Chunks(p.build(conn)) for p in PARTS}
            return cls(**parts, **{i.name: i.build(parts[i.part]) for i in INDEXES})
        finally:
            if enabled:
                gc.enable()

    def advance(self, conn: Connection, changes: Mapping[str, Iterable[str]]) -> Snapshot:
        """A new snapshot with the keys named in `changes` (part name -> keys as text, the journal's form)
        read again; every other key keeps its value, shared with this snapshot."""
        values: dict[str, Any] = {}
        read_again: dict[str, frozenset] = {}
        for part in PARTS:
            keys = {part.key_type(k) for k in changes.get(part.name, ())}
            if not keys:
                continue
            read_again[part.name] = frozenset(keys)
            fresh = part.build(conn, keys)
            # a part of single rows stays in key order (an id can be given by hand below the last: the demo's group 45)
            values[part.name] = getattr(self, part.name).changed(fresh, keys - fresh.keys(), part.name in _SINGLE)
        for index in INDEXES:
            if index.part in values:
                values[index.name] = index.advance(getattr(self, index.name), getattr(self, index.part),
                                                   values[index.part], read_again[index.part])
        advanced = dataclasses.replace(self, **values, serial=next(_SERIALS))
        _LINEAGE[advanced.serial] = (self.serial, read_again)
        while len(_LINEAGE) > _LINEAGE_SIZE:
            del _LINEAGE[next(iter(_LINEAGE))]  # the oldest (dicts keep insertion order)
        return advanced

    def manager_of(self, group_id: int) -> sa.Row | None:
        """The manager's membership of a group, if it has one."""
        return next((gm for gm in self.group_members.get(group_id, []) if gm.type == MANAGER), None)

    def user_group_ids(self, user_id: int) -> set[int]:
        """The groups the user is a member of (through any of their members)."""
        return {gm.group_id for m in self.user_members.get(user_id, ()) for gm in self.member_groups.get(m.id, ())}

    def vip_list(self, member_id: int) -> list[sa.Row]:
        """A manager's VIP numbers, in the order they were added."""
        return [self.vip_numbers[i] for i in self.vip_by_member.get(member_id, ())]

    def has(self, user_id: int, app: str, privilege: str) -> bool:
        return (app, privilege) in self.privileges.get(user_id, frozenset())


def per_snapshot(build: Callable[[Snapshot], T]) -> Callable[[Snapshot], T]:
    """Remember `build` for the newest snapshot: a snapshot never changes, and a new one replaces it."""
    last: list = [None, None]

    def get(snap: Snapshot) -> T:
        if last[0] is not snap:
            last[:] = [snap, build(snap)]
        return last[1]
    return get
