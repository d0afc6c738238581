"""VIP numbers on a manager's list."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.members import MANAGER
from phonesvc.store.ids import require_row
from phonesvc.store.members import require_member
from phonesvc.store.schema import group_members, users
from phonesvc.store.schema import vip_numbers as vn

# Built once (compiled once): addVIPNumber runs them many times a second.
_MANAGES = sa.select(group_members.c.id).where(group_members.c.member_id == sa.bindparam("mid"),
                                               group_members.c.type == MANAGER)
_ON_LIST = sa.select(vn.c.id).where(vn.c.member_id == sa.bindparam("mid"), vn.c.number == sa.bindparam("number"),
                                    vn.c.id != sa.bindparam("other"))
_ADD = vn.insert().values(member_id=sa.bindparam("mid"), number=sa.bindparam("number"),
                          description=sa.bindparam("description"))


def require_manager(conn: Connection, member) -> None:
    if not conn.execute(_MANAGES, {"mid": member.id}).first():
        raise Rejected(E.INVALID_PARAMETERS, f"member {member.id} is not a group manager")


def require_vip(conn: Connection, vn_id: str | None):
    return require_row(conn, vn, vn_id, E.NOT_FOUND, "VIP number")


def _unique(conn: Connection, member_id: int, number: str, vip_id: int | None = None) -> None:
    # ids start at 1: `other` 0 (a new number) excludes nothing
    if conn.execute(_ON_LIST, {"mid": member_id, "number": number, "other": vip_id or 0}).first():
        raise Rejected(E.ALREADY_EXISTS, f"{number} is already on this VIP list")


def add_vip(conn: Connection, member_id: int, number: str, description: str) -> int:
    require_manager(conn, require_member(conn, member_id))
    _unique(conn, member_id, number)
    return conn.execute(_ADD, {"mid": member_id, "number": number, "description": description}).inserted_primary_key[0]


def edit_vip(conn: Connection, row, number: str | None, description: str | None) -> None:
    values = {}
    if number is not None:
        _unique(conn, row.member_id, number, row.id)
        values["number"] = number
    if description is not None:
        values["description"] = description
    if values:
        conn.execute(vn.update().where(vn.c.id == row.id).values(**values))


def delete_vip(conn: Connection, row) -> None:
    conn.execute(vn.delete().where(vn.c.id == row.id))


def list_vips(conn: Connection, member_id: int | None = None, number: str | None = None) -> list[dict]:
    """VIP numbers with the directory user they belong to (by line or mobile number), if any."""
    query = sa.select(vn).order_by(vn.c.member_id, vn.c.id)
    if member_id is not None:
        query = query.where(vn.c.member_id == member_id)
    if number is not None:
        query = query.where(vn.c.number == number)
    rows = conn.execute(query).all()
    wanted = {r.number for r in rows}
    owners: dict[str, tuple[str, str]] = {}
    if wanted:
        for u in conn.execute(sa.select(users.c.first_name, users.c.last_name, users.c.line_number,
                                        users.c.mobile_number).order_by(users.c.id)
                              .where(sa.or_(users.c.line_number.in_(wanted), users.c.mobile_number.in_(wanted)))):
            for num in (u.line_number, u.mobile_number):
                if num in wanted:
                    owners.setdefault(num, (u.first_name, u.last_name))
    return [{**r._mapping, "first_name": owners.get(r.number, ("", ""))[0],
             "last_name": owners.get(r.number, ("", ""))[1]} for r in rows]

