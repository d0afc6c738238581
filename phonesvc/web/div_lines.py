"""The Assigned Lines of a diversion group (/groups/<id>/lines): add a line, rename it (its description),
delete it; each with the directory user who owns its number. The store functions and checks are REST's
addLine, editLine and deleteLine."""

from __future__ import annotations

from contextlib import suppress

from starlette.requests import Request
from starlette.responses import Response

from phonesvc.domain.errors import Missing, Rejected
from phonesvc.store import diversions as store
from phonesvc.web.access import SAFE_METHODS
from phonesvc.web.div_forms import NOT_FOUND, Fields, back, record_id, refusal, show, write
from phonesvc.web.pages import Form


async def page(request: Request, group: dict, path: list[str]) -> Response:
    if request.method in SAFE_METHODS:
        return _page(request, group) if not path else NOT_FOUND
    if not path:
        return await _add(request, group)
    line = next((ln for ln in group["lines"] if ln["id"] == record_id(path[0])), None)
    if line is None or path[1:] not in ([], ["delete"]):
        return NOT_FOUND
    if path[1:] == ["delete"]:
        return await _change(request, group, lambda conn: store.delete_line(conn, store.require_line(conn, line["id"])))
    fields = await Fields.of(request)
    description = fields.text(f"description-{line['id']}", f"Description of line {line['number']}")
    if fields.errors:
        return _page(request, group, fields, 400)
    return await _change(request, group, lambda conn: store.edit_line(conn, store.require_line(conn, line["id"]),
                                                                      None, description))


async def _change(request: Request, group: dict, change) -> Response:
    with suppress(Missing):  # the line was deleted meanwhile on another surface: nothing left to change
        await write(request, change)
    return back(request, group["id"], "lines")


async def _add(request: Request, group: dict) -> Response:
    fields = await Fields.of(request)
    number, description = fields.number("number", "Line number"), fields.text("description", "Description")
    if not fields.errors:
        try:
            await write(request, lambda conn: store.add_line(conn, store.require_diversion_group(conn, group["id"]).id,
                                                             number, description))
            return back(request, group["id"], "lines")
        except Rejected as exc:
            refusal(fields, exc, "" if isinstance(exc, Missing) else "number")
    return _page(request, group, fields, 400)


def _page(request: Request, group: dict, form: Form | None = None, status: int = 200) -> Response:
    return show(request, "div_lines.html", status, group=group, form=form or Form())
