"""JSON endpoints that drive the embedded PBX simulator, for demos and tests; loopback only.

Parameters come as a JSON object, a form, or the query string. Answers are JSON: the result,
or {"error": message} with 400 (bad or missing parameter), 403 (not loopback), 404 (no simulator)
or 409 (the PBX refused: TelephonyError).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from phonesvc.domain.text import text_problem, valid_number
from phonesvc.telephony.protocol import TelephonyError
from phonesvc.telephony.simulator import Simulator

_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


class BadRequest(Exception):
    """A parameter is missing or malformed (HTTP 400)."""


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _is_loopback(text: str | None) -> bool:
    try:
        return text is not None and ipaddress.ip_address(text.strip()).is_loopback
    except ValueError:
        return False


def _from_loopback(request: Request) -> bool:
    """The peer is loopback, and so is everyone a local proxy says it forwarded for."""
    if request.client is None or not _is_loopback(request.client.host):
        return False
    hops = [h for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    return all(_is_loopback(h) for h in hops) and "forwarded" not in request.headers


async def _params(request: Request) -> dict[str, object]:
    params: dict[str, object] = dict(request.query_params)
    if request.method != "POST":
        return params
    ctype = request.headers.get("content-type", "").split(";")[0].strip().casefold()
    if ctype == "application/json" or (not ctype and (await request.body()).strip()[:1] == b"{"):
        try:
            data = json.loads(await request.body() or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise BadRequest("the JSON body must be an object")
        params.update(data)
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form()
        except Exception:  # any failure to parse a client's form is the client's error
            raise BadRequest("the form cannot be read") from None
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _text(params: dict, name: str, required: bool = True) -> str:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise BadRequest(f"parameter '{name}' is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRequest(f"parameter '{name}' must be text")
    problem = text_problem(str(value))
    if problem:
        raise BadRequest(f"parameter '{name}' {problem}")
    return str(value).strip()


def _number(params: dict, name: str, required: bool = True) -> str:
    value = _text(params, name, required)
    if value and not valid_number(value):
        raise BadRequest(f"parameter '{name}' is not a phone number: {value!r}")
    return value


def _flag(params: dict, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        raise BadRequest(f"parameter '{name}' is missing (true or false)")
    text = str(value).strip().casefold()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise BadRequest(f"parameter '{name}' must be true or false, not {value!r}")


Handler = Callable[[Simulator, dict], Awaitable[dict]]


def _endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if not _from_loopback(request):
            return _error(403, "the simulator can only be driven from this machine (loopback)")
        sim = getattr(request.app.state, "telephony", None)
        if not isinstance(sim, Simulator):
            return _error(404, "the PBX simulator is not running on this server")
        try:
            return JSONResponse(await handler(sim, await _params(request)))
        except BadRequest as exc:
            return _error(400, str(exc))
        except TelephonyError as exc:
            return _error(409, str(exc))
    return endpoint


async def _call(sim: Simulator, p: dict) -> dict:
    src, dst, name = _number(p, "from"), _number(p, "to"), _text(p, "name", required=False)
    if sim.is_line(src):
        return {"call": await sim.make_call(src, dst)}
    return {"call": await sim.external_call(src, dst, name)}


async def _by_party(sim: Simulator, p: dict, on_line, for_outside, for_call) -> dict:
    """Act as the party `line` names: an internal line, the outside party of the call, or (no line)
    whoever the action concerns."""
    call, line = _text(p, "call"), _number(p, "line", required=False)
    if line and sim.is_line(line):
        await on_line(call, line)
    elif line:
        if line not in sim.call_numbers(call):
            raise TelephonyError(f"call {call} is not with {line}")
        await for_outside(call)
    else:
        await for_call(call)
    return {"call": call}


async def _answer(sim: Simulator, p: dict) -> dict:
    return await _by_party(sim, p, sim.answer, sim.answer_external, sim.answer_call)


async def _hangup(sim: Simulator, p: dict) -> dict:
    return await _by_party(sim, p, sim.hang_up, sim.hang_up_external, sim.end_call)


async def _hold(sim: Simulator, p: dict) -> dict:
    call, line = _text(p, "call"), _number(p, "line")
    await sim.hold(call, line)
    return {"call": call}


async def _retrieve(sim: Simulator, p: dict) -> dict:
    call, line = _text(p, "call"), _number(p, "line")
    await sim.retrieve(call, line)
    return {"call": call}


async def _dnd(sim: Simulator, p: dict) -> dict:
    line, on = _number(p, "line"), _flag(p, "on")
    await sim.set_dnd(line, on)
    return {"line": line, "dnd": on}


async def _service(sim: Simulator, p: dict) -> dict:
    line, in_service = _number(p, "line"), _flag(p, "in_service")
    await sim.set_in_service(line, in_service)
    return {"line": line, "in_service": in_service}


async def _state(sim: Simulator, _p: dict) -> dict:
    return sim.state()


def sim_routes() -> list[Route]:
    posts = {"call": _call, "answer": _answer, "hangup": _hangup, "hold": _hold, "retrieve": _retrieve,
             "dnd": _dnd, "service": _service}
    return [*(Route(f"/sim/{name}", _endpoint(h), methods=["POST"]) for name, h in posts.items()),
            Route("/sim/state", _endpoint(_state), methods=["GET"])]
