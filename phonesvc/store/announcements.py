"""Waiting announcements of a group, kept in a gap-free priority order 1..n."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain import errors as E
from phonesvc.store.ids import require_row
from phonesvc.store.schema import announcements as an
from phonesvc.store.schema import groups


def require_announcement(conn: Connection, an_id: str | None):
    return require_row(conn, an, an_id, E.INVALID_ANNOUNCEMENT_ID, "announcement")


def list_announcements(conn: Connection, group_id: int) -> list:
    return conn.execute(sa.select(an).where(an.c.group_id == group_id).order_by(an.c.priority, an.c.id)).all()


def _renumber(conn: Connection, group_id: int, ordered_ids: list[int]) -> None:
    for priority, aid in enumerate(ordered_ids, start=1):
        conn.execute(an.update().where(an.c.id == aid).values(priority=priority))


def add_announcement(conn: Connection, group_id: int, wave: str, priority: int | None) -> int:
    """Insert at `priority` (1 is played first); None or past the end appends."""
    require_row(conn, groups, group_id, E.INVALID_GROUP_ID, "group")
    ids = [r.id for r in list_announcements(conn, group_id)]
    new_id = conn.execute(an.insert().values(group_id=group_id, wave=wave, priority=len(ids) + 1)
                          ).inserted_primary_key[0]
    at = len(ids) if priority is None else min(priority - 1, len(ids))
    ids.insert(at, new_id)
    _renumber(conn, group_id, ids)
    return new_id


def rename_announcement(conn: Connection, row, wave: str) -> None:
    conn.execute(an.update().where(an.c.id == row.id).values(wave=wave))


def delete_announcement(conn: Connection, row) -> None:
    conn.execute(an.delete().where(an.c.id == row.id))
    _renumber(conn, row.group_id, [r.id for r in list_announcements(conn, row.group_id)])


def move_announcement(conn: Connection, row, up: bool) -> None:
    """One place up (played earlier) or down; a no-op at either end."""
    ids = [r.id for r in list_announcements(conn, row.group_id)]
    i = ids.index(row.id)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        _renumber(conn, row.group_id, ids)
