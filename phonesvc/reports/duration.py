"""The call duration report: per member, the time spent in calls and its average per call (inbound and
outbound apart when outbound calls are in); its graph: total seconds (two bars with outbound)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from phonesvc.reports.figures import Figures, GroupFigures, bar_graph, group_figures
from phonesvc.reports.period import Period
from phonesvc.reports.scope import Scope
from phonesvc.reports.table import SECONDS, Column, Report, Section
from phonesvc.store.snapshot import Snapshot

TITLE = "Call duration"


def columns(outbound: bool) -> list[Column]:
    more = [Column("Outbound call duration", SECONDS), Column("∅ Outbound call duration", SECONDS),
            Column("Inbound call duration", SECONDS), Column("∅ Inbound call duration", SECONDS)] if outbound else []
    return [Column("Number"), Column("Member"), Column("Call duration", SECONDS), Column("∅ Call duration", SECONDS),
            *more]


def _average(seconds: float, calls: int) -> float:
    return seconds / calls if calls else 0.0


def _row(number: str, name: str, f: Figures, outbound: bool) -> tuple:
    if not outbound:
        return (number, name, f.seconds_in, _average(f.seconds_in, f.connected_in))
    total, calls = f.seconds_in + f.seconds_out, f.connected_in + f.connected_out
    return (number, name, total, _average(total, calls), f.seconds_out, _average(f.seconds_out, f.connected_out),
            f.seconds_in, _average(f.seconds_in, f.connected_in))


def report(conn: Connection, snap: Snapshot, period: Period, scope: Scope) -> tuple[Report, list[GroupFigures]]:
    groups = group_figures(conn, snap, period, scope)
    sections = [Section(g.name, [_row(m.number, m.name, m.figures, scope.outbound) for m in g.members])
                for g in groups]
    return Report(TITLE, columns(scope.outbound), sections), groups


def graph(groups: list[GroupFigures], scope: Scope) -> dict:
    """Total seconds per member (inbound and outbound bars with outbound calls); with All, per group first."""
    if scope.outbound:
        return bar_graph(groups, scope, "Call duration (seconds)", ["inbound", "outbound"],
                         lambda f: [round(f.seconds_in), round(f.seconds_out)])
    return bar_graph(groups, scope, "Call duration (seconds)", ["seconds"], lambda f: [round(f.seconds_in)])
