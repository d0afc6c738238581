"""Route points of the O2G adapter: calls to a group's manager number wait at an RSI point (O2G's "routing
service interface", service `acdrsi`, as ALE's SDKs use it: RsiRest, events/rsi) until the router says
where they go.

`{point}/enable` makes O2G send OnRouteRequest {rsiPoint, request: {routeCrid, caller, callingName,
callerType, routedCallRef}} for each call; `routeSelect {routeCrid, selectedRoute, routeToVoiceMail}` sends
it on, `routeEnd {routeCrid}` lets it go (the caller hears busy), `playVoiceGuide {callRef, guideNumber}`
plays one of the PBX's recorded guides; OnRouteEnd {rsiPoint, routeCrid, routedCallRef, reason} says the
point let go of it. The reason only tells why it was routed (INITIAL, NOANSWER, BUSY ...), so the cause of
RouteEnded comes from what this adapter did and what the lines show: handed off after route_to, busy after
reject, answered when the call is active on a line it was offered to, else cleared.

What O2G cannot express, done the closest way (docs/pbx-o2g.md):
* One route at a time: `offer` to several lines (manager and parallel assistant) selects the first line
  only; the others are left out of the answer, as lines that cannot ring are, so the router sees where
  the call rings. A later offer to other lines selects again on the same route session.
* Audio: a route point plays the PBX's voice guides, not files. `voice_guides` maps an announcement's
  file name to a guide number; a file without one is not played (logged), and only the first file of a
  list is played (O2G plays one guide per request).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from phonesvc.telephony.protocol import CallState, Presented, RouteEnded, RouteRequest, TelephonyError

log = logging.getLogger("phonesvc.o2g")


@dataclass
class _Routed:
    crid: str
    point: str
    offered: list[str] = field(default_factory=list)
    outcome: tuple[str, str] | None = None  # (cause, destination) decided by this adapter


class RoutePoints:
    """The route-point half of O2GTelephony (uses its `session`, `book` and `publish`)."""

    def _init_route_points(self) -> None:
        self._points: set[str] = set()
        self._routed: dict[str, _Routed] = {}  # call id -> its route session
        self.voice_guides: dict[str, int] = {}  # announcement file name -> O2G voice guide number

    async def _use_route_points(self, numbers: Iterable[str]) -> None:
        wanted = {n for n in numbers if isinstance(n, str) and n}
        gone, self._points = self._points - wanted, wanted
        if self.session.is_open:
            for point in sorted(gone):
                await self.session.request("POST", "acdrsi", f"/{point}/disable")
            await self._enable_route_points()
        self.channel.renew()  # the subscription names the points

    async def _enable_route_points(self) -> None:
        """The SDK's order: subscribe to the rsi package first, then enable the point."""
        for point in sorted(self._points):
            try:
                await self.session.request("POST", "acdrsi", f"/{point}/enable")
            except TelephonyError as exc:
                log.warning("route point %s cannot be enabled: %s", point, exc)

    def _rsi_selectors(self) -> list[dict]:
        return [{"ids": sorted(self._points), "names": ["rsi"]}] if self._points else []

    def _rsi_event(self, event: dict) -> bool:
        name = event.get("eventName")
        if name == "OnRouteRequest":
            request = event.get("request") or {}
            call_id, point = request.get("routedCallRef", ""), event.get("rsiPoint", "")
            self._routed[call_id] = _Routed(request.get("routeCrid", ""), point)
            self.publish(RouteRequest(call_id, point, request.get("caller") or "", request.get("callingName") or "",
                                      request.get("callerType") == "INTERNAL"))
            return True
        if name == "OnRouteEnd":
            call_id = event.get("routedCallRef", "")
            routed = self._routed.pop(call_id, None)
            if routed is not None:
                cause, destination = routed.outcome or self._answered_at(call_id, routed.offered)
                self.publish(RouteEnded(call_id, routed.point, cause, destination))
            return True
        return False

    def _answered_at(self, call_id: str, offered: list[str]) -> tuple[str, str]:
        for line in offered:
            found = self.book.line(line)
            leg = found.call(call_id) if found else None
            if leg is not None and leg.state == CallState.ACTIVE:
                return "answered", line
        return "cleared", ""

    def _session_of(self, call_id: str) -> _Routed:
        routed = self._routed.get(call_id)
        if routed is None:
            raise TelephonyError(f"call {call_id} does not wait at a route point")
        return routed

    async def _select(self, routed: _Routed, route: str, **extra) -> None:
        await self.session.request("POST", "acdrsi", f"/{routed.point}/routeSelect",
                                   json={"routeCrid": routed.crid, "selectedRoute": route, **extra})

    async def offer(self, call_id: str, offers: Mapping[str, Presented]) -> dict[str, str]:
        routed = self._session_of(call_id)
        for line, presented in offers.items():
            found = self.book.line(line)
            if found is None or not found.in_service or found.dnd:
                continue
            if routed.offered != [line]:
                for before in routed.offered:  # before the request: its events may come before its answer
                    self.book.expected[(call_id, before)] = "withdrawn"
                await self._select(routed, line, callingLine=presented.number, associatedData=presented.name)
                routed.offered = [line]
            rings_at = found.forwarding.number if found.forwarding and not found.forwarding.voicemail else line
            return {line: rings_at}
        routed.offered = []
        return {}

    async def route_to(self, call_id: str, destination: str, voicemail: bool = False,
                       past_forwarding: bool = False) -> None:
        # routeSelect has no way to ring a line past its own forwarding (`past_forwarding`, the Call Handler's
        # connect to the number first dialled): the OXE applies the line's forwarding (docs/pbx-o2g.md).
        routed = self._session_of(call_id)
        await self._select(routed, destination, routeToVoiceMail=voicemail)
        routed.outcome = ("handed_off", destination)

    async def reject(self, call_id: str) -> None:
        routed = self._session_of(call_id)
        await self.session.request("POST", "acdrsi", f"/{routed.point}/routeEnd", json={"routeCrid": routed.crid})
        routed.outcome = ("busy", "")

    async def play(self, call_id: str, files: Sequence[str], repeat: bool = False) -> None:
        routed = self._session_of(call_id)
        for file in files:
            guide = self.voice_guides.get(PurePath(file).name)
            if guide is None:
                log.warning("no O2G voice guide for %s: set o2g_voice_guides", PurePath(file).name)
                continue
            await self.session.request("POST", "acdrsi", f"/{routed.point}/playVoiceGuide",
                                       json={"callRef": call_id, "guideNumber": guide})
            return
