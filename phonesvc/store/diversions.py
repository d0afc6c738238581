"""PhoneDiversions: diversion groups with a destination, a state, and assigned lines."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.store.ids import require_row
from phonesvc.store.schema import diversion_groups as dg
from phonesvc.store.schema import diversion_lines as dl
from phonesvc.store.schema import diversion_log, users

STATES = ("ON", "OFF")


@dataclass(frozen=True)
class Switcher:
    """Who switches a diversion and where from, as the Reports tab shows it."""

    user_name: str
    source: str  # "Phone SEP…", "Web 10.0.0.5", "REST 10.0.0.5", "CLI"


def require_diversion_group(conn: Connection, group_id: str | None):
    return require_row(conn, dg, group_id, E.INVALID_GROUP_ID, "diversion group")


def require_line(conn: Connection, line_id: str | None):
    return require_row(conn, dl, line_id, E.NOT_FOUND, "diversion line")


def _unique_name(conn: Connection, name: str, group_id: int | None) -> dict:
    other = dg.c.id != group_id if group_id else sa.true()
    key = name.strip().casefold()
    if conn.execute(sa.select(dg.c.id).where(dg.c.name_key == key, other)).first():
        raise Rejected(E.ALREADY_EXISTS, f"a diversion group named {name.strip()!r} already exists")
    return {"name": name.strip(), "name_key": key}


def add_group(conn: Connection, name: str, description: str, destination: str, state: str = "OFF",
              by: Switcher | None = None) -> int:
    """A new group; one added ON counts as switched on `by` someone (None: seeded, as the demo does)."""
    values = {**_unique_name(conn, name, None), "description": description, "destination": destination,
              "state": state}
    group_id = conn.execute(dg.insert().values(**values)).inserted_primary_key[0]
    if state == "ON" and by is not None:
        _record(conn, group_id, values["name"], state, by)
    return group_id


def edit_group(conn: Connection, row, name: str | None, description: str | None, destination: str | None) -> None:
    values: dict = _unique_name(conn, name, row.id) if name is not None else {}
    if description is not None:
        values["description"] = description
    if destination is not None:
        values["destination"] = destination
    if values:
        conn.execute(dg.update().where(dg.c.id == row.id).values(**values))


def set_state(conn: Connection, row, state: str, by: Switcher) -> bool:
    """Switch a diversion group ON or OFF: the one path of every surface (phone, web, REST), so the
    diversion log (the Reports tab) gets its line in the same transaction. The state it already has
    changes and records nothing; returns whether it switched."""
    if row.state == state:
        return False
    conn.execute(dg.update().where(dg.c.id == row.id).values(state=state))
    _record(conn, row.id, row.name, state, by)
    return True


def _record(conn: Connection, group_id: int, group_name: str, state: str, by: Switcher) -> None:
    conn.execute(diversion_log.insert().values(at=time.time(), group_id=group_id, group_name=group_name,
                                               user_name=by.user_name[:100], state=state, source=by.source[:100]))


def delete_group(conn: Connection, row) -> None:
    conn.execute(dl.delete().where(dl.c.group_id == row.id))
    conn.execute(dg.delete().where(dg.c.id == row.id))


def add_line(conn: Connection, group_id: int, number: str, description: str) -> int:
    if conn.execute(sa.select(dl.c.id).where(dl.c.group_id == group_id, dl.c.number == number)).first():
        raise Rejected(E.ALREADY_EXISTS, f"line {number} is already assigned to this group")
    return conn.execute(dl.insert().values(group_id=group_id, number=number, description=description)
                        ).inserted_primary_key[0]


def edit_line(conn: Connection, row, number: str | None, description: str | None) -> None:
    values = {}
    if number is not None and number != row.number:
        if conn.execute(sa.select(dl.c.id).where(dl.c.group_id == row.group_id, dl.c.number == number)).first():
            raise Rejected(E.ALREADY_EXISTS, f"line {number} is already assigned to this group")
        values["number"] = number
    if description is not None:
        values["description"] = description
    if values:
        conn.execute(dl.update().where(dl.c.id == row.id).values(**values))


def delete_line(conn: Connection, row) -> None:
    conn.execute(dl.delete().where(dl.c.id == row.id))


def user_label_by_number(conn: Connection, numbers: set[str]) -> dict[str, str]:
    """'Tamara Farrow, Sales' for each line number that belongs to a directory user."""
    if not numbers:
        return {}
    out: dict[str, str] = {}
    for u in conn.execute(sa.select(users).where(users.c.line_number.in_(numbers)).order_by(users.c.id)):
        name = f"{u.first_name} {u.last_name}".strip() or u.user_name
        out.setdefault(u.line_number, f"{name}, {u.department}" if u.department else name)
    return out


def list_groups(conn: Connection, group_id: int | None = None, name_contains: str | None = None) -> list[dict]:
    """Groups with their lines, each with the directory user of its number."""
    query = sa.select(dg).order_by(dg.c.id)
    if group_id is not None:
        query = query.where(dg.c.id == group_id)
    groups = [dict(r._mapping) for r in conn.execute(query)]
    if name_contains:
        groups = [g for g in groups if name_contains.casefold() in g["name"].casefold()]
    lines: dict[int, list[dict]] = {}
    if groups:
        for r in conn.execute(sa.select(dl).where(dl.c.group_id.in_([g["id"] for g in groups]))
                              .order_by(dl.c.group_id, dl.c.id)):
            lines.setdefault(r.group_id, []).append(dict(r._mapping))
    labels = user_label_by_number(conn, {g["destination"] for g in groups}
                                  | {ln["number"] for ls in lines.values() for ln in ls})
    for g in groups:
        g["user"] = labels.get(g["destination"], "")
        g["lines"] = [{**ln, "user": labels.get(ln["number"], "")} for ln in lines.get(g["id"], [])]
    return groups

