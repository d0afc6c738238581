"""Per-member sums over a period, by group: one GROUP BY over the covering index of call_members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.reports.period import Period
from phonesvc.reports.scope import EXTERNAL, Scope, report_groups, roster, user_name
from phonesvc.reports.table import Column, Report, Section
from phonesvc.store.schema import call_members as cm
from phonesvc.store.snapshot import Snapshot


@dataclass
class Figures:
    missed: int = 0
    connected_in: int = 0
    outbound: int = 0
    connected_out: int = 0
    seconds_in: float = 0.0
    seconds_out: float = 0.0

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class MemberFigures:
    number: str
    name: str
    figures: Figures


@dataclass
class GroupFigures:
    group_id: int
    name: str
    members: list[MemberFigures] = field(default_factory=list)

    @property
    def total(self) -> Figures:
        total = Figures()
        for m in self.members:
            total.add(m.figures)
        return total


def _sums(conn: Connection, period: Period, scope: Scope) -> dict[tuple[int, str], Figures]:
    out = cm.c.outbound
    q = (sa.select(cm.c.group_id, cm.c.number, sa.func.sum(cm.c.missed), sa.func.sum(cm.c.connected * (1 - out)),
                   sa.func.sum(out), sa.func.sum(cm.c.connected * out), sa.func.sum(cm.c.seconds * (1 - out)),
                   sa.func.sum(cm.c.seconds * out))
         .where(cm.c.started >= period.since, cm.c.started < period.until, cm.c.group_id.is_not(None))
         .group_by(cm.c.group_id, cm.c.number))
    if (only := scope.where_group(cm.c.group_id)) is not None:
        q = q.where(only)
    if not scope.outbound:
        q = q.where(out == 0)
    return {(g, n): Figures(int(a or 0), int(b or 0), int(c or 0), int(d or 0), float(e or 0), float(f or 0))
            for g, n, a, b, c, d, e, f in conn.execute(q)}


def group_figures(conn: Connection, snap: Snapshot, period: Period, scope: Scope) -> list[GroupFigures]:
    """Each group of the scope with its members: the current roster (manager first, also without calls),
    then any other number its calls concerned (a former member, a pickup, a forwarding target)."""
    sums = _sums(conn, period, scope)
    by_group: dict[int, dict[str, Figures]] = {}
    for (g, n), f in sums.items():
        by_group.setdefault(g, {})[n] = f
    result = []
    for gid in report_groups(snap, scope, set(by_group)):
        found = by_group.get(gid, {})
        numbers = roster(snap, gid)
        numbers += sorted(n for n in found if n not in numbers)
        group = snap.groups.get(gid)
        result.append(GroupFigures(gid, group.name if group is not None else f"({gid})", [
            MemberFigures(n, user_name(snap, n) or EXTERNAL, found.get(n, Figures())) for n in numbers]))
    return result


def member_report(conn: Connection, snap: Snapshot, period: Period, scope: Scope, title: str, columns: list[Column],
                  row: Callable[[MemberFigures, bool], tuple]) -> tuple[Report, list[GroupFigures]]:
    """A per-member report (call count, call duration): a section per group, a row per member; and the
    figures behind it, for its graph."""
    groups = group_figures(conn, snap, period, scope)
    sections = [Section(g.name, [row(m, scope.outbound) for m in g.members]) for g in groups]
    return Report(title, columns, sections), groups


def bar_graph(groups: list[GroupFigures], scope: Scope, title: str, series: list[str],
              values: Callable[[Figures], list]) -> dict:
    """Bars for the browser's graph: a one-group report shows its members; All shows one bar group per group,
    and `drill` holds each group's member bars for the click on it."""
    members = {str(g.group_id): [{"label": f"{m.name} ({m.number})", "values": values(m.figures)} for m in g.members]
               for g in groups}
    if scope.single is not None:
        return {"title": title, "series": series, "bars": members.get(str(scope.single), [])}
    return {"title": title, "series": series, "drill": members,
            "bars": [{"label": g.name, "key": str(g.group_id), "values": values(g.total)} for g in groups]}
