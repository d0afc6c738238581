"""The fake O2G's resources: telephony, routing and route points (acdrsi), each carried out on the simulator
underneath (mixed into FakeO2G, using its `sim`, `users`, `crids`, `route_points`, `voice_guides` and `_run`),
and O2G's error body (RestErrorInfo)."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from phonesvc.telephony import Forwarding, Presented
from tests.fakeo2g_events import User


def error(status: int, kind: str, message: str, telephony: str = "") -> JSONResponse:
    codes = {"NOT_READY": 1000, "INVALID_SESSION": 1001, "NOT_ALLOWED": 1002, "NOT_FOUND": 1003,
             "BAD_PARAMETER": 1006, "SERVER_PROBLEM": 1007}
    body = {"httpStatus": {400: "BAD_REQUEST", 403: "FORBIDDEN", 404: "NOT_FOUND", 500: "INTERNAL_SERVER_ERROR",
                           503: "SERVICE_UNAVAILABLE"}.get(status, "BAD_REQUEST"),
            "code": codes.get(kind, 1004), "type": kind, "helpMessage": message, "canRetry": False}
    if telephony:
        body["telephony"] = {"errorType": telephony, "errorCause": "UNKNOWN", "message": message}
    return JSONResponse(body, status_code=status)


class Resources:
    """The resource half of FakeO2G."""

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

    async def _forward(self, user: User, body: dict) -> Response:
        dest = body["forwardRoute"]["destinations"][0]
        if dest["type"] == "VOICEMAIL":
            if not user.voicemail:
                return error(403, "NOT_ALLOWED", "No voicemail for this user")
            await self._run(self.sim.set_forwarding(user.number, Forwarding(user.voicemail, True)))
        else:
            await self._run(self.sim.set_forwarding(user.number, Forwarding(dest["number"])))
        return Response(status_code=204)


