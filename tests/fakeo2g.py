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
(the next action answers an O2G error body), `down` (every request fails until `up`), `silence` (the
channel stays open but says nothing).
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

from phonesvc.telephony import CallEnded, Forwarding, LineChanged, Presented, RouteEnded, RouteRequest, TelephonyError
from phonesvc.telephony.simulator import Simulator

API = "/api/rest/1.0"
SERVICES = {"telephony": "/telephony", "routing": "/routing", "subscriptions": "/subscriptions",
            "users": "/users", "logins": "/logins", "acdrsi": "/acdrsi"}
LEG_STATE = {("incoming", "ringing"): "RINGING_INCOMING", ("outgoing", "ringing"): "RINGING_OUTGOING",
             ("incoming", "active"): "ACTIVE", ("outgoing", "active"): "ACTIVE",
             ("incoming", "held"): "HELD", ("outgoing", "held"): "HELD"}
CAUSE = {"cleared": "CLEARED", "picked_up": "PICKED_UP", "redirected": "REDIRECTED", "transferred": "TRANSFERRED",
         "forwarded": "FORWARDED", "busy": "BUSY", "rejected": "CLEARED", "withdrawn": "REDIRECTED",
         "answered_elsewhere": "CLEARED"}


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class User:
    login: str
    number: str
    first: str
    last: str
    voicemail: str = ""

    def json(self) -> dict:
        out = {"loginName": self.login, "companyPhone": self.number, "firstName": self.first,
               "lastName": self.last, "nodeId": "1",
               "devices": [{"type": "DESKPHONE", "id": self.number, "subType": "NOE_C_Color_IP"}]}
        if self.voicemail:
            out["voicemail"] = {"number": self.voicemail, "type": "VM_4635"}
        return out


@dataclass
class Channel:
    selectors: list[tuple[set[str], set[str]]]  # (login names, packages)
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    open: bool = False


def error(status: int, kind: str, message: str, telephony: str = "") -> JSONResponse:
    codes = {"NOT_READY": 1000, "INVALID_SESSION": 1001, "NOT_ALLOWED": 1002, "NOT_FOUND": 1003,
             "BAD_PARAMETER": 1006, "SERVER_PROBLEM": 1007}
    body = {"httpStatus": {400: "BAD_REQUEST", 403: "FORBIDDEN", 404: "NOT_FOUND", 500: "INTERNAL_SERVER_ERROR",
                           503: "SERVICE_UNAVAILABLE"}.get(status, "BAD_REQUEST"),
            "code": codes.get(kind, 1004), "type": kind, "helpMessage": message, "canRetry": False}
    if telephony:
        body["telephony"] = {"errorType": telephony, "errorCause": "UNKNOWN", "message": message}
    return JSONResponse(body, status_code=status)


class FakeO2G:
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

    async def _dispatch(self, method: str, parts: list[str], body: dict, login: str, query) -> Response:
        done = Response(status_code=204)
        head = parts[0]
        if head == "logins":
            return JSONResponse({"loginNames": list(self.users)})
        if head == "users" and len(parts) == 2:
            return JSONResponse(self.users[parts[1]].json())
        if head == "users":
            number = query.get("companyPhone", "")
            user = next((u for u in self.users.values() if u.number == number), None)
            if user is None and self.auto_users and number.isdigit():
                user = self.add_user(number, number, "", voicemail="8" + number)  # the demo data's boxes
            return JSONResponse(user.json()) if user else error(404, "NOT_FOUND", f"no user with {number}")
        user = self.users[login] if login else None
        if head == "telephony":
            return await self._telephony(method, parts[1:], body, user)
        if head == "routing":
            return await self._routing(method, parts[1:], user, body)
        if head == "acdrsi":
            return await self._rsi(parts[1:], body)
        return done if method == "DELETE" else error(404, "NOT_FOUND", "/".join(parts))

    async def _telephony(self, method: str, parts: list[str], body: dict, user: User | None) -> Response:
        sim, done = self.sim, Response(status_code=204)
        if parts == ["state", "snapshot"]:
            for u in [user] if user else self.users.values():
                self._telephony_state(u)
            return done
        if parts == ["calls"] and method == "POST":
            call_id = await self._run(sim.make_call(body["deviceId"], body["callee"]))
            return JSONResponse(call_id, status_code=201)
        if parts[0] == "devices" and parts[2:] == ["pickup"]:
            await self._run(sim.pickup(parts[1], body["otherPhoneNumber"], body.get("otherCallRef")))
            return done
        ref = parts[1]
        action = parts[2] if len(parts) > 2 else ""
        line = body.get("deviceId") or (user.number if user else "")
        if method == "DELETE" and not action:
            await self._run(sim.end_call(ref))
        elif action == "answer":
            await self._run(sim.answer(ref, line))
        elif action == "dropme":
            await self._run(sim.hang_up(ref, line))
        elif action == "hold":
            await self._run(sim.hold(ref, line))
        elif action == "retrieve":
            await self._run(sim.retrieve(ref, line))
        elif action == "blindtransfer":
            await self._run(sim.blind_transfer(ref, line, body["transferTo"]))
        elif action == "transfer":
            await self._run(sim.consult_complete(line))
        elif action == "reconnect":
            await self._run(sim.consult_cancel(line))
        elif action == "redirect":
            target = body["redirectTo"]
            if target == "VOICEMAIL":  # the simulator knows no box of its own: the box is an outside number
                if not (user and user.voicemail):
                    return error(403, "NOT_ALLOWED", "No voicemail for this user")
                target = user.voicemail
            await self._run(sim.redirect(ref, line, target))
        else:
            return error(404, "NOT_FOUND", action)
        return done

    async def _routing(self, method: str, parts: list[str], user: User, body: dict) -> Response:
        line = user.number
        if parts == ["state", "snapshot"]:
            self._routing_state(user)
        elif parts == ["dnd"]:
            await self._run(self.sim.set_dnd(line, method == "POST"))
        elif parts == ["forwardroute"] and method == "DELETE":
            await self._run(self.sim.set_forwarding(line, None))
        elif parts == ["forwardroute"]:
            return await self._forward(user, body)
        return Response(status_code=204)

    async def _rsi(self, parts: list[str], body: dict) -> Response:
        point, action = parts[0], parts[1]
        if action == "enable":
            self.route_points.add(point)
            self.sim.use_route_points(self.route_points)
        elif action == "disable":
            self.route_points.discard(point)
            self.sim.use_route_points(self.route_points)
        elif action == "routeSelect":
            call_id = self.crids[body["routeCrid"]]
            if body.get("routeToVoiceMail"):
                await self._run(self.sim.route_to(call_id, body["selectedRoute"], voicemail=True))
            elif self.sim.is_line(body["selectedRoute"]):
                name = body.get("associatedData", "")
                number = body.get("callingLine") or self.sim.waiting(call_id).caller_number
                await self._run(self.sim.offer(call_id, {body["selectedRoute"]: Presented(name, number)}))
            else:
                await self._run(self.sim.route_to(call_id, body["selectedRoute"]))
        elif action == "routeEnd":
            await self._run(self.sim.reject(self.crids[body["routeCrid"]]))
        elif action == "playVoiceGuide":
            self.voice_guides.append((body["callRef"], body["guideNumber"]))
        return Response(status_code=204)

    # ---- the simulator's events as O2G events ---------------------------------------------------------------
    async def _run(self, coro):
        self._batch.clear()
        try:
            return await coro
        finally:
            events, self._batch[:] = list(self._batch), []
            self._translate(events)

    def _user_of(self, number: str) -> User | None:
        return next((u for u in self.users.values() if u.number == number), None)

    def _participant(self, leg) -> dict:
        other = self._user_of(leg.remote_number)
        first, _, last = leg.remote_name.partition(" ")
        identity = {"id": {"phoneNumber": leg.remote_number, "loginName": other.login if other else ""},
                    "firstName": first, "lastName": last, "displayName": "",
                    "type": {"main": "EXTERNAL" if leg.external else "USER",
                             "subType": "public" if leg.external else "pbx"}}
        return {"participantId": leg.remote_number, "identity": identity}

    def _call_json(self, leg) -> dict:
        call = {"callRef": leg.call_id,
                "callData": {"initialCalled": {"id": {"phoneNumber": leg.original_called}}}
                if leg.original_called else {},
                "legs": [{"deviceId": leg.line, "state": LEG_STATE[(str(leg.direction), str(leg.state))]}],
                "participants": [self._participant(leg)]}
        return call

    def _translate(self, events: list) -> None:
        # a completed consultation: the consultation call ends on the consulting line with replaced_by, and on the
        # consulted line the held call takes its place (O2G: OnCallModified with previousCallRef there)
        replaced = {e.replaced_by: e.call_id for e in events if isinstance(e, CallEnded) and e.replaced_by}
        for event in events:
            if isinstance(event, LineChanged):
                self._line_changed(event.line, replaced)
            elif isinstance(event, CallEnded):
                self._legs.get(event.line, {}).pop(event.call_id, None)
                if user := self._user_of(event.line):
                    self.emit(user.login, "telephony", {"eventName": "OnCallRemoved", "callRef": event.call_id,
                                                        "cause": CAUSE[event.cause], "newDestination": event.to})
            elif isinstance(event, RouteRequest):
                crid = f"crid{next(self._ids)}"
                self.crids[crid] = event.call_id
                self.emit(event.route_point, "rsi", {"eventName": "OnRouteRequest", "rsiPoint": event.route_point,
                                                     "request": {
                    "routeCrid": crid, "caller": event.caller_number, "callingName": event.caller_name,
                    "callerType": "INTERNAL" if event.caller_line else "EXTERNAL", "called": event.route_point,
                    "routedCallRef": event.call_id, "nbOverflows": 0, "reason": "INITIAL"}})
            elif isinstance(event, RouteEnded):
                crid = next((k for k, v in self.crids.items() if v == event.call_id), "")
                self.emit(event.route_point, "rsi", {"eventName": "OnRouteEnd", "rsiPoint": event.route_point,
                                                     "routeCrid": crid, "routedCallRef": event.call_id,
                                                     "reason": "UNKNOWN"})
        for event in events:  # forwarding and DND arrive as routing state
            if isinstance(event, LineChanged) and (user := self._user_of(event.line.number)):
                self._routing_state(user, changed_only=True)

    def _line_changed(self, line, replaced: dict) -> None:
        user = self._user_of(line.number)
        known = self._legs.setdefault(line.number, {})
        now = {leg.call_id: leg for leg in line.calls}
        for call_id, leg in now.items():
            told = (leg.state, leg.remote_number, leg.remote_name)
            if known.get(call_id) == told:
                continue
            data = self._call_json(leg)
            if user is None:
                pass
            elif replaced.get(call_id) in known and replaced[call_id] not in now:
                known.pop(replaced[call_id])
                self.emit(user.login, "telephony", {"eventName": "OnCallModified", "callRef": call_id,
                                                    "previousCallRef": replaced[call_id],
                                                    "cause": "TRANSFERRED", "modifiedLegs": data["legs"],
                                                    "modifiedParticipants": data["participants"]})
            elif call_id in known:
                delta = {"eventName": "OnCallModified", "callRef": call_id, "cause": "UNKNOWN",
                         "modifiedLegs": data["legs"]}
                if known[call_id][1:] != told[1:]:
                    delta["modifiedParticipants"] = data["participants"]
                self.emit(user.login, "telephony", delta)
            else:
                initiator = line.number if str(leg.direction) == "outgoing" else leg.remote_number
                self.emit(user.login, "telephony", {"eventName": "OnCallCreated", "initiator": initiator,
                                                    "cause": "NORMAL", **data})
            known[call_id] = told
        if user is not None and line.in_service != self._legs.get("#svc" + line.number, True):
            self.emit(user.login, "telephony", {"eventName": "OnDeviceStateModified", "deviceStates": [
                {"deviceId": line.number, "state": "IN_SERVICE" if line.in_service else "OUT_OF_SERVICE"}]})
            self._legs["#svc" + line.number] = line.in_service

    def _telephony_state(self, user: User) -> None:
        line = self.sim.line(user.number)
        self.emit(user.login, "telephony", {"eventName": "OnTelephonyState", "state": {
            "calls": [self._call_json(leg) for leg in line.calls], "userState": "BUSY" if line.calls else "FREE"}})

    def _routing_state(self, user: User, changed_only: bool = False) -> None:
        line = self.sim.line(user.number)
        told = (line.forwarding, line.dnd)
        if changed_only and self._legs.get("#rt" + user.number, (None, False)) == told:
            return
        self._legs["#rt" + user.number] = told
        fwd = line.forwarding
        routes = [] if fwd is None else [{"destinations": [
            {"type": "VOICEMAIL", "number": fwd.number} if fwd.voicemail else {"type": "NUMBER", "number": fwd.number}
        ]}]
        self.emit(user.login, "routingManagement", {"eventName": "OnRoutingStateChanged", "routingState": {
            "forwardRoutes": routes, "dndState": {"activate": line.dnd}}})

    async def _forward(self, user: User, body: dict) -> Response:
        dest = body["forwardRoute"]["destinations"][0]
        if dest["type"] == "VOICEMAIL":
            if not user.voicemail:
                return error(403, "NOT_ALLOWED", "No voicemail for this user")
            await self._run(self.sim.set_forwarding(user.number, Forwarding(user.voicemail, True)))
        else:
            await self._run(self.sim.set_forwarding(user.number, Forwarding(dest["number"])))
        return Response(status_code=204)


@contextlib.asynccontextmanager
async def running(fake: FakeO2G):
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
