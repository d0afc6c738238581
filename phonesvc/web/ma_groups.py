"""The Groups tab of ManagerAssistant Group: the group list (/groups) and one group's pages
(/groups/<id> its general settings, /groups/<id>/<section> the other sections of the manual's Groups page).

The sections live in modules of their own (SECTIONS); this module finds the group and the section."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from phonesvc.web import ma_announcements, ma_members
from phonesvc.web.access import Visitor
from phonesvc.web.dispatch import placeholder

# section path segment -> view(request, visitor, group id, the segments after the section's)
SECTIONS = {
    "members": ma_members.page,
    "announcements": ma_announcements.page,
}


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if not path:
        return await placeholder(request, who, [])
    group_id = int(path[0]) if path[0].isascii() and path[0].isdigit() and len(path[0]) < 10 else None
    if group_id is None:
        return PlainTextResponse("Not Found", status_code=404)
    if len(path) == 1:
        return await placeholder(request, who, [])
    section = SECTIONS.get(path[1].casefold())
    if section is None:
        return PlainTextResponse("Not Found", status_code=404)
    return await section(request, who, group_id, path[2:])
