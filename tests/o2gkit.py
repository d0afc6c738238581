"""A rig for the O2G adapter's tests: the fake O2G server with four users, the adapter connected to it on the
same event loop, every event the adapter published, and waiting for what arrives through the channel."""

from __future__ import annotations

import asyncio
import time

from phonesvc.telephony import CallEnded
from phonesvc.telephony.o2g import O2GTelephony
from phonesvc.telephony.o2g_session import Connection
from tests.fakeo2g import FakeO2G

LINES = ("1047", "1175", "1068", "1118")


def fake_with_users(**options) -> FakeO2G:
    fake = FakeO2G(**options)
    fake.add_user("1047", "Anna", "Berger", voicemail="8000")
    fake.add_user("1175", "Bruno", "Vlahović", login="bvlahovic")  # a login name that is not the number
    fake.add_user("1068", "Chloé", "D'Arcy & <Co>")
    fake.add_user("1118", "Léonard", "Saligny")
    return fake


class O2GRig:
    def __init__(self, ttl: int = 60, silence: float | None = None, password: str = "s3cret") -> None:
        self.fake = fake_with_users(ttl=ttl)
        self.password, self.silence = password, silence
        self.events: list = []
        self.adapter: O2GTelephony | None = None

    def connect(self) -> O2GTelephony:
        adapter = O2GTelephony(Connection(self.fake.url, "admin", self.password, timeout=2.0),
                               silence=self.silence, backoff=(0.05, 0.1, 0.2))
        adapter.subscribe(self.events.append)
        for number in LINES:
            adapter.add_line(number)
        return adapter

    async def __aenter__(self) -> O2GRig:
        await self.fake.start()
        self.adapter = self.connect()
        await self.adapter.start()
        await self.until(lambda: self.adapter.channel.connected and len(self.adapter.lines()) == len(LINES))
        self.events.clear()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.adapter.stop()
        await self.fake.stop()

    async def until(self, predicate, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "the expected state did not arrive"
            await asyncio.sleep(0.01)

    async def caught_up(self) -> None:
        """Until the adapter has handled every event O2G sent so far: a marker (an event the adapter ignores)
        goes down the channel after them, again if a new subscription took the channel meanwhile."""
        self.marks = getattr(self, "marks", 0) + 1
        mark = f"mark-{self.marks}"
        for _attempt in range(20):
            self.fake.emit("1047", "telephony", {"eventName": "OnUserStateModified", "state": mark})
            try:
                await self.until(lambda: self.adapter.channel.last.get("state") == mark, timeout=0.5)
                return
            except AssertionError:
                continue
        raise AssertionError("the channel did not catch up")

    def legs(self, line: str) -> list[str]:
        found = self.adapter.line(line)
        return [f"{c.call_id} {c.direction} {c.state} {c.remote_number}" for c in found.calls] if found else []

    def sim_legs(self, line: str) -> list[str]:
        return [f"{c.call_id} {c.direction} {c.state} {c.remote_number}" for c in self.fake.sim.line(line).calls]

    async def settled(self) -> None:
        """Until every line of the adapter shows what the PBX (the fake's simulator) has."""
        await self.until(lambda: all(self.legs(n) == self.sim_legs(n) for n in LINES))

    def ended(self) -> list[tuple]:
        """The calls ended since the last look: ("ended", call, line, cause, replaced_by, to)."""
        out = [("ended", e.call_id, e.line, e.cause, e.replaced_by, e.to) for e in self.events
               if isinstance(e, CallEnded)]
        self.events.clear()
        return out
