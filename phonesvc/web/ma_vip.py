"""The VIP List tab of ManagerAssistant Group (VIPList or Admin): choose a manager, see their VIP numbers with
the directory user of each number (or External), add one, remove one (after a confirmation page), filter.

Without Admin, only the managers of the visitor's own groups (the manual's VIP List chapter): the server
refuses any other manager's list with 403, whatever the form sent. Writes use REST's store functions
(store/vip.py) and its rules for a number and a description."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from phonesvc.domain.errors import Rejected
from phonesvc.domain.members import MANAGER
from phonesvc.domain.privileges import MAGROUP
from phonesvc.domain.text import text_problem, valid_number
from phonesvc.store import vip as store
from phonesvc.store.ids import parse_id
from phonesvc.store.snapshot import Snapshot
from phonesvc.web.access import Forbidden, Visitor
from phonesvc.web.pages import Form, render
from phonesvc.web.tabs import tab_url
from phonesvc.web.writes import write

EXTERNAL = "External"  # the User column of a number no directory user has (the manual's word)
NOT_YOURS = "That manager is not in one of your groups."


@dataclass(frozen=True)
class Manager:
    member_id: int
    label: str  # "Tijana Vlahović (1047) · Sales"


def managers(snap: Snapshot, who: Visitor) -> list[Manager]:
    """The managers whose VIP list the visitor may see and edit: every group's with Admin, else those of the
    groups the visitor is a member of. One entry per manager member, however many groups they lead."""
    if who.may(MAGROUP, "Admin"):
        groups = list(snap.groups)
    else:
        mine = snap.user_group_ids(who.user.id)
        groups = [g for g in snap.groups if g in mine]
    led: dict[int, list[str]] = {}
    for g in sorted(groups, key=lambda g: snap.groups[g].name.casefold()):
        boss = next((gm for gm in snap.group_members.get(g, []) if gm.type == MANAGER), None)
        if boss is not None:
            led.setdefault(boss.member_id, []).append(snap.groups[g].name)
    out = []
    for member_id, names in led.items():
        member = snap.members[member_id]
        user = snap.users[member.user_id]
        name = f"{user.first_name} {user.last_name}".strip() or user.user_name
        out.append(Manager(member_id, f"{name} ({member.number}) · {', '.join(names)}"))
    return sorted(out, key=lambda m: m.label.casefold())


def _allowed(request: Request, who: Visitor, member_id: int | None) -> Manager:
    found = next((m for m in managers(request.app.state.store.snapshot(), who) if m.member_id == member_id), None)
    if found is None:
        raise Forbidden(NOT_YOURS)
    return found


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if not path:
        return await (_add(request, who) if request.method == "POST" else _list(request, who))
    vip_id = parse_id(path[0])
    if vip_id is None or len(path) != 2 or path[1].casefold() != "remove":
        return PlainTextResponse("Not Found", status_code=404)
    return await _remove(request, who, vip_id)


async def _list(request: Request, who: Visitor) -> Response:
    q = request.query_params
    snap = request.app.state.store.snapshot()
    choices = managers(snap, who)
    wanted = parse_id(q.get("manager", "")) if q.get("manager") else (choices[0].member_id if choices else None)
    return await _render(request, who, wanted, Form(), q.get("q", ""))


async def _render(request: Request, who: Visitor, member_id: int | None, form: Form, search: str = "",
                  status: int = 200) -> Response:
    snap = request.app.state.store.snapshot()
    choices = managers(snap, who)
    chosen = next((m for m in choices if m.member_id == member_id), None)
    if member_id is not None and chosen is None:
        raise Forbidden(NOT_YOURS)
    rows = await run_in_threadpool(_numbers, request, chosen.member_id) if chosen else []
    needle = search.strip().casefold()
    if needle:
        rows = [r for r in rows if needle in f"{r['number']}\n{r['description']}\n{r['user']}".casefold()]
    return render(request, "ma_vip.html", status, managers=choices, chosen=chosen, rows=rows, search=search,
                  form=form)


def _numbers(request: Request, member_id: int) -> list[dict]:
    with request.app.state.store.read() as conn:
        rows = store.list_vips(conn, member_id)
    return [{**r, "user": f"{r['first_name']} {r['last_name']}".strip() or EXTERNAL} for r in rows]


def _problems(number: str, description: str) -> dict[str, str]:
    """REST addVIPNumber's rules (Params.number, Params.text), in the form's words."""
    errors = {}
    if not number:
        errors["number"] = "Enter the phone number."
    elif not valid_number(number):
        errors["number"] = "A phone number is digits, * and #, with an optional leading + (32 at most)."
    problem = text_problem(description)
    if problem:
        errors["description"] = f"The description {problem}."
    return errors


async def _add(request: Request, who: Visitor) -> Response:
    data = await request.form()
    values = {k: str(data.get(k, "")) for k in ("manager", "number", "description")}
    boss = _allowed(request, who, parse_id(values["manager"]))
    number, description = values["number"].strip(), values["description"]
    form = Form(values=values, errors=_problems(number, description))
    if not form.errors:
        try:
            await write(request, who, lambda conn: store.add_vip(conn, boss.member_id, number, description),
                        f"VIP List: add {number} ({description}) to {boss.label}")
        except Rejected as exc:
            form.errors["number"] = exc.message[:1].upper() + exc.message[1:] + "."
    if form.errors:
        return await _render(request, who, boss.member_id, form, status=400)
    return RedirectResponse(_list_url(request, boss.member_id), status_code=303)


async def _remove(request: Request, who: Visitor, vip_id: int) -> Response:
    entry = request.app.state.store.snapshot().vip_numbers.get(vip_id)
    if entry is None:
        return PlainTextResponse("Not Found", status_code=404)
    boss = _allowed(request, who, entry.member_id)
    if request.method != "POST":
        return render(request, "ma_vip_remove.html", entry=entry, manager=boss,
                      back=_list_url(request, boss.member_id))

    def remove(conn) -> None:
        row = store.require_vip(conn, str(vip_id))  # as it is now, not as the page showed it
        if row.member_id != boss.member_id:
            raise Forbidden(NOT_YOURS)
        store.delete_vip(conn, row)
    with suppress(Rejected):  # removed by someone else meanwhile: the list shows it is gone
        await write(request, who, remove, f"VIP List: remove {entry.number} from {boss.label}")
    return RedirectResponse(_list_url(request, boss.member_id), status_code=303)


def _list_url(request: Request, member_id: int) -> str:
    return f"{tab_url(request.app.state.settings, request.state.tab)}?{urlencode({'manager': member_id})}"
