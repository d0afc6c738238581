"""A simulator rig for the PBX simulator's tests: lines, optional route points, a clock the test moves,
and every event it published, told briefly."""

from __future__ import annotations

import asyncio

import pytest

from phonesvc.telephony import CallEnded, LineChanged, RouteEnded, RouteRequest, TelephonyError
from phonesvc.telephony.simulator import Simulator


class Rig:
    """A simulator with four lines (and the given route points), a clock the test moves, every event it
    published."""

    def __init__(self, route_points: tuple[str, ...] = ()):
        self.clock = 1000.0
        self.sim = Simulator(now=lambda: self.clock)
        self.sim.add_lines(["1047", "1175", "1068"])
        self.sim.add_line("1118", "Léonard Saligny")
        self.sim.use_route_points(route_points)
        self.events: list = []
        self.sim.subscribe(self.events.append)

    def __call__(self, method: str, *args, **kwargs):
        return asyncio.run(getattr(self.sim, method)(*args, **kwargs))

    def take(self) -> list:
        """The events since the last take, briefly: (line, ["c1 incoming ringing 0800123456", ...]),
        ("ended", call, line, cause), ("request", call, route point, caller, name, caller is a line),
        ("routed", call, route point, cause, destination)."""
        out = []
        for e in self.events:
            if isinstance(e, LineChanged):
                out.append((e.line.number, [f"{c.call_id} {c.direction} {c.state} {c.remote_number}"
                                            for c in e.line.calls]))
            elif isinstance(e, CallEnded):
                out.append(("ended", e.call_id, e.line, e.cause))
            elif isinstance(e, RouteRequest):
                out.append(("request", e.call_id, e.route_point, e.caller_number, e.caller_name, e.caller_line))
            else:
                assert isinstance(e, RouteEnded)
                out.append(("routed", e.call_id, e.route_point, e.cause, e.destination))
        self.events.clear()
        return out

    def legs(self, line: str) -> list[str]:
        return [f"{c.call_id} {c.direction} {c.state} {c.remote_number}" for c in self.sim.line(line).calls]

    def refused(self, message: str, method: str, *args, **kwargs):
        """The operation raises TelephonyError with `message`, publishes nothing and changes nothing."""
        before = self.sim.state()
        with pytest.raises(TelephonyError) as exc:
            self(method, *args, **kwargs)
        assert message in str(exc.value)
        assert self.take() == []
        assert self.sim.state() == before
