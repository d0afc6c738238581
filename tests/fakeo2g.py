"""A fake O2G server (Alcatel-Lucent OmniPCX Enterprise gateway) on loopback, written from the O2G manual and
ALE's SDKs, for the O2G adapter's tests.

Real HTTP (Starlette under uvicorn): discovery at /api/rest, Basic authentication that sets the AlcUserId
cookie, session open with services and timeToLive, keepalive, logout, 403 INVALID_SESSION once a session is
lost; subscriptions, and the notification channel as a POST answered by a never-ending chunked body, one JSON
object per line, the first an OnChannelInformation. Telephony, routing and route-point (acdrsi) resources.

The calls themselves run on the embedded simulator (the adapter protocol's reference implementation): an O2G
action becomes the simulator's operation, and the simulator's line snapshots become the events O2G would send
(OnCallCreated, OnCallModified with deltas and previousCallRef, OnCallRemoved, OnTelephonyState,
OnRoutingStateChanged, OnRouteRequest, OnRouteEnd). So whatever the adapter makes of those events can be
compared with what the simulator says directly.

Scripting for tests: `ring` (a call from outside), `drop_channels`, `expire_sessions`, `refuse_next`
(the next action answers an O2G error body), `stall_next` (the next action waits: a slow O2G), `down`
(every request fails until `up`), `silent = True` (the channel stays open but says nothing).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from phonesvc.telephony import TelephonyError
from phonesvc.telephony.simulator import Simulator
from tests.fakeo2g_events import SimulatorEvents, User
from tests.fakeo2g_resources import Resources, error

API = "/api/rest/1.0"
SERVICES = {"telephony": "/telephony", "routing": "/routing", "subscriptions": "/subscriptions",
            "users": "/users", "logins": "/logins", "acdrsi": "/acdrsi"}
def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Channel:
    selectors: list[tuple[set[str], set[str]]]  # (login names, packages)
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    open: bool = False


class FakeO2G(Resources, SimulatorEvents):
    def __init__(self, login: str = "admin", password: str = "s3cret", ttl: int = 60, auto_users: bool = False) -> None:
        """`auto_users`: any number asked for is a user of the PBX (login name = number), as on a site whose
        directory was imported from it."""
        self.login, self.password, self.ttl, self.auto_users = login, password, ttl, auto_users
        self.sim = Simulator()
        self.users: dict[str, User] = {}  # login -> user
        self.sessions: set[str] = set()
        self.channels: dict[str, Channel] = {}
        self.requests: list[str] = []  # "METHOD path" of every request, in order
        self.keepalives = 0
        self.logins = 0
        self.logouts = 0
        self.refusal: tuple[str, str] | None = None  # (type, message) for the next action
        self.is_down = False
        self.stalled: asyncio.Event | None = None  # the next action waits for it (a slow O2G)
        self.silent = False
        self.route_points: set[str] = set()
        self.crids: dict[str, str] = {}  # routeCrid -> call id
        self.voice_guides: list[tuple[str, int]] = []
        self.sent: list[dict] = []  # every event put on a channel
        self.subscriptions: list[dict] = []  # every subscription request body
        self._ids = itertools.count(1)
        self._legs: dict[str, dict[str, tuple]] = {}  # number -> call id -> (state, remote...) as last told
        self._batch: list = []
        self.sim.subscribe(self._batch.append)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    # ---- scripting ----------------------------------------------------------------------------------
    def add_user(self, number: str, first: str, last: str, login: str = "", voicemail: str = "") -> User:
        user = User(login or number, number, first, last, voicemail)
        self.users[user.login] = user
        with contextlib.suppress(TelephonyError):  # a number no phone can have: a user without a line
            self.sim.add_line(number, f"{first} {last}".strip())
        return user

    async def ring(self, caller: str, line: str, name: str = "") -> str:
        """A call from outside (`caller`) to `line` (or a route point)."""
        return await self._run(self.sim.external_call(caller, line, name))

    async def outside_answers(self, call_id: str) -> None:
        await self._run(self.sim.answer_external(call_id))

    async def outside_hangs_up(self, call_id: str) -> None:
        await self._run(self.sim.hang_up_external(call_id))

    def refuse_next(self, message: str = "Incompatible with the state of the call", kind: str = "NOT_ALLOWED"):
        self.refusal = (kind, message)

    def stall_next(self) -> asyncio.Event:
        """The next action is answered only when the returned event is set (call from the server's loop)."""
        self.stalled = asyncio.Event()
        return self.stalled

    def drop_channels(self) -> None:
        for channel in self.channels.values():
            channel.queue.put_nowait(None)

    def expire_sessions(self) -> None:
        self.sessions.clear()

    def down(self) -> None:
        self.is_down = True
        self.expire_sessions()
        self.drop_channels()

    def up(self) -> None:
        self.is_down = False
        self.stalled: asyncio.Event | None = None  # the next action waits for it (a slow O2G)

    def channel_open(self) -> bool:
        return any(c.open for c in self.channels.values())

    def emit(self, login: str, package: str, event: dict) -> None:
        event = {"eventName": event.pop("eventName"), "loginName": login, **event}
        for channel in self.channels.values():
            if channel.open and any(package in names and (login in ids or "*" in ids)
                                    for ids, names in channel.selectors):
                self.sent.append(event)
                if not self.silent:
                    channel.queue.put_nowait(event)

    # ---- the server -----------------------------------------------------------------------------------
    def app(self) -> Starlette:
        r = [Route("/api/rest", self._discover), Route("/api/rest/authenticate", self._authenticate),
             Route(API + "/sessions", self._sessions, methods=["POST", "GET", "DELETE"]),
             Route(API + "/sessions/keepalive", self._keepalive, methods=["POST"]),
             Route(API + "/subscriptions", self._subscribe, methods=["POST"]),
             Route(API + "/subscriptions/{sid}", self._unsubscribe, methods=["DELETE"]),
             Route("/events/{sid}", self._channel, methods=["POST"]),
             Route(API + "/{rest:path}", self._resource, methods=["GET", "POST", "DELETE"])]
        return Starlette(routes=r)

    async def start(self) -> FakeO2G:
        """Serve on the running loop."""
        self.loop = asyncio.get_running_loop()
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="error", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        self.drop_channels()
        self._server.should_exit = True
        self._server.force_exit = True
        await self._task

    def start_thread(self) -> FakeO2G:
        """Serve from a thread of its own (for tests whose app runs in a TestClient)."""
        ready = threading.Event()

        async def main():
            await self.start()
            ready.set()
            await self._task

        self._thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop_thread(self) -> None:
        asyncio.run_coroutine_threadsafe(self.stop(), self.loop).result(10)
        self._thread.join(10)

    def call(self, coro):
        """Run a scripting coroutine on the server's thread (start_thread) and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def do(self, fn: Callable[[], object]) -> object:
        async def run():
            return fn()
        return self.call(run())

    # ---- session ------------------------------------------------------------------------------------------
    def _gate(self, request: Request) -> Response | None:
        self.requests.append(f"{request.method} {request.url.path}")
        if self.is_down:
            return error(503, "NOT_READY", "O2G is not ready")
        if request.url.path.startswith(("/api/rest/authenticate",)) or request.url.path == "/api/rest":
            return None
        if request.cookies.get("AlcUserId") not in self.sessions and not request.url.path.startswith("/events"):
            return error(403, "INVALID_SESSION", "The session is invalid, logout and login")
        return None

    async def _discover(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        base = str(request.base_url).rstrip("/")
        return JSONResponse({"serverInfo": {"productName": "O2G Server", "productType": "O2G",
                                            "productVersion": {"major": "2.4", "minor": "12"}, "haMode": False},
                             "versions": [{"id": "1.0", "status": "CURRENT", "publicUrl": base + API,
                                           "internalUrl": base + API}]})

    async def _authenticate(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        auth = request.headers.get("authorization", "")
        expected = "Basic " + base64.b64encode(f"{self.login}:{self.password}".encode()).decode()
        if auth != expected:
            return JSONResponse({}, status_code=401)
        token = f"jwt-{next(self._ids)}"
        self.sessions.add(token)
        self.logins += 1
        base = str(request.base_url).rstrip("/")
        response = JSONResponse({"credential": token, "publicUrl": base + API + "/sessions",
                                 "internalUrl": base + API + "/sessions"})
        response.set_cookie("AlcUserId", token, path="/")
        return response

    async def _sessions(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        if request.method == "DELETE":
            self.sessions.discard(request.cookies["AlcUserId"])
            self.logouts += 1
            return Response(status_code=204)
        base = str(request.base_url).rstrip("/") + API
        info = {"admin": True, "timeToLive": self.ttl, "publicBaseUrl": base, "privateBaseUrl": base,
                "services": [{"serviceName": n, "serviceVersion": "1.0", "relativeUrl": u}
                             for n, u in SERVICES.items()]}
        response = JSONResponse(info)
        response.set_cookie("JSESSIONID", f"s{next(self._ids)}.tomcat", path="/api")
        return response

    async def _keepalive(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        self.keepalives += 1
        return Response(status_code=204)

    async def _subscribe(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        body = await request.json()
        selectors = [(set(s.get("ids", [])), set(s.get("names", [])))
                     for s in body.get("filter", {}).get("selectors", [])]
        if any(not ids for ids, _ in selectors):
            return error(400, "BAD_PARAMETER", "ids are mandatory in an administrator's subscription")
        sid = f"sub{next(self._ids)}"
        self.subscriptions.append(body)
        self.channels[sid] = Channel(selectors)
        return JSONResponse({"subscriptionId": sid, "status": "ACCEPTED", "message": "",
                             "publicPollingUrl": f"{self.url}/events/{sid}",
                             "privatePollingUrl": f"{self.url}/events/{sid}"})

    async def _unsubscribe(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        channel = self.channels.pop(request.path_params["sid"], None)
        if channel is not None:
            channel.queue.put_nowait(None)
        return Response(status_code=204)

    async def _channel(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        channel = self.channels.get(request.path_params["sid"])
        if channel is None:
            return error(404, "NOT_FOUND", "Unknown subscription")
        channel.queue = asyncio.Queue()
        channel.open = True

        async def lines():
            try:
                yield json.dumps({"eventName": "OnChannelInformation", "text": "channel established"}) + "\n"
                while (event := await channel.queue.get()) is not None:
                    yield json.dumps(event) + "\n"
            finally:
                channel.open = False

        return StreamingResponse(lines(), media_type="application/json")

    # ---- resources -------------------------------------------------------------------------------------
    async def _resource(self, request: Request) -> Response:
        if (refused := self._gate(request)) is not None:
            return refused
        parts = request.url.path[len(API) + 1:].split("/")
        body = await request.json() if request.method == "POST" and await request.body() else {}
        login = request.query_params.get("loginName", "")
        if request.method != "GET" and self.stalled is not None and parts[-1] not in ("snapshot", "enable"):
            stalled, self.stalled = self.stalled, None
            await stalled.wait()
        if request.method != "GET" and self.refusal and parts[-1] not in ("snapshot", "enable"):
            kind, message = self.refusal
            self.refusal = None
            return error(403 if kind == "NOT_ALLOWED" else 400, kind, message, "INCOMPATIBLE_WITH_STATE")
        try:
            return await self._dispatch(request.method, parts, body, login, request.query_params)
        except TelephonyError as exc:
            return error(400, "BAD_PARAMETER", str(exc), "BAD_PARAMETER_VALUE")
        except KeyError as exc:
            return error(404, "NOT_FOUND", f"Unknown {exc}")

@contextlib.asynccontextmanager
async def running(fake: FakeO2G):
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
