"""StatusImage.asp: the PNG of a group's status display for a model, with an ETag, for the phones
that show that group only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from phonesvc import phonemodels as models
from phonesvc.display.service import shown_group
from phonesvc.phone.endpoint import refuse


async def status_image(request: Request) -> Response:
    state = request.app.state
    before = state.answers.state()
    response = _status_image(request)
    state.answers.keep(request.scope, before, response)  # the picture follows from the request and the state
    return response


def _status_image(request: Request) -> Response:
    state = request.app.state
    displays = state.displays
    _device, user = state.registry.device(request.query_params.get("device", ""))
    gid = request.query_params.get("gr", "")
    shown = shown_group(state.store.snapshot(), user.id) if user is not None else None
    if shown is None or gid != str(shown):
        return refuse(request, "This phone does not show that group. Open the status display again.")
    version = request.query_params.get("v", "")
    known = displays.by_etag(f'"{version}"', shown) if version else None
    if known is not None:  # the picture the phone's menu named: no state to work out
        return _answer(request, known, f'"{version}"')
    grid = displays.grid(shown)
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
