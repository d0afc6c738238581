"""The call duration report: per member, the time spent in calls and its average per call (inbound and
outbound apart when outbound calls are in); its graph: total seconds (two bars with outbound)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from phonesvc.reports.figures import GroupFigures, MemberFigures, bar_graph, member_report
from phonesvc.reports.period import Period
from phonesvc.reports.scope import Scope
from phonesvc.reports.table import SECONDS, Column, Report
from phonesvc.store.snapshot import Snapshot

TITLE = "Call duration"


def columns(outbound: bool) -> list[Column]:
    more = [Column("Outbound call duration", SECONDS), Column("∅ Outbound call duration", SECONDS),
            Column("Inbound call duration", SECONDS), Column("∅ Inbound call duration", SECONDS)] if outbound else []
    return [Column("Number"), Column("Member"), Column("Call duration", SECONDS), Column("∅ Call duration", SECONDS),
            *more]


def _average(seconds: float, calls: int) -> float:
    return seconds / calls if calls else 0.0


def _row(m: MemberFigures, outbound: bool) -> tuple:
    f = m.figures
    if not outbound:
        return (m.number, m.name, f.seconds_in, _average(f.seconds_in, f.connected_in))
    total, calls = f.seconds_in + f.seconds_out, f.connected_in + f.connected_out
    return (m.number, m.name, total, _average(total, calls), f.seconds_out, _average(f.seconds_out, f.connected_out),
            f.seconds_in, _average(f.seconds_in, f.connected_in))


def report(conn: Connection, snap: Snapshot, period: Period, scope: Scope) -> tuple[Report, list[GroupFigures]]:
    return member_report(conn, snap, period, scope, TITLE, columns(scope.outbound), _row)


def graph(groups: list[GroupFigures], scope: Scope) -> dict:
    """Total seconds per member (inbound and outbound bars with outbound calls); with All, per group first."""
    if scope.outbound:
        return bar_graph(groups, scope, "Call duration (seconds)", ["inbound", "outbound"],
                         lambda f: [round(f.seconds_in), round(f.seconds_out)])
    return bar_graph(groups, scope, "Call duration (seconds)", ["seconds"], lambda f: [round(f.seconds_in)])
