"""Groups of the ManagerAssistant Group application."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.groups import GROUP_DEFAULTS, GROUP_PARAMS
from phonesvc.store.ids import require_row
from phonesvc.store.schema import group_members, groups, members

GROUP_COLUMNS = tuple(p.column for p in GROUP_PARAMS)


def require_group(conn: Connection, group_id: str | int | None, status: str = E.INVALID_GROUP_ID):
    return require_row(conn, groups, group_id, status, "group")


def _check(conn: Connection, values: dict, group_id: int | None) -> dict:
    """Uniqueness of name and manager number, and an overflow group that exists."""
    other = groups.c.id != group_id if group_id else sa.true()
    if "name" in values:
        values["name"] = values["name"].strip()
        values["name_key"] = values["name"].casefold()
        if conn.execute(sa.select(groups.c.id).where(groups.c.name_key == values["name_key"], other)).first():
            raise Rejected(E.ALREADY_EXISTS, f"a group named {values['name']!r} already exists")
    if values.get("number") and conn.execute(
            sa.select(groups.c.id).where(groups.c.number == values["number"], other)).first():
        raise Rejected(E.ALREADY_EXISTS, f"another group already has manager number {values['number']}")
    overflow = values.get("overflow", "")
    if overflow.startswith("group:"):
        target = int(overflow[6:])
        if target == group_id or not conn.execute(sa.select(groups.c.id).where(groups.c.id == target)).first():
            raise Rejected(E.INVALID_PARAMETERS, f"overflow group {target} does not exist")
    return values


def add_group(conn: Connection, values: dict) -> int:
    """Create a group from column values; what is not given takes the manual's defaults."""
    values = _check(conn, {**GROUP_DEFAULTS, **values}, None)
    return conn.execute(groups.insert().values(**values)).inserted_primary_key[0]


def edit_group(conn: Connection, group_id: int, values: dict) -> None:
    require_group(conn, group_id)
    values = _check(conn, dict(values), group_id)
    if values:
        conn.execute(groups.update().where(groups.c.id == group_id).values(**values))


def delete_group(conn: Connection, group_id: int) -> None:
    """Delete a group: its members leave it (with clean-up), displays and overflows that name it reset."""
    from phonesvc.store.members import remove_member

    for member_id in conn.execute(sa.select(group_members.c.member_id)
                                  .where(group_members.c.group_id == group_id)).scalars().all():
        remove_member(conn, member_id, group_id)
    conn.execute(members.update().where(members.c.displayed_group == group_id).values(displayed_group=0))
    conn.execute(groups.update().where(groups.c.overflow == f"group:{group_id}").values(overflow="-1"))
    conn.execute(groups.delete().where(groups.c.id == group_id))


def list_groups(conn: Connection, name_contains: str = "", group_id: int | None = None) -> list:
    query = sa.select(groups).order_by(groups.c.id)
    if group_id is not None:
        query = query.where(groups.c.id == group_id)
    rows = conn.execute(query).all()
    needle = name_contains.casefold()
    return [r for r in rows if needle in r.name.casefold()]
