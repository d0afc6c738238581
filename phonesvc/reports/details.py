"""The detail report: every call of the period in time order (date and time, caller, called, duration with
the time in the greeting and waiting), a page at a time or streamed for Excel; and its graph, calls per hour
of day and per day of week."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain.calls import INBOUND
from phonesvc.reports.period import Period
from phonesvc.reports.scope import EXTERNAL, Scope, user_name
from phonesvc.reports.table import MOMENT, SECONDS, Column, Report, Section
from phonesvc.store.schema import call_log as cl
from phonesvc.store.schema import call_members as cm
from phonesvc.store.snapshot import Snapshot

TITLE = "Details"
COLUMNS = [Column("Date/Time", MOMENT), Column("Caller"), Column("Caller name"), Column("Called"),
           Column("Called name"), Column("Duration", SECONDS)]
BUCKET = 900  # seconds: the graph counts calls per quarter hour in SQL, then by local hour (any UTC offset)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FIELDS = (cl.c.started, cl.c.ended, cl.c.caller_number, cl.c.caller_name, cl.c.called_number)


def _where(period: Period, scope: Scope) -> list[sa.ColumnElement]:
    where = [cl.c.started >= period.since, cl.c.started < period.until]
    if (only := scope.where_group(cl.c.group_id)) is not None:
        where.append(only)
    if not scope.outbound:
        where.append(cl.c.direction == INBOUND)
    if scope.member:
        where.append(cl.c.id.in_(sa.select(cm.c.call_log_id).where(
            cm.c.number == scope.member, cm.c.started >= period.since, cm.c.started < period.until)))
    return where


def count(conn: Connection, period: Period, scope: Scope) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(cl).where(*_where(period, scope))).scalar_one()


def _called_name(snap: Snapshot, number: str) -> str:
    called = snap.groups_by_number.get(number, ())
    return user_name(snap, number) or (snap.groups[called[0]].name if called else "") or EXTERNAL


def _rows(snap: Snapshot, results: Iterable[sa.Row]) -> Iterator[tuple]:
    called_names: dict[str, str] = {}  # called numbers repeat (a group's number): each is looked up once
    for r in results:
        if (called_name := called_names.get(r.called_number)) is None:
            called_name = called_names[r.called_number] = _called_name(snap, r.called_number)
        yield (datetime.fromtimestamp(r.started), r.caller_number,
               user_name(snap, r.caller_number) or r.caller_name or EXTERNAL, r.called_number, called_name,
               max(0.0, r.ended - r.started))


def _query(period: Period, scope: Scope) -> sa.Select:
    return sa.select(*_FIELDS).where(*_where(period, scope)).order_by(cl.c.started, cl.c.id)


def page(conn: Connection, snap: Snapshot, period: Period, scope: Scope, offset: int, limit: int) -> Report:
    rows = list(_rows(snap, conn.execute(_query(period, scope).offset(offset).limit(limit))))
    return Report(TITLE, COLUMNS, [Section("", rows)])


def report(conn: Connection, snap: Snapshot, period: Period, scope: Scope) -> Report:
    """Every row, read as it is written out (the driver's cursor, not a list): for the Excel export."""
    cursor = conn.execution_options(stream_results=True, yield_per=2000).execute(_query(period, scope))
    return Report(TITLE, COLUMNS, [Section("", _rows(snap, cursor))])


def graph(conn: Connection, period: Period, scope: Scope) -> dict:
    """Calls per hour of day and per day of week, local time, from one GROUP BY over quarter hours."""
    scaled = cl.c.started / BUCKET
    bucket = sa.func.floor(scaled) if conn.dialect.name == "postgresql" else sa.cast(scaled, sa.Integer)
    q = sa.select(bucket, sa.func.count()).where(*_where(period, scope)).group_by(bucket)
    hours, days = [0] * 24, [0] * 7
    for b, n in conn.execute(q):
        moment = datetime.fromtimestamp(int(b) * BUCKET)
        hours[moment.hour] += n
        days[moment.weekday()] += n
    return {"tabs": [
        {"title": "Calls per Hour", "series": ["calls"],
         "bars": [{"label": f"{h:02d}", "values": [hours[h]]} for h in range(24)]},
        {"title": "Calls per Day of Week", "series": ["calls"],
         "bars": [{"label": d, "values": [days[i]]} for i, d in enumerate(WEEKDAYS)]}]}
