"""The preview's fetch: a browser cannot send a phone's headers on a navigation, so phonesvc asks its own
phone services for the preview, inside this process (one ASGI call, no socket), with the headers the chosen
model sends, and hands back the answer, the request made and the time it took.

Only this server's phone service URLs (`/Applications/inbound/<instance>/src/*.asp`) are fetched: the host,
when a URL names one, must be one this server answers as (the browser's Host, PHONESVC_PUBLIC_URL, the
push's base); nothing else is ever asked, so the preview is no open proxy, and no REST or web page is
reached with the server's own rights."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from starlette.requests import Request

from phonesvc.live.previews import PREVIEW
from phonesvc.phonemodels import PhoneModel
from phonesvc.urls import base_url

MAX_BODY = 512 * 1024  # more is no phone screen (a status picture is a few kB)
# What a phone of each family sends as x-CiscoIPPhoneSDKVersion: representative values (a phone sends the
# version of its firmware); services here do not read it.
SDK_VERSIONS = {"79xx": "8.5.1", "88xx": "11.0.1"}


QUERY_SAFE = "&=+%;/:,?@!$'()*~"  # kept as they are in a query; anything else is percent-encoded


class NotThisServer(ValueError):
    """A URL the preview does not fetch; the message says why."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float  # from the call to the last byte
    request_headers: dict[str, str]
    path: str  # path and query asked

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def model_header(model: PhoneModel) -> str:
    """What a phone of `model` sends as x-CiscoIPPhoneModelName (an unknown model: its name)."""
    return model.header_names[0] if model.header_names else model.name


def phone_headers(model: PhoneModel) -> dict[str, str]:
    """The headers a phone of `model` sends with every request (Cisco's development notes)."""
    return {
        "x-CiscoIPPhoneModelName": model_header(model),
        "x-CiscoIPPhoneDisplay": f"{model.width}, {model.height}, {model.color_bits}, {'G' if model.grey else 'C'}",
        "x-CiscoIPPhoneSDKVersion": SDK_VERSIONS.get(model.family, SDK_VERSIONS["88xx"]),
        "Accept": ", ".join(f"x-CiscoIPPhone/{o}" for o in model.objects),
        "Accept-Language": "en",
        "Accept-Charset": "utf-8",
    }


def own_hosts(request: Request) -> set[str]:
    settings = request.app.state.settings
    hosts = {urlsplit(base_url(request)).netloc.casefold(), f"{settings.host}:{settings.port}".casefold()}
    if settings.public_url:
        hosts.add(urlsplit(settings.public_url).netloc.casefold())
    return hosts


def service_path(request: Request, url: str) -> tuple[str, str]:
    """(path, query) of a phone service URL of this server; raises NotThisServer for anything else."""
    parts = urlsplit(url.strip())
    foreign = parts.scheme.casefold() not in ("http", "https") or parts.netloc.casefold() not in own_hosts(request)
    if (parts.scheme or parts.netloc) and foreign:
        raise NotThisServer(f"{url[:100]} is not on this server: the preview fetches only phonesvc's own "
                            "phone services.")
    path = unquote(parts.path)
    segments = path.split("/")
    if len(segments) != 6 or segments[0] or segments[1].casefold() != "applications" \
            or segments[4].casefold() != "src" or not segments[5].casefold().endswith(".asp"):
        raise NotThisServer(f"{url[:100]} is not a phone service (…/Applications/inbound/<instance>/src/<page>.asp).")
    return path, quote(parts.query, safe=QUERY_SAFE)  # what a phone sends: UTF-8, percent-encoded


async def fetch(request: Request, url: str, model: PhoneModel, by: str) -> Answer:
    """GET a phone service URL of this server as a `model` phone would, in the preview of web user `by`;
    raises NotThisServer."""
    path, query = service_path(request, url)
    sent = {**phone_headers(model), "Host": request.headers.get("host", "")}
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": request.url.scheme, "path": path, "raw_path": path.encode("utf-8"),
        "query_string": query.encode("ascii"), "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in sent.items()],
        "client": request.scope.get("client"), "server": request.scope.get("server"),
        "extensions": {PREVIEW: {"by": by}},
    }
    status, headers, chunks = 500, {}, []
    asked = False

    async def receive() -> dict:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers.update((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in message.get("headers", ()))
        elif message["type"] == "http.response.body" and sum(map(len, chunks)) < MAX_BODY:
            chunks.append(message.get("body", b""))

    started = time.perf_counter()
    await request.app(scope, receive, send)
    ms = (time.perf_counter() - started) * 1000
    return Answer(status, headers, b"".join(chunks)[:MAX_BODY], ms, sent, path + (f"?{query}" if query else ""))
