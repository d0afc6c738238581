"""The State tab of PhoneDiversions: every diversion group with its destination and the destination's
directory user, and a switch per group. Switching does what the phone's Toggle Diversion does: the stored
state and the diversion log change in one write, and the answer comes once the PBX's lines follow."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from phonesvc.addresses import client_ip
from phonesvc.domain.errors import Missing
from phonesvc.store import diversions as store
from phonesvc.web.access import SAFE_METHODS, Visitor
from phonesvc.web.div_forms import NOT_FOUND, Fields, back, read, record_id, show, write


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if not path and request.method in SAFE_METHODS:
        return show(request, "div_state.html", groups=await read(request, store.list_groups))
    group_id = record_id(path[0]) if len(path) == 1 and request.method == "POST" else None
    if group_id is None:
        return NOT_FOUND
    wanted = (await Fields.of(request)).value("state").strip().upper()
    if wanted not in store.STATES:
        return show(request, "div_state.html", 400, groups=await read(request, store.list_groups),
                      message="Choose ON or OFF.")

    by = store.Switcher(who.user.user_name, f"Web {client_ip(request, request.app.state.settings) or ''}".strip())

    def switch(conn) -> None:
        row = store.require_diversion_group(conn, group_id)
        store.set_state(conn, row, wanted, by)  # a second click of a page not yet reloaded changes nothing

    try:
        await write(request, switch)
    except Missing:
        return NOT_FOUND
    return back(request)
