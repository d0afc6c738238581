"""The Members section of a ManagerAssistant Group group (/groups/<id>/members)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from phonesvc.web.access import Visitor
from phonesvc.web.dispatch import placeholder


async def page(request: Request, who: Visitor, group_id: int, path: list[str]) -> Response:
    return await placeholder(request, who, path)
