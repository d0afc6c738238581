"""HTTP side of the REST API: authorise, read parameters, run one function in one transaction."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from phonesvc import actions
from phonesvc.addresses import client_ip
from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.privileges import DIVERSIONS, MAGROUP
from phonesvc.logsafe import shown
from phonesvc.rest.auth import TOO_MANY_ATTEMPTS, credentials
from phonesvc.rest.envelope import IdStatus, envelope
from phonesvc.rest.params import Params
from phonesvc.rest.registry import MA, REGISTRY, Call, Func
from phonesvc.store.ids import parse_id
from phonesvc.urls import base_url

log = logging.getLogger(__name__)

XML = "text/xml; charset=UTF-8"
FORM_LIMIT = 1024 * 1024  # bytes of a non-upload request body


def xml_response(request_name: str, body, status_code: int = 200, headers: dict | None = None) -> Response:
    return Response(envelope(request_name, body).encode("utf-8"), status_code=status_code,
                    headers={"Content-Type": XML, "Cache-Control": "no-store", **(headers or {})})


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
    before = state.answers.state()
    refusal = await state.authenticator.check(request)
    if refusal is not None and refusal.status == TOO_MANY_ATTEMPTS:
        return xml_response(name, TOO_MANY_ATTEMPTS, 429, {"Retry-After": str(refusal.retry_after)})
    if refusal is not None:
        return xml_response(name, refusal.status, 401,
                            {"WWW-Authenticate": 'Basic realm="phonesvc", charset="UTF-8"'})
    try:
        pairs, uploads = await _read_pairs(request, func)
    except Rejected as exc:
        _log_refused(func, exc)
        return xml_response(name, _error_body(func, exc.status, None))
    except _TooLarge:
        return xml_response(name, _error_body(func, E.INVALID_PARAMETERS, None), 413)
    try:
        call = _build_call(request, func, pairs, uploads)
    except Rejected as exc:  # an unknown or repeated parameter: the id sent is still echoed
        _log_refused(func, exc)
        return xml_response(name, _error_body(func, exc.status, _sent_id(func, pairs)))
    who = (credentials(request) or ("",))[0] or (request.client.host if request.client else "")
    run = state.store.in_writer if func.writes else run_in_threadpool
    body, failed = await run(_run, func, call, state.store, who)
    if func.writes and state.live.forwarding is not None:
        await state.live.forwarding.settled()  # the answer comes when the PBX's lines follow the change
    response = xml_response(name, body)
    # Integrations poll the same read. Only a local client's answer is kept: credentials are checked against the
    # database on every request, so that a privilege revoked by the CLI counts at once.
    if func.kept and not failed and state.authenticator.local(request):
        state.answers.keep(request.scope, before, response)
    return response


class _TooLarge(Exception):
    pass


async def _read_pairs(request: Request, func: Func) -> tuple[list[tuple[str, str]], list[tuple[str, bytes]]]:
    """The (name, value) pairs of the query string and the form body, and the uploaded files."""
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
    return pairs, uploads


def _build_call(request: Request, func: Func, pairs: list[tuple[str, str]], uploads: list[tuple[str, bytes]]) -> Call:
    params = Params([(k, v) for k, v in pairs if not (uploads and k.casefold() == "upload")], func.params)
    live, settings = request.app.state.live, request.app.state.settings
    return Call(params=params, conn=None, settings=settings, base_url=base_url(request),
                uploads=uploads, user_name=(credentials(request) or ("",))[0],
                client=str(client_ip(request, settings) or ""),
                line_state=lambda number, app_forwarding=False: int(live.line_state(number, app_forwarding)))


def _sent_id(func: Func, pairs: list[tuple[str, str]]) -> str | None:
    """The value of the function's id parameter as sent, when it was sent once (or always the same)."""
    if not func.id_param:
        return None
    values = {v for k, v in pairs if k.casefold() == func.id_param.casefold()}
    return values.pop() if len(values) == 1 else None


def _error_body(func: Func, status: str, sent_id: str | None):
    if not func.id_shaped:
        return status
    echo = parse_id(sent_id) if sent_id is not None else None
    return IdStatus(echo or "", status)  # only a well-formed id is echoed: junk stays out of the XML


def _log_refused(func: Func, exc: Rejected) -> None:
    log.info("%s refused: %s (%s)", func.name, exc.status, shown(exc.message))  # the message quotes client values


def _run(func: Func, call: Call, store, who: str) -> tuple[object, bool]:
    """The answer's body, and whether it failed (a bug, logged: every time, so it is not kept). A write that
    committed goes to the action log (actions.py): who asked, the function and its parameters."""
    sent_id = call.params.get(func.id_param) if func.id_param else None
    try:
        with (store.write() if func.writes else store.read()) as conn:
            call.conn = conn
            body = func.handler(call)
        if func.writes:
            sent = " ".join(f"{k}={v}" for k, v in call.params.values.items())
            actions.log(store, call.settings, MAGROUP if func.app == MA else DIVERSIONS, "REST", who,
                        f"{func.name} {sent}".strip())
        return body, False
    except Rejected as exc:
        _log_refused(func, exc)
        return _error_body(func, exc.status, sent_id), False
    except Exception:
        log.exception("%s failed", func.name)
        return _error_body(func, E.ERROR, sent_id), True
