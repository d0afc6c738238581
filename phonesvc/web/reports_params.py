"""What a report request asks for (query parameters of `reports/run`), checked: type, output, period (a month
or a custom start and end), and the scope chosen before it runs (group or All, a member for details, outbound
calls). A group or member the visitor may not see is Forbidden; anything else wrong is a field error."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import QueryParams

from phonesvc.domain.privileges import MAGROUP
from phonesvc.reports.period import INPUT_FORMAT, Period, parse_moment, parse_month
from phonesvc.reports.scope import Scope, roster
from phonesvc.store.snapshot import Snapshot
from phonesvc.web.access import Forbidden, Visitor
from phonesvc.web.ma_group_nav import visible_groups

TYPES = {"details": "Details", "count": "Call count", "duration": "Call duration"}
OUTPUTS = {"screen": "Screen", "graph": "Graph", "excel": "Excel"}
ALL = "all"
MAX_DAYS = 3660  # a custom period of up to ten years


@dataclass
class Ask:
    kind: str
    output: str
    period: Period
    chosen: bool  # the scope was chosen (else: the choice comes first)
    scope: Scope
    filters: list[tuple[str, str]] = field(default_factory=list)  # (name, value) shown above the report
    page: int = 1
    group: str = ""  # as asked: "all" or a group id


class Invalid(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def period_of(q: QueryParams, errors: dict[str, str]) -> Period | None:
    if q.get("month"):
        try:
            return parse_month(q["month"])
        except ValueError:
            errors["month"] = "Choose a month from the list."
            return None
    start = end = None
    try:
        start = parse_moment(q.get("start", ""))
    except ValueError:
        errors["start"] = "Enter the start date and time, e.g. 20.08.2024 00:00."
    try:
        end = parse_moment(q.get("end", ""))
    except ValueError:
        errors["end"] = "Enter the end date and time, e.g. 21.08.2024 00:00."
    if start is not None and end is not None:
        if end <= start:
            errors["end"] = "The end must come after the start."
        elif (end - start).days > MAX_DAYS:
            errors["end"] = "A report covers at most ten years."
        else:
            return Period(start, end)
    return None


def parse(q: QueryParams, snap: Snapshot, who: Visitor) -> Ask:
    errors: dict[str, str] = {}
    kind, output = q.get("type", ""), q.get("output", "")
    if kind not in TYPES:
        errors["type"] = "Choose Details, Call count or Call duration."
    if output not in OUTPUTS:
        errors["output"] = "Choose Screen, Graph or Excel."
    period = period_of(q, errors)
    if errors or period is None:
        raise Invalid(errors)
    mine = {g.id: g for g in visible_groups(snap, who)}
    everything = who.may(MAGROUP, "Admin")
    group, member, outbound = q.get("group"), q.get("member", ""), q.get("outbound") == "1"
    filters = [("Type", TYPES[kind]), ("Period", period.label)]
    if group is None:
        return Ask(kind, output, period, False, Scope(tuple(mine)), filters)
    if group == ALL:
        groups: tuple[int, ...] | None = None if everything else tuple(mine)
        filters.append(("Group", "All"))
    else:
        if not group.isdigit() or int(group) not in mine:
            raise Forbidden("You may not see reports of this group.")
        groups = (int(group),)
        filters.append(("Group", mine[int(group)].name))
    if member:
        numbers = {n for g in (groups if groups is not None else mine) for n in roster(snap, g)}
        if kind != "details" or member not in numbers:
            raise Forbidden("You may not see reports of this member.")
        filters.append(("Member", member))
    filters.append(("Outbound calls", "Yes" if outbound else "No"))
    page = q.get("page", "1")
    return Ask(kind, output, period, True, Scope(groups, member, outbound), filters,
               int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1, group)


def period_query(ask: Ask) -> dict[str, str]:
    p = ask.period
    if p.is_month:
        return {"month": p.key}
    return {"start": p.start.strftime(INPUT_FORMAT), "end": p.end.strftime(INPUT_FORMAT)}
