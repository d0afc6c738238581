"""The call log's per-member rows (table call_members): written with each call record, in the same
transaction, and filled from the existing records once by the schema version 10 migration."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain.calls import OUTBOUND, CallRecord, member_parts
from phonesvc.store.schema import call_log as cl
from phonesvc.store.schema import call_members as cm

BACKFILL_CHUNK = 20_000  # call records read (and member rows written) at a time by the migration


def member_rows(call_log_id: int, record: CallRecord) -> list[dict]:
    return [{"call_log_id": call_log_id, "number": p.number[:32], "group_id": record.group_id,
             "started": record.started, "outbound": 1 if record.direction == OUTBOUND else 0,
             "connected": 1 if p.connected else 0, "missed": 1 if p.missed else 0, "seconds": p.seconds}
            for p in member_parts(record)]


def add_members(conn: Connection, pairs: Iterable[tuple[int, CallRecord]]) -> None:
    """The member rows of records just inserted with these call_log ids."""
    rows = [row for call_log_id, record in pairs for row in member_rows(call_log_id, record)]
    if rows:
        conn.execute(cm.insert(), rows)


def backfill_members(conn: Connection) -> None:
    """The member rows of every call logged before schema version 10, in chunks of ids."""
    from phonesvc.store.calllog import record_of  # calllog imports this module

    last = 0
    while True:
        rows = conn.execute(sa.select(cl).where(cl.c.id > last).order_by(cl.c.id).limit(BACKFILL_CHUNK)).all()
        if not rows:
            return
        add_members(conn, ((r.id, record_of(r)) for r in rows))
        last = rows[-1].id
