"""The fake O2G's events: what the embedded simulator underneath it did, told as O2G tells it.

A simulator operation publishes line snapshots and call endings; `SimulatorEvents` (mixed into FakeO2G) turns
one operation's events into O2G's: OnCallCreated for a call new on a user's line (with `initiator`: the line
for an outgoing call), OnCallModified with the changed legs and participants (deltas), OnCallModified with
previousCallRef where a completed consultation transfer puts the held call in the consultation call's place,
OnCallRemoved with the cause and newDestination, OnDeviceStateModified, OnRoutingStateChanged for forwarding
and DND, and for route points OnRouteRequest / OnRouteEnd (the `rsi` package, as ALE's SDKs show them).
"""

from __future__ import annotations

from dataclasses import dataclass

from phonesvc.telephony import CallEnded, LineChanged, RouteEnded, RouteRequest

LEG_STATE = {("incoming", "ringing"): "RINGING_INCOMING", ("outgoing", "ringing"): "RINGING_OUTGOING",
             ("incoming", "active"): "ACTIVE", ("outgoing", "active"): "ACTIVE",
             ("incoming", "held"): "HELD", ("outgoing", "held"): "HELD"}
CAUSE = {"cleared": "CLEARED", "picked_up": "PICKED_UP", "redirected": "REDIRECTED", "transferred": "TRANSFERRED",
         "forwarded": "FORWARDED", "busy": "BUSY", "rejected": "CLEARED", "withdrawn": "REDIRECTED",
         "answered_elsewhere": "CLEARED"}


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



class SimulatorEvents:
    """The event half of FakeO2G (uses its `sim`, `users`, `crids`, `emit`, `_ids`, `_legs`, `_batch`)."""

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

