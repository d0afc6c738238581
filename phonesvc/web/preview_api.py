"""The preview page's endpoints, each for one device the visitor may preview (checked by preview.handle):
- `screen?url=`: the phone service's answer as the model gets it (preview_fetch) and what the phone shows
  (preview_xml), with the request's headers, the status, the answer's headers and time, as JSON;
- `image?url=`: a picture an ImageFile or GraphicFileMenu names, fetched the same way;
- `stream`: the virtual phone: server-sent events carrying each Execute the push notifier sends the device;
- `try` (POST `xml`, CSRF): an object pasted on the page, shown as the model would (for writing services);
- `dial` (POST, CSRF header): a `Dial:` URI; on the simulator a call from the device's line, elsewhere
  nothing (the page says what the phone would do)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from email.utils import parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from phonesvc.domain.privileges import MAGROUP
from phonesvc.phonemodels import PhoneModel, find
from phonesvc.telephony import TelephonyError
from phonesvc.telephony.simulator import Simulator
from phonesvc.web.access import SESSION_COOKIE, Visitor
from phonesvc.web.preview_fetch import NotThisServer, fetch
from phonesvc.web.preview_xml import PARSE_ERROR, describe, error_screen, pretty

KEEPALIVE = 15.0  # seconds between comment lines on a quiet stream (proxies, gone pages)
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
_DIALLABLE = re.compile(r"\+?[0-9*#]{1,32}")  # what domain.dialing puts in a Dial: URI
NO_STORE = {"Cache-Control": "no-store"}
MAX_PASTED = 64 * 1024


def may_preview(snap, user_id: int, device) -> bool:
    """Who previews which phone: its own user; with MAGroup Admin anyone."""
    return device is not None and (device.user_id == user_id or snap.has(user_id, MAGROUP, "Admin"))


def _still_allowed(request: Request, device_name: str) -> bool:
    """The stream's session is live and may still preview the device: a sign-out, a new password, a revoked
    Admin or a phone given to someone else ends the stream."""
    state = request.app.state
    token = request.cookies.get(SESSION_COOKIE, "")
    session = state.sessions.get(token) if token else None
    snap = state.store.snapshot()
    user = snap.users.get(session.user_id) if session is not None else None
    return user is not None and user.password_hash == session.password_hash and \
        may_preview(snap, user.id, snap.devices.get(device_name))


def _refresh(value: str) -> dict | None:
    """A Refresh header (`N; url=URL`) as {"seconds", "url"}; None when absent or not a number."""
    seconds, _, rest = value.partition(";")
    if not seconds.strip().isdigit():
        return None
    url = rest.strip()
    url = url[4:].strip() if url.casefold().startswith("url=") else ""
    return {"seconds": int(seconds), "url": url}


def _on_back_stack(expires: str | None) -> bool:
    """Cisco: an Expires date in the past keeps a page off the phone's Back stack ("-1" and other non-dates
    count as past, as ASP's idiom means)."""
    if expires is None:
        return True
    try:
        return parsedate_to_datetime(expires).timestamp() > time.time()
    except (TypeError, ValueError):
        return False


async def screen(request: Request, who: Visitor, device, model: PhoneModel) -> Response:
    url = request.query_params.get("url", "")
    try:
        answer = await fetch(request, url, model, who.user.user_name)
    except NotThisServer as exc:
        return JSONResponse({"url": url, "screen": error_screen(("Host not found", ""), str(exc))}, headers=NO_STORE)
    shown = describe(answer.body, answer.content_type, model)
    if answer.status != 200 and shown["object"] == "Error" and shown["title"] == PARSE_ERROR[0]:
        shown = error_screen((f"HTTP Error [{answer.status}]", ""), f"The server answered {answer.status}.")
    return JSONResponse({
        "url": url, "device": device.name,
        "request": {"line": f"GET {answer.path}", "headers": answer.request_headers},
        "status": answer.status, "headers": answer.headers, "ms": round(answer.ms, 1),
        "xml": pretty(answer.body) if "xml" in answer.content_type else answer.body.decode("utf-8", "replace"),
        "screen": shown, "refresh": _refresh(answer.headers.get("refresh", "")),
        "history": _on_back_stack(answer.headers.get("expires")),
    }, headers=NO_STORE)


async def pasted(request: Request, _who: Visitor, device, model: PhoneModel) -> Response:
    """What the model shows for XML pasted on the page: the same description as a fetched screen's."""
    xml = (await request.form()).get("xml", "")
    body = (xml if isinstance(xml, str) else "").encode("utf-8")[:MAX_PASTED]
    return JSONResponse({"url": "", "device": device.name, "request": {"line": "(XML pasted on this page)",
                                                                        "headers": {}},
                         "xml": pretty(body), "screen": describe(body, "text/xml", model), "history": False},
                        headers=NO_STORE)


async def image(request: Request, who: Visitor, _device, model: PhoneModel) -> Response:
    try:
        answer = await fetch(request, request.query_params.get("url", ""), model, who.user.user_name)
    except NotThisServer as exc:
        return Response(str(exc), status_code=404, media_type="text/plain")
    if answer.status != 200 or answer.content_type.partition(";")[0].strip() != "image/png":
        return Response("not a picture", status_code=404, media_type="text/plain")
    return Response(answer.body, media_type="image/png", headers=NO_STORE)


async def dial(request: Request, _who: Visitor, device, _model: PhoneModel) -> Response:
    """Dial a number from the device's line (the simulator only: a real PBX is not called from a preview)."""
    state = request.app.state
    number = request.query_params.get("number", "").strip()
    if not _DIALLABLE.fullmatch(number):
        return JSONResponse({"status": "INVALID_PARAMETERS", "message": "Only digits, * and # (a leading +) "
                             "can be dialled."}, status_code=400)
    lines = state.registry.lines(device.user_id)
    if not isinstance(state.telephony, Simulator):
        return JSONResponse({"dialled": False, "message": f"The phone would dial {number}. The preview makes "
                             "calls only when the simulator is the PBX."})
    if not lines:
        return JSONResponse({"status": "NO_LINE", "message": "This phone's user has no line number."}, 400)
    try:
        call = await state.telephony.make_call(lines[0], number)
    except TelephonyError as exc:
        return JSONResponse({"dialled": False, "message": f"The phone system refused: {exc}"})
    return JSONResponse({"dialled": True, "call": call, "message": f"Calling {number} from {lines[0]}."})


async def _pushes(request: Request, device) -> AsyncIterator[str]:
    """Each Execute the notifier pushes to the device, described as the phone reads it."""
    everything = find("")  # an Execute is read the same by every model
    with request.app.state.previews.open(device.name) as queue:
        yield "retry: 1000\n\n: registered\n\n"
        while True:
            try:
                xml = await asyncio.wait_for(queue.get(), KEEPALIVE)
            except TimeoutError:
                xml = None
            if not _still_allowed(request, device.name):
                yield "event: signed_out\ndata: {}\n\n"
                return
            if xml is None:
                yield ": keepalive\n\n"
                continue
            execute = describe(xml.encode("utf-8"), "text/xml", everything)
            yield f"event: push\ndata: {json.dumps({'xml': xml, 'screen': execute}, ensure_ascii=False)}\n\n"


async def stream(request: Request, _who: Visitor, device, _model: PhoneModel) -> Response:
    return StreamingResponse(_pushes(request, device), media_type="text/event-stream", headers=STREAM_HEADERS)
