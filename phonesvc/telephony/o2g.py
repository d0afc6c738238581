"""The O2G adapter: phonesvc on an Alcatel-Lucent OmniPCX Enterprise through its O2G gateway.

One administrator session (o2g_session) acts for the monitored users with `loginName`; their events come
through one channel (o2g_channel) and become whole-line snapshots (o2g_lines); calls to a group's manager
number wait at route points (o2g_rsi). Every action is one O2G request (consultation takes two) and its
effect arrives as events, like on a real phone: an action's answer says only that O2G took it.

A directory number is monitored once it is matched to an O2G user (`users?companyPhone=`); until the PBX
answers, its line is unknown (the surfaces show it out of service). O2G unreachable at start: the session
and the channel keep trying with back-off, phones and REST are served meanwhile, `problem` says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from phonesvc.telephony.o2g_channel import EventChannel
from phonesvc.telephony.o2g_lines import LineBook
from phonesvc.telephony.o2g_rsi import RoutePoints
from phonesvc.telephony.o2g_session import Connection, O2GError, O2GSession
from phonesvc.telephony.protocol import CallState, Direction, Forwarding, Line, Telephony, TelephonyError

log = logging.getLogger("phonesvc.o2g")
MATCH_AT_ONCE = 20  # user look-ups on the wire at once


class O2GTelephony(RoutePoints, Telephony):
    def __init__(self, connection: Connection, silence: float | None = None,
                 backoff: tuple[float, ...] | None = None) -> None:
        super().__init__()
        self.session = O2GSession(connection)
        self.book = LineBook(self.publish)
        self._wanted: dict[str, str] = {}  # number -> name, every line phonesvc asked to monitor
        self._unmatched: set[str] = set()  # numbers O2G has no user for
        options = {k: v for k, v in (("silence", silence), ("backoff", backoff)) if v is not None}
        self.channel = EventChannel(self.session, self._selectors, self._on_event, self._connected, **options)
        self._matching: asyncio.Task | None = None
        self._match_problem = ""
        self._init_route_points()

    # ---- lifecycle ---------------------------------------------------------------------------------------
    async def start(self) -> None:
        self.channel.start()
        self._match_soon()

    async def stop(self) -> None:
        if self._matching is not None:
            self._matching.cancel()
        await self.channel.stop()
        await self.session.close()

    @property
    def problem(self) -> str:
        """Why the PBX is not fully there, for people; empty when the event channel is up."""
        return "" if self.channel.connected else (self._match_problem or self.channel.problem)

    @property
    def monitoring_all(self) -> bool:
        """Every line asked for is matched (or known not to be a PBX user) and its events come."""
        return (self.channel.connected and self.channel.selected == self._selectors()
                and all(self.book.login_of(n) or n in self._unmatched for n in self._wanted))

    def add_line(self, number: str, name: str = "") -> None:
        if number not in self._wanted:
            self._wanted[number] = name
            self._match_soon()

    def _match_soon(self) -> None:
        if self._matching is None or self._matching.done():
            with contextlib.suppress(RuntimeError):  # no loop yet (before the app starts): start() matches
                self._matching = asyncio.get_running_loop().create_task(self._match())

    async def _match(self) -> None:
        """Find the O2G user of every wanted number not matched yet (MATCH_AT_ONCE requests at a time, so a large
        site does not queue thousands on the connection pool), then subscribe again for them."""
        attempt, matched = 0, False
        while True:
            todo = [n for n in self._wanted if self.book.login_of(n) is None and n not in self._unmatched]
            if not todo:
                if matched:
                    self.channel.renew()
                return
            todo = todo[:MATCH_AT_ONCE]
            try:
                found = await asyncio.gather(*(self._user_of(n) for n in todo))
            except TelephonyError as exc:
                self._match_problem = str(exc)
                log.warning("cannot match lines to O2G users: %s", exc)
                await asyncio.sleep(self.channel.backoff[min(attempt, len(self.channel.backoff) - 1)])
                attempt += 1
                continue
            self._match_problem = ""
            for number, user in zip(todo, found, strict=True):
                if user is None:
                    self._unmatched.add(number)
                    log.warning("the PBX has no user with the number %s: its line is not monitored", number)
                else:
                    self.book.monitor(number, user["loginName"])
                    matched = True

    async def _user_of(self, number: str) -> dict | None:
        try:
            return (await self.session.request("GET", "users", params={"companyPhone": number})).json()
        except O2GError as exc:
            if exc.status == 404:
                return None
            raise

    def _selectors(self) -> list[dict]:
        ids = self.book.logins()
        out = [{"ids": ids, "names": ["telephony"]}, {"ids": ids, "names": ["routingManagement"]}] if ids else []
        return out + self._rsi_selectors()

    def _on_event(self, event: dict) -> None:
        if not self._rsi_event(event):
            self.book.handle(event)

    async def _connected(self) -> None:
        """The channel is (again) up: ask for every state, and enable the route points."""
        await self.session.request("POST", "telephony", "/state/snapshot")
        for login in self.book.logins():  # O2G's routing snapshot is per user
            await self.session.request("POST", "routing", "/state/snapshot", params={"loginName": login})
        await self._enable_route_points()

    # ---- state ---------------------------------------------------------------------------------------------
    def lines(self) -> list[Line]:
        return self.book.lines()

    def line(self, number: str) -> Line | None:
        return self.book.line(number)

    def _login(self, line: str) -> str:
        login = self.book.login_of(line)
        if login is None:
            raise TelephonyError(f"{line or 'an empty number'} is not a line monitored on the PBX")
        return login

    def _ringing_on(self, line: str, call_id: str | None) -> str:
        found = self.line(line)
        for call in found.calls if found else ():
            if call.state == CallState.RINGING and call.direction == Direction.INCOMING \
                    and call_id in (None, call.call_id):
                return call.call_id
        raise TelephonyError(f"call {call_id} is not ringing on line {line}" if call_id
                             else f"nothing rings on line {line}")

    def _consultation(self, line: str) -> tuple[str, str]:
        found = self.line(line)
        calls = found.calls if found else ()
        held = [c.call_id for c in calls if c.state == CallState.HELD]
        active = [c.call_id for c in calls if c.state == CallState.ACTIVE
                  or (c.state == CallState.RINGING and c.direction == Direction.OUTGOING)]
        if not held:
            raise TelephonyError(f"line {line} has no held call")
        if not active:
            raise TelephonyError(f"line {line} has no active call to complete the transfer with")
        if len(held) > 1 or len(active) > 1:
            raise TelephonyError(f"line {line} has {len(held)} held and {len(active)} active calls; "
                                 "a consultation transfer needs exactly one of each")
        return held[0], active[0]

    # ---- calls ---------------------------------------------------------------------------------------------
    async def _call(self, call_id: str, line: str, action: str, body: dict | None = None,
                    login: bool = False) -> None:
        """An action on a call of a monitored line; `login`: the resource takes loginName (the manual lists it
        for transfer, redirect, dropme ...; answer, hold and retrieve go by deviceId alone)."""
        login_name = self._login(line)
        params = {"loginName": login_name} if login else None
        await self.session.request("POST", "telephony", f"/calls/{call_id}/{action}", json=body, params=params)

    async def make_call(self, line: str, number: str) -> str:
        response = await self.session.request(
            "POST", "telephony", "/calls", params={"loginName": self._login(line)},
            json={"deviceId": line, "callee": number, "autoAnswer": True})
        ref = response.json() if response.status_code == 201 and response.content else ""
        return ref if isinstance(ref, str) else str(ref)

    async def answer(self, call_id: str, line: str) -> None:
        await self._call(call_id, line, "answer", {"deviceId": line})

    async def hang_up(self, call_id: str, line: str) -> None:
        found = self.line(line)
        leg = found.call(call_id) if found else None
        if leg and leg.state == CallState.RINGING and leg.direction == Direction.INCOMING:
            self.book.expected[(call_id, line)] = "rejected"
        await self._call(call_id, line, "dropme", login=True)

    async def hold(self, call_id: str, line: str) -> None:
        await self._call(call_id, line, "hold", {"deviceId": line})

    async def retrieve(self, call_id: str, line: str) -> None:
        await self._call(call_id, line, "retrieve", {"deviceId": line})

    async def blind_transfer(self, call_id: str, line: str, destination: str) -> None:
        await self._call(call_id, line, "blindtransfer", {"transferTo": destination}, login=True)

    async def consult_start(self, call_id: str, line: str, destination: str) -> str:
        """O2G has no consultation call of its own: hold the call, then call `destination` (the manual does not
        say that a second call holds the first). A refused second call takes the first back."""
        found = self.line(line)
        leg = found.call(call_id) if found else None
        if leg is not None and leg.state == CallState.ACTIVE:
            await self.hold(call_id, line)
        try:
            return await self.make_call(line, destination)
        except TelephonyError:
            if leg is not None and leg.state == CallState.ACTIVE:
                await self.retrieve(call_id, line)
            raise

    async def consult_complete(self, line: str) -> None:
        held, active = self._consultation(line)
        await self._call(active, line, "transfer", {"heldCallRef": held}, login=True)

    async def consult_cancel(self, line: str) -> None:
        held, active = self._consultation(line)
        await self._call(held, line, "reconnect", {"deviceId": line, "enquiryCallRef": active}, login=True)

    async def redirect(self, call_id: str, line: str, destination: str) -> None:
        """Deflect a ringing call; `destination` "VOICEMAIL" is the line's voicemail box (O2G's keyword)."""
        self._ringing_on(line, call_id)
        await self._call(call_id, line, "redirect", {"redirectTo": destination}, login=True)

    async def pickup(self, line: str, ringing_line: str, call_id: str | None = None) -> str:
        """O2G's pickup answers nothing: the call keeps its reference, so it is the one ringing there."""
        self._login(line)
        call_id = self._ringing_on(ringing_line, call_id)
        await self.session.request("POST", "telephony", f"/devices/{line}/pickup",
                                   json={"otherCallRef": call_id, "otherPhoneNumber": ringing_line,
                                         "autoAnswer": True})
        return call_id

    async def end_call(self, call_id: str) -> None:
        await self.session.request("DELETE", "telephony", f"/calls/{call_id}")

    # ---- routing: forwarding and DND ---------------------------------------------------------------------------
    async def set_forwarding(self, line: str, forwarding: Forwarding | None) -> None:
        params = {"loginName": self._login(line)}
        if forwarding is None:
            await self.session.request("DELETE", "routing", "/forwardroute", params=params)
            return
        destination = {"type": "VOICEMAIL"} if forwarding.voicemail else {"type": "NUMBER",
                                                                           "number": forwarding.number}
        await self.session.request("POST", "routing", "/forwardroute", params=params,
                                   json={"forwardRoute": {"destinations": [destination]}})

    async def set_dnd(self, line: str, on: bool) -> None:
        await self.session.request("POST" if on else "DELETE", "routing", "/dnd",
                                   params={"loginName": self._login(line)})

    async def set_in_service(self, line: str, in_service: bool) -> None:
        raise TelephonyError("the PBX reports whether a device is in service; phonesvc cannot set it")

    async def set_route_points(self, numbers: Iterable[str]) -> None:
        await self._use_route_points(numbers)
