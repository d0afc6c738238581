"""The anchor every benchmark is measured against: a bare Starlette app answering "ok", served by uvicorn
with uvloop and httptools and no access log, pinned like the phonesvc server and measured in the same run.

    .venv/bin/python -m uvicorn anchor:app --app-dir bench --loop uvloop --http httptools --no-access-log
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def ok(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/", ok)])
