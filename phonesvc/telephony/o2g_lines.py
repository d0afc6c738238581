"""O2G's telephony and routing events as the protocol's whole-line snapshots and call endings.

O2G tells each user's calls as deltas (OnCallCreated, OnCallModified: an absent field is unchanged,
OnCallRemoved) and whole states (OnTelephonyState after a snapshot request, OnRoutingStateChanged); the
protocol wants the whole line after every change (LineChanged) and CallEnded when a call leaves it. The
`LineBook` keeps, per line, what it was told, and publishes the line whenever it changed.

Decisions where the manual is silent (docs/pbx-o2g.md):
* Direction: O2G has no direction field. A call whose `initiator` is the line itself, or whose leg is
  DIALING or RINGING_OUTGOING when first seen, is outgoing; any other is incoming.
* Remote party: the first participant that is not the line; external when its type is EXTERNAL (or the
  subtype public); the name is displayName, else first and last name.
* A call that replaces another (OnCallModified with previousCallRef: a completed consultation transfer, on the
  consulted line) takes its place there without a CallEnded (the manual: no OnCallRemoved comes for it) and
  keeps its direction and start; when the consultation call is removed from the consulting line (cause
  TRANSFERRED) its CallEnded names the held call as `replaced_by`.
* A call removed with cause CLEARED right after this adapter hung it up while it rang is "rejected"; one
  removed (CLEARED or REDIRECTED) after the adapter routed a waiting call to another line is "withdrawn".
* OnTelephonyState replaces the line's calls; a call the state no longer has ended while the channel was
  down: it ends with cause cleared.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from phonesvc.telephony.protocol import CallEnded, CallLeg, CallState, Direction, Event, Forwarding, Line, LineChanged

STATES = {"RINGING_INCOMING": CallState.RINGING, "RINGING_OUTGOING": CallState.RINGING,
          "DIALING": CallState.RINGING, "ACTIVE": CallState.ACTIVE, "HELD": CallState.HELD,
          "OFF_HOOK": CallState.ACTIVE}
CAUSES = {"BUSY": "busy", "ALL_TRUNK_BUSY": "busy", "PICKED_UP": "picked_up", "PICKED_UP_TANDEM": "picked_up",
          "REDIRECTED": "redirected", "TRANSFERRED": "transferred", "FORWARDED": "forwarded"}


@dataclass
class _Monitored:
    number: str
    login: str
    in_service: bool = True
    dnd: bool = False
    forwarding: Forwarding | None = None


class LineBook:
    def __init__(self, publish: Callable[[Event], None], now: Callable[[], float] = time.time) -> None:
        self._publish, self._now = publish, now
        self._users: dict[str, _Monitored] = {}  # login name -> the line it monitors
        self._by_number: dict[str, _Monitored] = {}
        self._calls: dict[str, dict[str, CallLeg]] = {}  # number -> call id -> leg
        self._published: dict[str, Line] = {}
        # (call id, line) -> the cause this adapter brought about: it hung up a ringing call (rejected), it
        # routed a waiting call away from the line (withdrawn); O2G only says cleared or redirected
        self.expected: dict[tuple[str, str], str] = {}
        self._replaced: dict[str, str] = {}  # consultation call -> the held call that took its place

    # ---- the monitored lines ---------------------------------------------------------------------------
    def monitor(self, number: str, login: str) -> None:
        user = _Monitored(number, login)
        self._users[login], self._by_number[number] = user, user
        self._calls.setdefault(number, {})
        self._flush([number], [])

    def logins(self) -> list[str]:
        return sorted(self._users)

    def login_of(self, number: str) -> str | None:
        user = self._by_number.get(number)
        return user.login if user else None

    def line(self, number: str) -> Line | None:
        return self._published.get(number)

    def lines(self) -> list[Line]:
        return list(self._published.values())

    # ---- events ---------------------------------------------------------------------------------------------
    def handle(self, event: dict) -> None:
        user = self._users.get(event.get("loginName", ""))
        if user is None:
            return
        handler = getattr(self, "_" + str(event.get("eventName", "")), None)
        if handler is not None:
            handler(user, event)

    def _OnCallCreated(self, user: _Monitored, event: dict) -> None:
        leg = self._leg(user, event, None)
        if leg is not None:
            self._calls[user.number][leg.call_id] = leg
            self._flush([user.number], [])

    def _OnCallModified(self, user: _Monitored, event: dict) -> None:
        calls, ref = self._calls[user.number], event.get("callRef", "")
        previous = event.get("previousCallRef") or ""
        known = calls.get(previous) if previous else calls.get(ref)
        leg = self._leg(user, event, known)
        if leg is None:
            return
        if previous:
            calls.pop(previous, None)
            self._replaced[previous] = ref
        calls[ref] = leg
        self._flush([user.number], [])

    def _OnCallRemoved(self, user: _Monitored, event: dict) -> None:
        ref = event.get("callRef", "")
        leg = self._calls[user.number].pop(ref, None)
        if leg is None:
            return
        cause = CAUSES.get(event.get("cause", ""), "cleared")
        expected = self.expected.pop((ref, user.number), None)
        if expected and cause in ("cleared", "redirected"):
            cause = expected
        replaced_by = self._replaced.pop(ref, "") if cause == "transferred" else ""
        self._flush([user.number], [CallEnded(ref, user.number, cause, replaced_by, event.get("newDestination") or "")])

    def _OnTelephonyState(self, user: _Monitored, event: dict) -> None:
        calls = self._calls[user.number]
        now: dict[str, CallLeg] = {}
        for call in (event.get("state") or {}).get("calls") or []:
            leg = self._leg(user, {**call, "modifiedLegs": call.get("legs"),
                                   "modifiedParticipants": call.get("participants")}, calls.get(call.get("callRef")))
            if leg is not None:
                now[leg.call_id] = leg
        ended = [CallEnded(ref, user.number, "cleared") for ref in calls if ref not in now]
        self._calls[user.number] = now
        self._flush([user.number], ended)

    def _OnDeviceStateModified(self, user: _Monitored, event: dict) -> None:
        for state in event.get("deviceStates") or []:
            if state.get("deviceId") == user.number and state.get("state") in ("IN_SERVICE", "OUT_OF_SERVICE"):
                user.in_service = state["state"] == "IN_SERVICE"
        self._flush([user.number], [])

    def _OnRoutingStateChanged(self, user: _Monitored, event: dict) -> None:
        state = event.get("routingState") or {}
        if "dndState" in state:
            user.dnd = bool((state.get("dndState") or {}).get("activate"))
        if "forwardRoutes" in state:
            user.forwarding = None
            for route in state.get("forwardRoutes") or []:
                if route.get("forwardType"):  # busy or no answer: not the immediate forwarding the protocol knows
                    continue
                for dest in route.get("destinations") or []:
                    if dest.get("type") == "VOICEMAIL":
                        user.forwarding = Forwarding(dest.get("number") or "", voicemail=True)
                    elif dest.get("number"):
                        user.forwarding = Forwarding(dest["number"])
        self._flush([user.number], [])

    # ---- internals --------------------------------------------------------------------------------------------
    def _leg(self, user: _Monitored, event: dict, known: CallLeg | None) -> CallLeg | None:
        ref = event.get("callRef", "")
        legs = event.get("legs") or event.get("modifiedLegs") or event.get("addedLegs") or []
        mine = next((g for g in legs if g.get("deviceId") == user.number), legs[0] if legs else None)
        state = STATES.get(mine.get("state", "")) if mine else None
        if known is None and state is None:
            return None  # a call on none of the user's devices in a state worth showing
        parties = (event.get("participants") or event.get("modifiedParticipants")
                   or event.get("addedParticipants") or [])
        other = next((p for p in parties if ((p.get("identity") or {}).get("id") or {}).get("phoneNumber")
                      != user.number), None)
        if known is None:
            raw = mine.get("state", "")
            outgoing = event.get("initiator") == user.number or raw in ("DIALING", "RINGING_OUTGOING")
            called = (((event.get("callData") or {}).get("initialCalled") or {}).get("id") or {}).get("phoneNumber")
            known = CallLeg(ref, user.number, Direction.OUTGOING if outgoing else Direction.INCOMING, state,
                            "", "", False, self._now(), called if called and called != user.number else "")
        leg = replace(known, call_id=ref, state=state or known.state)
        if other is not None:
            identity = other.get("identity") or {}
            kind = identity.get("type") or {}
            name = identity.get("displayName") or " ".join(
                filter(None, (identity.get("firstName"), identity.get("lastName"))))
            leg = replace(leg, remote_number=(identity.get("id") or {}).get("phoneNumber") or "",
                          remote_name=name or "",
                          external=kind.get("main") == "EXTERNAL" or kind.get("subType") == "public")
        return leg

    def _flush(self, numbers: list[str], ended: list[CallEnded]) -> None:
        events: list[Event] = []
        for number in numbers:
            user = self._by_number[number]
            snap = Line(number, user.in_service, user.dnd, user.forwarding, tuple(self._calls[number].values()))
            if self._published.get(number) != snap:
                self._published[number] = snap
                events.append(LineChanged(snap))
        for event in events + ended:
            self._publish(event)
