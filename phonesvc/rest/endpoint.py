"""HTTP side of the REST API: authorise, read parameters, run one function in one transaction."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.rest.auth import TOO_MANY_ATTEMPTS
from phonesvc.rest.envelope import IdStatus, envelope
from phonesvc.rest.params import Params
from phonesvc.rest.registry import REGISTRY, Call, Func
from phonesvc.store.ids import parse_id

log = logging.getLogger(__name__)

XML = "text/xml; charset=UTF-8"
FORM_LIMIT = 1024 * 1024  # bytes of a non-upload request body


def xml_response(request_name: str, body, status_code: int = 200, headers: dict | None = None) -> Response:
    return Response(envelope(request_name, body).encode("utf-8"), status_code=status_code,
                    headers={"Content-Type": XML, "Cache-Control": "no-store", **(headers or {})})


def base_url(request: Request) -> str:
    configured = request.app.state.settings.public_url
    if configured:
        return configured
    host = request.headers.get("host")  # from the scope, not request.url: phones ask all day
    if not host:
        server = request.scope.get("server") or ("localhost", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{request.scope.get('scheme', 'http')}://{host}"


async def _read_body(request: Request, limit: int) -> bytes | None:
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def handle(request: Request, app: str, area: str, function: str) -> Response:
    func = REGISTRY.get((app, area.casefold(), function.casefold()))
    name = func.name if func else function
    if func is None:
        return xml_response(name, E.NOT_FOUND, 404)
    if request.method not in func.methods and not (request.method == "HEAD" and "GET" in func.methods):
        return xml_response(name, "METHOD_NOT_ALLOWED", 405, {"Allow": ", ".join(func.methods)})
    state = request.app.state
    refusal = await state.authenticator.check(request)
    if refusal is not None and refusal.status == TOO_MANY_ATTEMPTS:
        return xml_response(name, TOO_MANY_ATTEMPTS, 429, {"Retry-After": str(refusal.retry_after)})
    if refusal is not None:
        return xml_response(name, refusal.status, 401,
                            {"WWW-Authenticate": 'Basic realm="phonesvc", charset="UTF-8"'})
    try:
        call = await _build_call(request, func)
    except Rejected as exc:
        return xml_response(name, _error_body(func, exc.status, None))
    except _TooLarge:
        return xml_response(name, _error_body(func, E.INVALID_PARAMETERS, None), 413)
    return xml_response(name, await run_in_threadpool(_run, func, call, state.store))


class _TooLarge(Exception):
    pass


async def _build_call(request: Request, func: Func) -> Call:
    settings = request.app.state.settings
    try:
        pairs = parse_qsl(request.scope.get("query_string", b"").decode("utf-8"), keep_blank_values=True,
                          encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise Rejected(E.INVALID_PARAMETERS, "the query string is not UTF-8") from None
    uploads = []
    ctype = request.headers.get("content-type", "").split(";")[0].strip().casefold()
    if request.method == "POST":
        multipart = ctype == "multipart/form-data"
        body = await _read_body(request, settings.max_upload_bytes if multipart else FORM_LIMIT)
        if body is None:
            raise _TooLarge
        if multipart:
            request._body = body  # Starlette parses the form from the cached body
            try:
                form = await request.form(max_files=100, max_fields=100)
            except Exception as exc:  # a malformed multipart body
                raise Rejected(E.INVALID_PARAMETERS, f"unreadable multipart body: {exc}") from None
            for key, value in form.multi_items():
                if isinstance(value, str):
                    pairs.append((key, value))
                elif key.casefold() == "upload" and "upload" in func.params:
                    uploads.append((value.filename or "", await value.read()))
                else:
                    raise Rejected(E.INVALID_PARAMETERS, f"unexpected file in field {key!r}")
        elif body:
            try:
                pairs += parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                                   errors="strict")
            except UnicodeDecodeError:
                raise Rejected(E.INVALID_PARAMETERS, "the form body is not UTF-8") from None
    params = Params([(k, v) for k, v in pairs if not (uploads and k.casefold() == "upload")], func.params)
    live = request.app.state.live
    return Call(params=params, conn=None, settings=settings, base_url=base_url(request), uploads=uploads,
                line_state=lambda number, app_forwarding=False: int(live.line_state(number, app_forwarding)))


def _error_body(func: Func, status: str, call: Call | None):
    if not func.id_shaped:
        return status
    echo = parse_id(call.params.get(func.id_param)) if (call and func.id_param) else None
    return IdStatus(echo or "", status)  # only a well-formed id is echoed: junk stays out of the XML


def _run(func: Func, call: Call, store):
    try:
        with (store.write() if func.writes else store.read()) as conn:
            call.conn = conn
            return func.handler(call)
    except Rejected as exc:
        log.info("%s refused: %s (%s)", func.name, exc.status, exc.message)
        return _error_body(func, exc.status, call)
    except Exception:
        log.exception("%s failed", func.name)
        return _error_body(func, E.ERROR, call)
