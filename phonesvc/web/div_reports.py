"""The Reports tab of PhoneDiversions (privilege Reports): every diversion switched on or off and every Call
Handler call (store/divreports.py), with the manual's period, Action, Status and search filters, sorted by
date and time either way, a page at a time, and the same list as an Excel file (`reports/export.xlsx`).

The filters are a GET form: a report is a URL that can be bookmarked. Times are the server's local time."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import xlsxwriter
from starlette.requests import Request
from starlette.responses import Response

from phonesvc.store import divreports as R
from phonesvc.web.access import SAFE_METHODS, Visitor
from phonesvc.web.div_forms import NOT_FOUND, read, show
from phonesvc.web.pages import Form

INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
SHOWN = "%d.%m.%Y %H:%M:%S"  # the manual's Date/Time
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADINGS = ("Date/Time", "Action", "Status", "Username", "From", "Caller Number", "Receiver Number", "Group")
SEARCH_MAX = 100


@dataclass(frozen=True)
class Query:
    filter: R.Filter
    page: int
    form: Form  # the values as typed (or the defaults), and what is wrong with them


def _default_period() -> tuple[datetime, datetime]:
    """This month so far: from its first day to tomorrow 00:00."""
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return today.replace(day=1), today + timedelta(days=1)


def _query(request: Request) -> Query:
    params = request.query_params
    since, until = _default_period()
    values = {"from": params.get("from", since.strftime(INPUT)), "to": params.get("to", until.strftime(INPUT)),
              "action": params.get("action", ""), "status": params.get("status", ""),
              "search": params.get("search", ""), "order": params.get("order", "desc")}
    form = Form(values)
    times = {}
    for name, label in (("from", "Start"), ("to", "End")):
        try:
            times[name] = datetime.strptime(values[name].strip(), INPUT)
        except ValueError:
            form.errors[name] = f"{label}: a date and time, e.g. {since.strftime('%Y-%m-%dT%H:%M')}."
    if not form.errors and times["from"] >= times["to"]:
        form.errors["to"] = "End must be after Start."
    if values["action"] not in ("", *R.ACTIONS):
        form.errors["action"] = "Choose an action from the list."
    if values["status"] not in ("", *R.STATUSES):
        form.errors["status"] = "Choose a status from the list."
    if len(values["search"]) > SEARCH_MAX or any(not ch.isprintable() for ch in values["search"]):
        form.errors["search"] = f"Search: at most {SEARCH_MAX} printable characters."
    if values["order"] not in ("asc", "desc"):
        form.errors["order"] = "Sort by date and time ascending or descending."
    page = params.get("page", "1")
    page_no = int(page) if page.isascii() and page.isdigit() and 0 < len(page) < 7 else 0
    if page_no < 1:
        form.errors[""] = "No such page."
    if form.errors:
        return Query(R.Filter(0, 0), 1, form)
    f = R.Filter(times["from"].timestamp(), times["to"].timestamp(), values["action"], values["status"],
                 values["search"].strip(), values["order"] == "desc")
    return Query(f, page_no, form)


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if request.method not in SAFE_METHODS:
        return NOT_FOUND
    if not path:
        return await _list(request)
    if path == ["export.xlsx"]:
        return await _export(request)
    return NOT_FOUND


async def _list(request: Request) -> Response:
    q = _query(request)
    if q.form.errors:
        return _show(request, q, [], 0, 400)

    def query(conn):
        return R.count(conn, q.filter), list(R.rows(conn, q.filter, (q.page - 1) * R.PAGE_SIZE))
    total, rows = await read(request, query)
    return _show(request, q, rows, total)


def _show(request: Request, q: Query, rows: list[R.ReportRow], total: int, status: int = 200) -> Response:
    pages = max(1, -(-total // R.PAGE_SIZE))
    kept = {k: v for k, v in q.form.values.items() if v}

    def link(**changes) -> str:
        return "?" + urlencode({**kept, **changes})
    return show(request, "div_reports.html", status, form=q.form, rows=rows, total=total, page=q.page, pages=pages,
                link=link, actions=R.ACTIONS, statuses=R.STATUSES, shown=_shown,
                export=link() if not q.form.errors else "")


def _shown(at: float) -> str:
    return datetime.fromtimestamp(at).strftime(SHOWN)


async def _export(request: Request) -> Response:
    q = _query(request)
    if q.form.errors:
        return _show(request, q, [], 0, 400)
    body = await read(request, lambda conn: workbook(q, R.rows(conn, q.filter, limit=None)))
    name = f"PhoneDiversions report {q.form.value('from')[:10]} - {q.form.value('to')[:10]}.xlsx"
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"", "Cache-Control": "no-store"})


def workbook(q: Query, rows) -> bytes:
    """The report as .xlsx: the period and filters in its first rows, then one typed row per line (the date as
    an Excel date). Constant memory: each row goes to disk as it is written, whatever the period holds."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("Reports")
    bold, when = book.add_format({"bold": True}), book.add_format({"num_format": "dd.mm.yyyy hh:mm:ss"})
    f, v = q.filter, q.form.value
    sheet.write_string(0, 0, "PhoneDiversions report", bold)
    sheet.write_string(1, 0, "Period")
    sheet.write_datetime(1, 1, datetime.fromtimestamp(f.since), when)
    sheet.write_datetime(1, 2, datetime.fromtimestamp(f.until), when)
    filters = (("Action", v("action") or "All"), ("Status", v("status") or "All"), ("Search", v("search")))
    for i, (label, value) in enumerate(filters, start=2):
        sheet.write_string(i, 0, label)
        sheet.write_string(i, 1, value)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 7, 16)
    top = 2 + len(filters) + 1
    for col, heading in enumerate(HEADINGS):
        sheet.write_string(top, col, heading, bold)
    for n, r in enumerate(rows, start=top + 1):
        sheet.write_datetime(n, 0, datetime.fromtimestamp(r.at), when)
        for col, value in enumerate((r.action, r.status, r.user_name, r.source, r.caller_number,
                                     r.receiver_number, r.group_name), start=1):
            if value:  # numbers stay text: "+41…" and "0800…" keep their characters
                sheet.write_string(n, col, value)
    book.close()
    return out.getvalue()
