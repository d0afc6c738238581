"""What a report covers besides its period: one group, all groups the user may see, or (details only) one
member; with or without outbound calls. And the names the reports show for numbers."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from phonesvc.domain.members import MANAGER
from phonesvc.store.snapshot import Snapshot

EXTERNAL = "External"  # the manual's name for a number no user is associated with


@dataclass(frozen=True)
class Scope:
    groups: tuple[int, ...] | None  # None: every group (All, with Admin); a user's All is their groups
    member: str = ""  # details: only calls this member number was involved in
    outbound: bool = False

    @property
    def single(self) -> int | None:
        """The group of a one-group report (its manager is listed first)."""
        return self.groups[0] if self.groups is not None and len(self.groups) == 1 else None

    def where_group(self, column: sa.ColumnElement) -> sa.ColumnElement | None:
        if self.groups is None:
            return None
        return column.in_(self.groups) if self.groups else sa.false()


def user_name(snap: Snapshot, number: str) -> str:
    """The directory user whose line (or member number) this is, or ""."""
    ids = snap.users_by_line.get(number, ())
    if not ids:
        ids = tuple(snap.members[m].user_id for m in snap.members_by_number.get(number, ()) if m in snap.members)
    user = snap.users.get(ids[0]) if ids else None
    if user is None:
        return ""
    return f"{user.first_name} {user.last_name}".strip() or user.user_name


def roster(snap: Snapshot, group_id: int) -> list[str]:
    """The group's member numbers: the manager first, then the others in their order."""
    rows = sorted(snap.group_members.get(group_id, ()), key=lambda gm: (gm.type != MANAGER, gm.position))
    return [snap.members[gm.member_id].number for gm in rows if gm.member_id in snap.members]


def report_groups(snap: Snapshot, scope: Scope, seen: set[int]) -> list[int]:
    """The groups a report lists, by name: the scope's, or every group (with figures or still configured)."""
    ids = set(scope.groups) if scope.groups is not None else set(snap.groups) | seen
    return sorted(ids, key=lambda g: (snap.groups[g].name.casefold() if g in snap.groups else "\uffff", g))
