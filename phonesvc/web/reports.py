"""The Reports tab of ManagerAssistant Group: the month list and the custom report form (`reports`), the
4-eyes sign-in (`reports/foureyes`), and a report (`reports/run?type=&output=&month=|start=&end=`): first
the choice of group, member and outbound calls, then the report on screen (paged), as a graph, or as Excel."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from phonesvc.reports import callcount, details, duration, xlsx
from phonesvc.reports.period import months_with_data
from phonesvc.reports.scope import roster, user_name
from phonesvc.reports.table import Report, clock
from phonesvc.web import reports_access
from phonesvc.web.access import Visitor
from phonesvc.web.ma_group_nav import visible_groups
from phonesvc.web.pages import Form, render
from phonesvc.web.reports_params import OUTPUTS, TYPES, Ask, Invalid, parse, period_query

PAGE = 50  # rows of a report on one screen page
PER_MEMBER = {"count": callcount, "duration": duration}  # the per-member reports (details have their own shape)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if path == ["foureyes"] and request.method == "POST":
        return await reports_access.sign_in_second(request, who)
    if request.method != "GET" or path not in ([], ["run"]):
        return PlainTextResponse("Not Found", status_code=404)
    if not reports_access.unlocked(request, who):
        if path:
            reports_access.ensure(request, who)  # 403
        return reports_access.form(request)
    if not path:
        return await index(request)
    snap = request.app.state.store.snapshot()
    try:
        ask = parse(request.query_params, snap, who)
    except Invalid as exc:
        return await index(request, Form(dict(request.query_params), exc.errors), 400)
    if not ask.chosen:
        return _choose(request, who, ask)
    if ask.output == "excel":
        return await _excel(request, ask)
    if ask.output == "graph":
        data = await run_in_threadpool(_graph, request, ask)
        return render(request, "reports_graph.html", ask=ask, data=data, links=_links(request, ask))
    report, total = await run_in_threadpool(_screen, request, ask)
    return render(request, "reports_screen.html", ask=ask, report=report, clock=clock, links=_links(request, ask),
                  pages=max(1, -(-total // PAGE)), total=total)


async def index(request: Request, form: Form | None = None, status: int = 200) -> Response:
    store = request.app.state.store

    def months():
        with store.read() as conn:
            return months_with_data(conn, datetime.now())
    found = await run_in_threadpool(months)
    form = form or Form({"type": "details", "output": "screen"})
    if not form.value("start") and not form.value("end"):
        today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        form.values.setdefault("start", today.strftime("%Y-%m-%dT%H:%M"))
        form.values.setdefault("end", (today + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    return render(request, "reports.html", status, form=form, months=found, types=TYPES, outputs=OUTPUTS,
                  tab_path=reports_access.tab_path(request))


def _choose(request: Request, who: Visitor, ask: Ask) -> Response:
    """The manual's pop-up: one group (or, for details, one member) or All, and Outbound calls."""
    snap = request.app.state.store.snapshot()
    groups = visible_groups(snap, who)
    members = [(g.name, [(n, user_name(snap, n) or n) for n in roster(snap, g.id)]) for g in groups] \
        if ask.kind == "details" else []
    hidden = {"type": ask.kind, "output": ask.output, **period_query(ask)}
    return render(request, "reports_choose.html", ask=ask, groups=groups, members=members, hidden=hidden,
                  title=TYPES[ask.kind])


def _query(ask: Ask, **changes: str) -> str:
    q = {"type": ask.kind, "output": ask.output, **period_query(ask), "group": ask.group}
    if ask.scope.member:
        q["member"] = ask.scope.member
    if ask.scope.outbound:
        q["outbound"] = "1"
    q.update(changes)
    return "?" + urlencode(q)


def _links(request: Request, ask: Ask) -> dict[str, str]:
    base = request.url.path
    return {"screen": base + _query(ask, output="screen"), "graph": base + _query(ask, output="graph"),
            "excel": base + _query(ask, output="excel"), "page": base + _query(ask, output="screen", page=""),
            "back": reports_access.tab_path(request)}


def _screen(request: Request, ask: Ask) -> tuple[Report, int]:
    store = request.app.state.store
    snap = store.snapshot()
    with store.read() as conn:
        if ask.kind == "details":
            total = details.count(conn, ask.period, ask.scope)
            return details.page(conn, snap, ask.period, ask.scope, (ask.page - 1) * PAGE, PAGE), total
        report, _ = PER_MEMBER[ask.kind].report(conn, snap, ask.period, ask.scope)
    # one page of the sections' rows, each section that has rows on it keeping its heading
    start, end, seen = (ask.page - 1) * PAGE, ask.page * PAGE, 0
    for section in report.sections:
        rows = list(section.rows)
        section.rows = rows[max(0, start - seen):max(0, end - seen)]
        seen += len(rows)
    report.sections = [s for s in report.sections if s.rows]
    return report, seen


def _graph(request: Request, ask: Ask) -> dict:
    store = request.app.state.store
    with store.read() as conn:
        if ask.kind == "details":
            return details.graph(conn, ask.period, ask.scope)
        module = PER_MEMBER[ask.kind]
        _, groups = module.report(conn, store.snapshot(), ask.period, ask.scope)
        return {"tabs": [module.graph(groups, ask.scope)]}


async def _excel(request: Request, ask: Ask) -> Response:
    """Written to a temporary file off the event loop (constant memory), then streamed and deleted."""
    store = request.app.state.store
    folder = Path(tempfile.mkdtemp(prefix="phonesvc-report-"))
    path = folder / "report.xlsx"

    def build() -> None:
        snap = store.snapshot()
        with store.read() as conn:
            if ask.kind == "details":
                report = details.report(conn, snap, ask.period, ask.scope)
            else:
                report, _ = PER_MEMBER[ask.kind].report(conn, snap, ask.period, ask.scope)
            xlsx.write(path, report, ask.period, ask.filters[2:])

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()
    try:
        await run_in_threadpool(build)
    except BaseException:
        cleanup()
        raise
    name = f"{TYPES[ask.kind]} {ask.period.label}.xlsx".replace("–", "-").replace(":", "")
    return FileResponse(path, media_type=XLSX, filename=name, background=BackgroundTask(cleanup))
