"""A routing rig for scenario tests: a real SQLite store, the PBX simulator, the event bus and the
router on a clock the test moves (no real sleeping). `history` is what the tests assert: every moment
(seconds since the start) at which the set of ringing lines changed, and the set from then on."""

from __future__ import annotations

import asyncio

from phonesvc.domain.members import MANAGER, MEMBER
from phonesvc.domain.presence import Presence
from phonesvc.live import EventBus, LiveState
from phonesvc.routing import ManualClock, Router
from phonesvc.routing.seats import route_points
from phonesvc.store import groups as groups_store
from phonesvc.store import members as members_store
from phonesvc.store import users as users_store
from phonesvc.store import vip as vip_store
from phonesvc.telephony import CallState, Direction, LineChanged
from phonesvc.telephony.simulator import Simulator

OUTSIDE = "0800123456"


class Rig:
    def __init__(self, store):
        self.store = store
        self.clock = ManualClock()
        self.t0 = self.clock.now()
        self.sim = Simulator(now=self.clock.now)
        self.bus = EventBus()
        self.live = LiveState(self.sim, self.bus)
        self.records: list = []
        self.tones: list[tuple[float, str, list[str]]] = []
        self.greetings: dict[str, float] = {}
        self.router = Router(store, self.sim, self.bus, self.clock, greeting_seconds=lambda w: self.greetings.get(w, 0),
                             on_tone=self._tone, on_record=self.records.append, calls=self.live.routed)
        self.history: list[tuple[float, frozenset[str]]] = []
        self._ringing: frozenset[str] = frozenset()
        self.sim.subscribe(self._watch)
        self._users: dict[str, int] = {}

    # -- configuration ------------------------------------------------------------------------------
    def group(self, name: str = "MA Group", number: str = "8973", **values) -> int:
        with self.store.write() as conn:
            gid = groups_store.add_group(conn, {"name": name, "number": number, "manager_timeout": 30,
                                                "assistant_timeout": 15, **values})
        self.sync()
        return gid

    def edit(self, group_id: int, **values) -> None:
        with self.store.write() as conn:
            groups_store.edit_group(conn, group_id, values)
        self.sync()

    def member(self, group_id: int, user_name: str, number: str, manager: bool = False,
               presence: Presence = Presence.AVAILABLE, vip_level: int = 0, first: str = "", last: str = "",
               mobile: str = "", voicemail: str = "") -> int:
        with self.store.write() as conn:
            user = users_store.find_user(conn, user_name)
            if user is None:
                users_store.add_user(conn, user_name, first_name=first or user_name, last_name=last,
                                     vip_level=vip_level, mobile_number=mobile, voicemail_number=voicemail,
                                     devices_=[f"SEP{number:0>12}"])
                user = users_store.find_user(conn, user_name)
            mid = members_store.add_member(conn, group_id, user, number, None, MANAGER if manager else MEMBER, None)
            members_store.set_presence(conn, user.id, presence, "")
        self._users[number] = user.id
        self.sync()
        return mid

    def presence(self, number: str, presence: Presence) -> None:
        with self.store.write() as conn:
            members_store.set_presence(conn, self._users[number], presence, "")
        self.sync()

    def forward(self, member_id: int, kind: str | None, number: str = "", target: int | None = None) -> None:
        with self.store.write() as conn:
            members_store.set_forwarding(conn, member_id, kind, number, target)
        self.sync()

    def vip(self, manager_member_id: int, number: str) -> None:
        with self.store.write() as conn:
            vip_store.add_vip(conn, manager_member_id, number, "")
        self.sync()

    def sync(self) -> None:
        """What a commit brings about in the app: the simulator's lines and route points follow, and a
        ConfigurationChanged is published."""
        snap = self.store.snapshot()
        for m in snap.members.values():
            self.sim.add_line(m.number)
        self.sim.use_route_points(route_points(snap))
        from phonesvc.live.bus import ConfigurationChanged
        self.bus.publish(ConfigurationChanged())

    # -- calls --------------------------------------------------------------------------------------
    async def call(self, to: str = "8973", caller: str = OUTSIDE, name: str = "Ada Caller") -> str:
        if self.sim.is_line(caller):
            call_id = await self.sim.make_call(caller, to)
        else:
            call_id = await self.sim.external_call(caller, to, name)
        await self.router.settle()
        return call_id

    async def advance(self, seconds: float) -> None:
        """Move the clock, letting the router act at every timer on the way (as the loop would)."""
        end = self.clock.now() + seconds
        await self.router.settle()
        while (due := self.clock.pending()) and due[0] <= end:
            self.clock.advance(due[0] - self.clock.now())
            await self.router.settle()
        self.clock.advance(end - self.clock.now())
        await self.router.settle()

    async def answer(self, line: str, call_id: str) -> None:
        await self.sim.answer(call_id, line)
        await self.router.settle()

    async def act(self, coro) -> None:
        await coro
        await self.router.settle()

    @property
    def now(self) -> float:
        return round(self.clock.now() - self.t0, 3)

    def ringing(self) -> set[str]:
        return set(self._ringing)

    def shown(self, line: str) -> tuple[str, str]:
        """(name, number) the ringing phone shows."""
        leg = next(c for c in self.sim.line(line).calls if c.state == CallState.RINGING)
        return leg.remote_name, leg.remote_number

    def steps(self) -> list[tuple[float, set[str]]]:
        return [(t, set(lines)) for t, lines in self.history]

    def _watch(self, event) -> None:
        if not isinstance(event, LineChanged):
            return
        line = event.line
        rings = any(c.state == CallState.RINGING and c.direction == Direction.INCOMING for c in line.calls)
        now = self._ringing | {line.number} if rings else self._ringing - {line.number}
        if now != self._ringing:
            self._ringing = frozenset(now)
            t = self.now
            if self.history and self.history[-1][0] == t:
                self.history[-1] = (t, self._ringing)
            else:
                self.history.append((t, self._ringing))

    def _tone(self, user_ids: list[int], tone: str) -> None:
        names = sorted(n for n, uid in self._users.items() if uid in user_ids)
        self.tones.append((self.now, tone, names))


def run(coro):
    return asyncio.run(coro)
