"""Record ids as surfaces send them, and the lookup every 'require_…' shares."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain.errors import Missing

_ID = re.compile(r"[0-9]{1,18}")


def parse_id(text: str | None) -> int | None:
    """A positive id, or None for anything that cannot name a record (abc, -3, 0, 10**30)."""
    if text is None or not _ID.fullmatch(text.strip()):
        return None
    value = int(text)
    return value if value > 0 else None


_BY_ID: dict[str, sa.Select] = {}  # table name -> its select by id, built once (compiled once)


def require_row(conn: Connection, table: sa.Table, record_id: str | int | None, status: str, what: str):
    """The row with this id, or Missing(status) saying that no such `what` exists."""
    rid = record_id if isinstance(record_id, int) else parse_id(record_id)
    query = _BY_ID.get(table.name)
    if query is None:
        query = _BY_ID[table.name] = sa.select(table).where(table.c.id == sa.bindparam("rid"))
    row = conn.execute(query, {"rid": rid}).first() if rid else None
    if row is None:
        raise Missing(status, f"no {what} with ID {record_id}", what)
    return row
