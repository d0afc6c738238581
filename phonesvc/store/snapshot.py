"""An immutable in-memory picture of the configuration, for requests that must not wait on the
database (phones ask all day). Rebuilt after writes; see Store.snapshot()."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain.members import MANAGER
from phonesvc.store.schema import (
    announcements,
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


@dataclass(frozen=True)
class Snapshot:
    users: dict[int, sa.Row] = field(default_factory=dict)
    devices: dict[str, sa.Row] = field(default_factory=dict)  # by upper-case device name
    groups: dict[int, sa.Row] = field(default_factory=dict)
    members: dict[int, sa.Row] = field(default_factory=dict)
    group_members: dict[int, list[sa.Row]] = field(default_factory=dict)  # group id -> memberships in order
    member_groups: dict[int, list[sa.Row]] = field(default_factory=dict)  # member id -> memberships
    user_members: dict[int, list[sa.Row]] = field(default_factory=dict)  # user id -> members
    forwarding: dict[int, sa.Row] = field(default_factory=dict)  # member id -> forwarding
    privileges: dict[int, frozenset[tuple[str, str]]] = field(default_factory=dict)
    vip_numbers: dict[int, list[sa.Row]] = field(default_factory=dict)  # manager member id -> numbers
    announcements: dict[int, tuple[str, ...]] = field(default_factory=dict)  # group id -> waves, play order
    diversion_groups: tuple[sa.Row, ...] = ()  # PhoneDiversions' groups, by id
    diversion_lines: dict[int, list[sa.Row]] = field(default_factory=dict)  # diversion group id -> lines

    @classmethod
    def load(cls, conn: Connection) -> Snapshot:
        def rows(query):
            return conn.execute(query).all()

        by_group, by_member, by_user = defaultdict(list), defaultdict(list), defaultdict(list)
        for gm in rows(sa.select(group_members).order_by(group_members.c.group_id, group_members.c.position)):
            by_group[gm.group_id].append(gm)
            by_member[gm.member_id].append(gm)
        member_rows = rows(sa.select(members).order_by(members.c.id))
        for m in member_rows:
            by_user[m.user_id].append(m)
        privs = defaultdict(set)
        for p in rows(sa.select(privileges)):
            privs[p.user_id].add((p.app, p.privilege))
        vips = defaultdict(list)
        for v in rows(sa.select(vip_numbers).order_by(vip_numbers.c.id)):
            vips[v.member_id].append(v)
        waves = defaultdict(list)
        for a in rows(sa.select(announcements).order_by(announcements.c.group_id, announcements.c.priority)):
            waves[a.group_id].append(a.wave)
        lines = defaultdict(list)
        for ln in rows(sa.select(diversion_lines).order_by(diversion_lines.c.id)):
            lines[ln.group_id].append(ln)
        return cls(
            users={u.id: u for u in rows(sa.select(users))},
            devices={d.name: d for d in rows(sa.select(devices))},
            groups={g.id: g for g in rows(sa.select(groups).order_by(groups.c.id))},
            members={m.id: m for m in member_rows},
            group_members=dict(by_group), member_groups=dict(by_member), user_members=dict(by_user),
            forwarding={f.member_id: f for f in rows(sa.select(forwarding))},
            privileges={k: frozenset(v) for k, v in privs.items()},
            vip_numbers=dict(vips),
            announcements={k: tuple(v) for k, v in waves.items()},
            diversion_groups=tuple(rows(sa.select(diversion_groups).order_by(diversion_groups.c.id))),
            diversion_lines=dict(lines),
        )

    def manager_of(self, group_id: int) -> sa.Row | None:
        """The manager's membership of a group, if it has one."""
        return next((gm for gm in self.group_members.get(group_id, []) if gm.type == MANAGER), None)

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
