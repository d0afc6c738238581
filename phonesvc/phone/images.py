"""StatusImage.asp: the PNG of a group's status display for a model, with an ETag."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from phonesvc.phone import models


async def status_image(request: Request) -> Response:
    displays = request.app.state.displays
    version = request.query_params.get("v", "")
    known = displays.by_etag(f'"{version}"') if version else None
    if known is not None:  # the picture the phone's menu named: no state to work out
        return _answer(request, known, f'"{version}"')
    gid = request.query_params.get("gr", "")
    grid = displays.grid(int(gid)) if gid.isascii() and gid.isdigit() and len(gid) < 12 else None
    if grid is None:
        return Response("no such group", status_code=404, media_type="text/plain")
    model = models.find(request.query_params.get("model", ""), request.headers.get("x-ciscoipphonedisplay", ""))
    body, etag = displays.picture(grid, model)
    return _answer(request, body, etag)


def _answer(request: Request, body: bytes, etag: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="image/png", headers=headers)
