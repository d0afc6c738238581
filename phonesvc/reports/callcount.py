"""The call count report: per member, missed and connected calls, and with outbound calls also inbound,
outbound and the total; its graph's bars (connected, missed, not connected)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from phonesvc.reports.figures import Figures, GroupFigures, MemberFigures, bar_graph, member_report
from phonesvc.reports.period import Period
from phonesvc.reports.scope import Scope
from phonesvc.reports.table import COUNT, Column, Report
from phonesvc.store.snapshot import Snapshot

TITLE = "Call count"


def columns(outbound: bool) -> list[Column]:
    more = [Column("Inbound calls", COUNT), Column("Outbound calls", COUNT)] if outbound else []
    return [Column("Number"), Column("Member"), Column("Missed calls", COUNT), Column("Connected", COUNT), *more,
            Column("Calls", COUNT)]


def counts(f: Figures, outbound: bool) -> dict[str, int]:
    """The figures of one member or group. Connected counts answered outbound calls too when they are in
    (the manual's graph: "either inbound calls or the total of inbound and outbound calls")."""
    inbound = f.missed + f.connected_in
    if not outbound:
        return {"missed": f.missed, "connected": f.connected_in, "calls": inbound}
    return {"missed": f.missed, "connected": f.connected_in + f.connected_out, "inbound": inbound,
            "outbound": f.outbound, "calls": inbound + f.outbound, "not_connected": f.outbound - f.connected_out}


def _row(m: MemberFigures, outbound: bool) -> tuple:
    c = counts(m.figures, outbound)
    more = (c["inbound"], c["outbound"]) if outbound else ()
    return (m.number, m.name, c["missed"], c["connected"], *more, c["calls"])


def report(conn: Connection, snap: Snapshot, period: Period, scope: Scope) -> tuple[Report, list[GroupFigures]]:
    return member_report(conn, snap, period, scope, TITLE, columns(scope.outbound), _row)


def graph(groups: list[GroupFigures], scope: Scope) -> dict:
    """Connected, missed (and not connected outbound) bars: per group with All, per member for one group."""
    series = ["connected", "missed"] + (["not_connected"] if scope.outbound else [])
    title = "Call count for Members" if scope.single is not None else "Call count for Groups"
    return bar_graph(groups, scope, title, series, lambda f: [counts(f, scope.outbound)[s] for s in series])
