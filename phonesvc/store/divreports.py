"""The PhoneDiversions Reports tab's records: every diversion switched on or off (diversion_log, written by
diversions.set_state) and every Call Handler call (callhandler_log), read as one list in time order.

Each kind is filtered on its own table first (the period on its `at` index), then the two are merged: a
month of a busy site stays a range scan of two indexes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.store.schema import callhandler_log as ch
from phonesvc.store.schema import diversion_log as dl

DIVERSION, CALL_HANDLER = "Diversion", "Call Handler"
ACTIONS = (DIVERSION, CALL_HANDLER)
ACTIVATED, DEACTIVATED = "Activated", "Deactivated"
# What happened to a Call Handler call (callhandler.py decides)
CONNECTED = "Connected"  # after the announcement, to the number first dialled
DIRECT = "Direct access"  # a Direct Access Number: connected at once, no announcement
TERMINATED = "Terminated"  # the announcement was all it got, then the Call Handler ended the call
HUNG_UP = "Hung up"  # the caller hung up before the Call Handler was done
NOT_CONNECTED = "Not connected"  # the PBX refused to connect it (the line is unknown, out of service, DND)
STATUSES = (ACTIVATED, DEACTIVATED, CONNECTED, DIRECT, TERMINATED, HUNG_UP, NOT_CONNECTED)
PAGE_SIZE = 50


@dataclass(frozen=True)
class CallHandlerCall:
    at: float
    call_id: str
    caller_number: str
    receiver_number: str
    group_name: str
    status: str


@dataclass(frozen=True)
class Filter:
    since: float
    until: float
    action: str = ""  # "" : all
    status: str = ""  # "" : all
    search: str = ""  # any part of user, where from, caller, receiver or group
    newest_first: bool = True


@dataclass(frozen=True)
class ReportRow:
    at: float
    action: str
    status: str
    user_name: str
    source: str
    caller_number: str
    receiver_number: str
    group_name: str


def add_call(conn: Connection, call: CallHandlerCall) -> None:
    conn.execute(ch.insert().values(at=call.at, call_id=call.call_id[:64], caller_number=call.caller_number[:32],
                                    receiver_number=call.receiver_number[:32], group_name=call.group_name[:100],
                                    status=call.status))


def _matches(search: str, *columns) -> sa.ColumnElement:
    return sa.or_(*(c.icontains(search, autoescape=True) for c in columns))


def _selects(f: Filter) -> list[sa.Select]:
    out = []
    if f.action in ("", DIVERSION) and f.status in ("", ACTIVATED, DEACTIVATED):
        status = sa.case((dl.c.state == "ON", ACTIVATED), else_=DEACTIVATED)
        q = sa.select(dl.c.at, sa.literal(DIVERSION).label("action"), status.label("status"), dl.c.user_name,
                      dl.c.source, sa.literal("").label("caller_number"), sa.literal("").label("receiver_number"),
                      dl.c.group_name, dl.c.id).where(dl.c.at >= f.since, dl.c.at < f.until)
        if f.status:
            q = q.where(dl.c.state == ("ON" if f.status == ACTIVATED else "OFF"))
        if f.search:
            q = q.where(_matches(f.search, dl.c.user_name, dl.c.source, dl.c.group_name))
        out.append(q)
    if f.action in ("", CALL_HANDLER) and f.status not in (ACTIVATED, DEACTIVATED):
        q = sa.select(ch.c.at, sa.literal(CALL_HANDLER).label("action"), ch.c.status,
                      sa.literal("").label("user_name"), sa.literal("").label("source"), ch.c.caller_number,
                      ch.c.receiver_number, ch.c.group_name, ch.c.id).where(ch.c.at >= f.since, ch.c.at < f.until)
        if f.status:
            q = q.where(ch.c.status == f.status)
        if f.search:
            q = q.where(_matches(f.search, ch.c.caller_number, ch.c.receiver_number, ch.c.group_name))
        out.append(q)
    return out


def _union(f: Filter) -> sa.Subquery | None:
    selects = _selects(f)
    if not selects:
        return None
    return (selects[0] if len(selects) == 1 else sa.union_all(*selects)).subquery()


def count(conn: Connection, f: Filter) -> int:
    rows = _union(f)
    return 0 if rows is None else conn.execute(sa.select(sa.func.count()).select_from(rows)).scalar_one()


def rows(conn: Connection, f: Filter, offset: int = 0, limit: int | None = PAGE_SIZE) -> Iterator[ReportRow]:
    """The report lines in time order (newest first unless told), a page of them or (limit None) all."""
    u = _union(f)
    if u is None:
        return
    order = (sa.desc, sa.desc) if f.newest_first else (sa.asc, sa.asc)
    q = sa.select(u.c.at, u.c.action, u.c.status, u.c.user_name, u.c.source, u.c.caller_number,
                  u.c.receiver_number, u.c.group_name).order_by(order[0](u.c.at), order[1](u.c.id))
    if offset:
        q = q.offset(offset)
    if limit is not None:
        q = q.limit(limit)
    for r in conn.execute(q):
        yield ReportRow(*r)
