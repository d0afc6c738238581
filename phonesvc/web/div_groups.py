"""The Groups tab of PhoneDiversions: the diversion groups with their Phone Service URL (/groups, where a
group is added), one group's form (/groups/<id>: edit, /groups/<id>/delete) and its Assigned Lines
(/groups/<id>/lines, div_lines.py). Writes go through the store functions and checks REST's addGroup,
editGroup and deleteGroup use; a refusal comes back next to its field with what was typed."""

from __future__ import annotations

from contextlib import suppress

from starlette.requests import Request
from starlette.responses import Response

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Missing, Rejected
from phonesvc.store import diversions as store
from phonesvc.urls import base_url, diversion_service_url
from phonesvc.web import div_lines
from phonesvc.web.access import SAFE_METHODS, Visitor
from phonesvc.web.div_forms import NOT_FOUND, Fields, back, read, record_id, refusal, show, write
from phonesvc.web.pages import Form

NAME_MAX = 100  # as REST's groupName


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if not path:
        return await _list(request) if request.method in SAFE_METHODS else await _add(request)
    group_id = record_id(path[0])
    group = (await read(request, lambda conn: store.list_groups(conn, group_id)) or [None])[0] if group_id else None
    if group is None:
        return NOT_FOUND
    if len(path) == 1:
        return show(request, "div_group.html", group=group, form=Form(_values(group))) \
            if request.method in SAFE_METHODS else await _edit(request, group)
    if path[1:] == ["delete"] and request.method == "POST":
        with suppress(Missing):  # deleted meanwhile on another surface: what was asked for
            await write(request, lambda conn: store.delete_group(conn, store.require_diversion_group(conn, group_id)))
        return back(request)
    if path[1].casefold() == "lines":
        return await div_lines.page(request, group, path[2:])
    return NOT_FOUND


def _values(group: dict) -> dict[str, str]:
    return {"name": group["name"], "description": group["description"], "destination": group["destination"]}


async def _list(request: Request, form: Form | None = None, status: int = 200) -> Response:
    groups = await read(request, store.list_groups)
    settings = request.app.state.settings
    for g in groups:
        g["service_url"] = diversion_service_url(base_url(request), settings.diversions_instance, g["id"])
    return show(request, "div_groups.html", status, groups=groups, form=form or Form())


def _checked(fields: Fields) -> tuple[str, str, str]:
    return (fields.text("name", "Name", NAME_MAX, required=True), fields.text("description", "Description"),
            fields.number("destination", "Destination"))


async def _add(request: Request) -> Response:
    fields = await Fields.of(request)
    name, description, destination = _checked(fields)
    if fields.errors:
        return await _list(request, fields, 400)
    try:
        await write(request, lambda conn: store.add_group(conn, name, description, destination))
    except Rejected as exc:
        return await _list(request, refusal(fields, exc, "name"), 400)
    return back(request)


async def _edit(request: Request, group: dict) -> Response:
    fields = await Fields.of(request)
    name, description, destination = _checked(fields)
    if not fields.errors:
        try:
            await write(request, lambda conn: store.edit_group(conn, store.require_diversion_group(conn, group["id"]),
                                                               name, description, destination))
            return back(request)
        except Rejected as exc:
            refusal(fields, exc, "name" if exc.status == E.ALREADY_EXISTS else "")
    return show(request, "div_group.html", 400, group=group, form=fields)
