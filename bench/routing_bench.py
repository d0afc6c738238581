"""Call distribution: routing throughput with 1,000 calls in progress across 200 groups, and the time from
an incoming call (the simulator publishing its RouteRequest) to the router's first ring instruction (the
first `offer` of that call reaching the adapter), under that load and on an idle system in the same run.

Everything is the real code in one process: an SQLite store in a temporary folder filled through the store
functions, the embedded PBX simulator, the event bus, LiveState, the Router with the server's greeting
lookup (wave_seconds on a real WAV file) and the call-log writer (its thread writes every ended call). The
simulator is subclassed only to take time.perf_counter() stamps (when it publishes a RouteRequest, when the
first non-empty offer of that call arrives), to count instructions and to tell the load where an offer
rings. Tone notifications, pushed to phones by the server, are only counted; the status display and push
subscribers of the server are not wired. The process is pinned to CPU 0.

Setup: 200 groups of a manager and 4 assistants, 1,000 member lines. Manager timeouts 10/15/20/30 s,
assistant timeouts 8/10/15 s, every third group rings an assistant in parallel; overflows: none (start again)
30 %, busy 20 %, voicemail 20 %, an outside number 15 %, another group 15 %; every manager has 2 VIP
numbers and every fourth group also counts directory users from 3 stars as VIPs (looked up for every
caller; the callers here are outside numbers); the three VIP routings and
VIP displays, caller identification masks and team tones vary by group; 20 groups play waiting
announcements and 8 a 2 s greeting; 10 % of the managers forward (group, voicemail, mobile, a number, an
assistant) and a few assistant lines forward on the PBX; 70 % of the managers and 65 % of the assistants
are Available, the others Away, Busy, DND or Unavailable.

Load: outside callers keep `--calls` calls waiting at the route points (5 per group at the start); 10 % are
on the manager's VIP list. A line an offer rings at answers with a chance of 30 %, after 1.5 to 20 s (often
too late: the timeout has moved the call on); callers give up after 20 to 150 s; answered calls hang up
after 5 to 40 s of talk. Every call that leaves its route point (answered, handed off, busy, caller gone)
is replaced at once by a call to a group drawn at random, so exactly `--calls` are in progress.

Time. The groups' real timeouts make a call live about half a minute, so real time alone would need minutes
before timeouts, overflows and give-ups are all under way. One loaded system therefore runs on a
FastForwardClock: a ManualClock moved on in 50 ms steps as fast as the CPU allows (each step's routing and
load work is done before the next) for `--warmup` simulated seconds, to a steady state; then measured flat
out for `--flat-seconds` simulated seconds (the capacity: how many times real time the router keeps up
with, and its rates per wall second; its latency row is that of a saturated loop, where a new call waits
behind its step's work); then `go_live()` turns it into the LoopClock, the server's clock (wall time, the
event loop's timers; pending timers move to the loop), and `--seconds` are measured in real time, where
the latency under load is taken. The idle baseline: the same groups on LoopClock, one call at a time with
nothing else in progress. CPU time is the process's (all threads: simulator, load and call-log writer
included); a decision is one step of a call's flow (Router._advance).

    .venv/bin/python bench/routing_bench.py [--groups 200] [--calls 1000] [--seconds 20] [--json]
                                           [--flat-seconds 120] [--warmup 120] [--profile FILE]
`--json` ends the output with a one-line JSON summary; `--profile FILE` runs the flat-out measurement under
cProfile, saves the stats to FILE and prints the functions with the most own time to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import logging
import os
import pstats
import random
import statistics
import struct
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, field, replace
from pathlib import Path

from common import pin

from phonesvc.app import prepare
from phonesvc.config import Settings
from phonesvc.domain.members import MANAGER, MEMBER
from phonesvc.domain.presence import Presence
from phonesvc.live import EventBus, LiveState
from phonesvc.live.bus import ConfigurationChanged
from phonesvc.routing import LoopClock, ManualClock, Router
from phonesvc.routing.audio import wave_seconds
from phonesvc.routing.seats import route_points
from phonesvc.store import announcements as ann_store
from phonesvc.store import groups as groups_store
from phonesvc.store import members as members_store
from phonesvc.store import users as users_store
from phonesvc.store import vip as vip_store
from phonesvc.store.calllog import CallLogWriter
from phonesvc.telephony import Forwarding, TelephonyError
from phonesvc.telephony.protocol import CallEnded, LineChanged, RouteEnded, RouteRequest
from phonesvc.telephony.simulator import Simulator

STEP = 0.05  # simulated seconds per step of the flat-out run
P_ANSWER, ANSWER_AFTER = 0.3, (1.5, 20.0)
PATIENCE, TALK = (20.0, 150.0), (5.0, 40.0)
P_VIP_CALLER = 0.1
GREETING_SECONDS = 2.0
RINGING_STAGES = ("manager", "assistants")  # RoutedCall.stage of a call the router has decided to ring


# -- configuration -----------------------------------------------------------------------------------
@dataclass
class Plan:
    route_points: list[str] = field(default_factory=list)  # per group, in creation order
    lines: dict[str, str] = field(default_factory=dict)  # member line -> the user's name
    vips: dict[str, list[str]] = field(default_factory=dict)  # route point -> its manager's VIP numbers
    line_forwarding: list[tuple[str, Forwarding]] = field(default_factory=list)  # forwarding on the PBX
    users: dict[str, int] = field(default_factory=dict)  # member line -> user id

    def caller(self, route_point: str, rng: random.Random) -> tuple[str, str]:
        """An outside caller of this group: 10 % from the manager's VIP list."""
        if rng.random() < P_VIP_CALLER and self.vips.get(route_point):
            number = rng.choice(self.vips[route_point])
            return number, f"VIP {number[-4:]}"
        n = rng.randrange(100_000)
        return f"01{n:08d}", f"Caller {n}"


def wav(path: Path, seconds: float) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<h", 0) * int(8000 * seconds))


def build(store, audio: Path, groups: int, rng: random.Random) -> Plan:
    """Groups, users, members, VIP lists, announcements, forwarding and presence, in one transaction."""
    plan = Plan()
    wav(audio / "Welcome.wav", GREETING_SECONDS)
    presences = [Presence.AVAILABLE] * 13 + [Presence.AWAY, Presence.AWAY, Presence.BUSY, Presence.BUSY,
                                              Presence.DND, Presence.DND, Presence.OFFLINE]  # 65 % available
    manager_presence = {2: Presence.BUSY, 5: Presence.AWAY, 8: Presence.DND}
    manager_forwarding = {4: "group", 14: "voicemail", 24: "mobile", 34: "number", 44: "member"}
    overflows = ["-1"] * 6 + ["-3"] * 4 + ["voicemail"] * 4 + ["number"] * 3 + ["group"] * 3
    with store.write() as conn:
        gids = []
        for i in range(groups):
            values = {
                "name": f"Team {i:03d}", "number": f"7{i:04d}", "manager_timeout": (10, 15, 20, 30)[i % 4],
                "assistant_timeout": (8, 10, 15)[i % 3], "ring_parallel": int(i % 3 == 0),
                "vip_threshold": 3 if i % 4 == 0 else 6, "vip_calls_routing": i % 3,
                "show_vip_call": (1, 0, 2)[i % 3], "assistant_to_mng": i % 2,
                "caller_name": "%managerShortName%: %callerName%" if i % 5 == 0 else "",
                "caller_number": "%managerNumber%" if i % 10 == 0 else "",
                "mng_call_alarm": "MngTone.wav" if i % 4 == 1 else "",
                "assist_call_alarm": "AssistTone.wav" if i % 4 == 1 else "",
                "welcome": "Welcome.wav" if i % 25 == 7 else "",
            }
            gids.append(groups_store.add_group(conn, values))
            plan.route_points.append(values["number"])
        for i, gid in enumerate(gids):
            kind = overflows[i % len(overflows)]
            overflow = {"voicemail": f"voicemail:9{i:04d}", "number": f"0044{i:06d}",
                        "group": f"group:{gids[(i + 1) % groups]}"}.get(kind, kind)
            groups_store.edit_group(conn, gid, {"overflow": overflow})
            if i % 10 == 3:
                for k in range(1 + i % 2):
                    ann_store.add_announcement(conn, gid, f"Wait{k}.wav", None)
            member_ids = []
            for k in range(5):
                number = f"2{i:04d}{k}"
                first, last = ("Manager" if k == 0 else f"Assistant{k}"), f"Team{i:03d}"
                users_store.add_user(conn, f"u{i:04d}{k}", first_name=first, last_name=last,
                                     line_number=number, mobile_number=f"06{i:04d}{k:04d}",
                                     voicemail_number=f"9{i:04d}{k}", vip_level=rng.randrange(6),
                                     devices_=[f"SEP{number:0>12}"])
                user = users_store.find_user(conn, f"u{i:04d}{k}")
                member_ids.append(members_store.add_member(conn, gid, user, number, None,
                                                           MANAGER if k == 0 else MEMBER, None))
                presence = manager_presence.get(i % 10, Presence.AVAILABLE) if k == 0 else rng.choice(presences)
                members_store.set_presence(conn, user.id, presence, "")
                plan.lines[number] = f"{first} {last}"
                plan.users[number] = user.id
            vips = [f"0800{i:03d}{n}" for n in range(2)]
            for number in vips:
                vip_store.add_vip(conn, member_ids[0], number, "")
            plan.vips[f"7{i:04d}"] = vips
            fwd = manager_forwarding.get(i % 50)
            if fwd:
                members_store.set_forwarding(conn, member_ids[0], fwd, f"0033{i:06d}" if fwd == "number" else "",
                                             member_ids[1] if fwd == "member" else None)
            if i % 40 == 11:
                plan.line_forwarding.append((f"2{i:04d}2", Forwarding(f"9{i:04d}2", voicemail=True)))
            elif i % 40 == 31:
                plan.line_forwarding.append((f"2{i:04d}3", Forwarding(f"2{i:04d}4")))
    return plan


# -- the system under test ---------------------------------------------------------------------------
class TimedSimulator(Simulator):
    """The real simulator; only stamps RouteRequest and the first ring instruction of each call, counts the
    router's instructions, and tells the load where an offer rings."""

    def __init__(self, now) -> None:
        super().__init__(now=now)
        self.router: Router | None = None
        self.requested: dict[str, float] = {}  # call id -> perf_counter when its RouteRequest was published
        self.samples: list[tuple[float, float]] = []  # (requested at, seconds to the first offer)
        self.on_rings = lambda call_id, numbers: None
        self.counts = {"offer": 0, "stop": 0, "route_to": 0, "reject": 0, "play": 0}

    def publish(self, event) -> None:
        if type(event) is not RouteRequest:
            super().publish(event)
            return
        t = time.perf_counter()
        super().publish(event)  # LiveState -> bus -> Router._start, synchronously
        call = self.router.calls.get(event.call_id)
        if call is not None and call.stage in RINGING_STAGES:  # it rings at once: no greeting, wait or hand-off
            self.requested[event.call_id] = t

    async def offer(self, call_id, offers):
        if offers:
            self.counts["offer"] += 1
            t = self.requested.pop(call_id, None)
            if t is not None:
                self.samples.append((t, time.perf_counter() - t))
        else:
            self.counts["stop"] += 1
        rang = await super().offer(call_id, offers)
        waiting = self.waiting(call_id)  # None: a voicemail box took the call at once
        if waiting is not None:
            self.on_rings(call_id, [waiting.at[n] for n in rang if n in waiting.at])
        return rang

    async def route_to(self, call_id, destination, voicemail=False):
        self.counts["route_to"] += 1
        self.requested.pop(call_id, None)
        return await super().route_to(call_id, destination, voicemail)

    async def reject(self, call_id):
        self.counts["reject"] += 1
        self.requested.pop(call_id, None)
        return await super().reject(call_id)

    async def play(self, call_id, files, repeat=False):
        self.counts["play"] += 1
        return await super().play(call_id, files, repeat)


class FastForwardClock(ManualClock):
    """A ManualClock (moved on by `advance`, as fast as the CPU allows) until `go_live`; from then on the
    LoopClock (wall time, the event loop's timers), and the timers still pending move to the loop."""

    def __init__(self) -> None:
        super().__init__(start=time.time())
        self._live: LoopClock | None = None
        self._offset = 0.0

    def now(self) -> float:
        return super().now() if self._live is None else time.time() + self._offset

    def call_later(self, delay, callback):
        return super().call_later(delay, callback) if self._live is None else self._live.call_later(delay, callback)

    def go_live(self) -> None:
        self._offset = super().now() - time.time()  # now() goes on from where the fast-forward left it
        self._live = LoopClock()
        pending, self._heap = sorted(self._heap), []
        for due, _, timer, callback in pending:
            if not timer.cancelled:
                self._live.call_later(due - super().now(), lambda t=timer, c=callback: None if t.cancelled else c())


class System:
    """Store, simulator, bus, LiveState, call-log writer and router wired as the server wires them."""

    def __init__(self, store, plan: Plan, audio: Path, clock) -> None:
        self.store, self.plan, self.clock = store, plan, clock
        self.sim = TimedSimulator(now=clock.now)
        for number, name in plan.lines.items():
            self.sim.add_line(number, name)
        self.sim.use_route_points(route_points(store.snapshot()))
        self.bus = EventBus()
        self.live = LiveState(self.sim, self.bus)
        self.calllog = CallLogWriter(store)
        self.tones = 0
        self.router = Router(store, self.sim, self.bus, clock, greeting_seconds=wave_seconds(audio),
                             on_tone=self._tone, on_record=self.calllog.add, calls=self.live.routed)
        self.sim.router = self.router
        self.decisions = 0
        advance = self.router._advance

        def counted(call) -> None:  # one decision: the next step of a call's flow
            self.decisions += 1
            advance(call)
        self.router._advance = counted
        self.events = 0
        self.routed = 0  # calls that left their route point (answered, handed off, busy, caller gone)
        self.bus.subscribe(self._count)

    async def start(self) -> None:
        for line, fwd in self.plan.line_forwarding:
            await self.sim.set_forwarding(line, fwd)

    def close(self) -> None:
        self.calllog.close(30)

    def _tone(self, users, tone) -> None:
        self.tones += 1

    def _count(self, event) -> None:
        if isinstance(event, (LineChanged, CallEnded, RouteRequest, RouteEnded)):
            self.events += 1
            if type(event) is RouteEnded:
                self.routed += 1


class Load:
    """Outside callers keeping `calls` calls at the route points; members answering; callers hanging up."""

    def __init__(self, system: System, calls: int, rng: random.Random) -> None:
        self.system, self.sim, self.clock, self.rng = system, system.sim, system.clock, rng
        self.calls = calls
        self.waiting: dict[str, str] = {}  # call id -> route point, while it waits there
        self.tasks: set[asyncio.Task] = set()
        self.running = True
        self.outcomes: dict[str, int] = {}
        self.refused = 0
        system.bus.subscribe(self._on_event)
        self.sim.on_rings = self._rings

    def start(self, ramp: float) -> None:
        rps = self.system.plan.route_points
        for i in range(self.calls):
            rp = rps[i % len(rps)]
            self.clock.call_later(ramp * i / self.calls, lambda rp=rp: self.place(rp))

    def place(self, route_point: str) -> None:
        if self.running:
            number, name = self.system.plan.caller(route_point, self.rng)
            self._spawn(self._call(number, route_point, name))

    async def settle(self) -> None:
        while self.tasks:
            await asyncio.wait(list(self.tasks))

    async def _call(self, number: str, route_point: str, name: str) -> None:
        try:
            await self.sim.external_call(number, route_point, name)
        except TelephonyError:
            self.refused += 1

    def _on_event(self, event) -> None:
        if type(event) is RouteRequest:
            self.waiting[event.call_id] = event.route_point
            self.clock.call_later(self.rng.uniform(*PATIENCE), lambda c=event.call_id: self._give_up(c))
        elif type(event) is RouteEnded:
            self.outcomes[event.cause] = self.outcomes.get(event.cause, 0) + 1
            if event.cause in ("answered", "handed_off"):
                self.clock.call_later(self.rng.uniform(*TALK), lambda c=event.call_id: self._hang_up(c))
            if self.waiting.pop(event.call_id, None) is not None:
                self.place(self.rng.choice(self.system.plan.route_points))

    def _rings(self, call_id: str, numbers: list[str]) -> None:
        for number in numbers:
            if self.sim.is_line(number) and self.rng.random() < P_ANSWER:
                self.clock.call_later(self.rng.uniform(*ANSWER_AFTER),
                                      lambda n=number: self._spawn(self._answer(call_id, n)))

    async def _answer(self, call_id: str, line: str) -> None:
        if call_id in self.waiting:
            with contextlib.suppress(TelephonyError):  # it may no longer ring there: the call moved on
                await self.sim.answer(call_id, line)

    def _give_up(self, call_id: str) -> None:
        if call_id in self.waiting:
            self._hang_up(call_id)

    def _hang_up(self, call_id: str) -> None:
        self._spawn(self._hang_up_now(call_id))

    async def _hang_up_now(self, call_id: str) -> None:
        with contextlib.suppress(TelephonyError):  # over already (handed to an outside number or a voicemail box)
            await self.sim.hang_up_external(call_id)

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


class Meter:
    """Counters, wall and CPU time over a measured window."""

    def __init__(self, system: System, load: Load) -> None:
        self.system, self.load = system, load
        self.wall, self.cpu, self.sim_t = time.perf_counter(), time.process_time(), system.clock.now()
        self.counts = self._counts()
        self.population: list[int] = []

    def _counts(self) -> dict[str, int]:
        s = self.system
        return {"routed": s.routed, "decisions": s.decisions, "offers": s.sim.counts["offer"], "events": s.events}

    def stop(self) -> dict:
        wall = time.perf_counter() - self.wall
        cpu = time.process_time() - self.cpu
        sim = self.system.clock.now() - self.sim_t
        now = self._counts()
        delta = {k: now[k] - self.counts[k] for k in now}
        samples = [lat for t, lat in self.system.sim.samples if t >= self.wall]
        return {
            "wall_s": wall, "cpu_s": cpu, "speed": sim / wall, **{f"{k}_per_s": v / wall for k, v in delta.items()},
            "cpu_ms_per_routed_call": cpu * 1e3 / max(delta["routed"], 1), "cpu_busy": cpu / wall,
            "in_progress": statistics.mean(self.population) if self.population else len(self.load.waiting),
            "latency": latency(samples), "routed": delta["routed"],
        }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0, "p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    return {"n": len(samples), "p50_ms": statistics.median(samples) * 1e3, "p99_ms": pct(samples, 0.99) * 1e3,
            "max_ms": max(samples) * 1e3}


# -- the runs ----------------------------------------------------------------------------------------
async def idle_baseline(store, plan: Plan, audio: Path, calls: int, rng: random.Random) -> dict:
    """One call at a time, nothing else in progress; each is hung up once it rings."""
    system = System(store, plan, audio, LoopClock())
    await system.start()
    try:
        for i in range(calls):
            rp = plan.route_points[i % len(plan.route_points)]
            number, name = plan.caller(rp, rng)
            call_id = await system.sim.external_call(number, rp, name)
            await system.router.settle()
            with contextlib.suppress(TelephonyError):
                await system.sim.hang_up_external(call_id)
            await system.router.settle()
            await asyncio.sleep(0.001)
        return latency([lat for _, lat in system.sim.samples])
    finally:
        system.close()


async def loaded(store, plan: Plan, audio: Path, args, rng: random.Random) -> tuple[dict, dict]:
    """The load on one system: fast-forwarded to a steady state, measured flat out, then live in real time."""
    clock = FastForwardClock()
    system = System(store, plan, audio, clock)
    await system.start()
    load = Load(system, args.calls, rng)

    async def step() -> None:
        clock.advance(STEP)
        while True:  # the router's instructions and the load's actions, and what they cause in turn
            await system.router.settle()
            if not load.tasks:
                return
            await load.settle()

    async def fast_forward(seconds: float, meter: Meter | None = None) -> None:
        end = clock.now() + seconds
        while clock.now() < end - STEP / 2:
            for _ in range(10):
                await step()
            if meter:
                meter.population.append(len(load.waiting))

    try:
        load.start(ramp=5.0)
        await fast_forward(args.warmup)
        profile = cProfile.Profile() if args.profile else None
        meter = Meter(system, load)
        if profile:
            profile.enable()
        await fast_forward(args.flat_seconds, meter)
        if profile:
            profile.disable()
        fast = meter.stop()
        if profile:
            profile.dump_stats(args.profile)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        outcomes_before = dict(load.outcomes)
        clock.go_live()
        await asyncio.sleep(1.0)  # what the flat-out run left queued is done
        meter = Meter(system, load)
        end = time.perf_counter() + args.seconds
        while time.perf_counter() < end:
            meter.population.append(len(load.waiting))
            await asyncio.sleep(0.1)
        live = meter.stop()
        live["outcomes"] = {k: v - outcomes_before.get(k, 0) for k, v in load.outcomes.items()}
        live["config_change"] = await config_changes(system, plan)
        fast["errors"] = live["errors"] = system.router.errors
        live["refused"] = load.refused
        return fast, live
    finally:
        await wind_down(system, load)


async def wind_down(system: System, load: Load) -> None:
    """Stop placing calls and let the queued instructions run, so the loop closes with no task pending."""
    load.running = False
    await load.settle()
    await system.router.settle()
    system.close()


async def config_changes(system: System, plan: Plan, rounds: int = 10) -> dict:
    """What one configuration write costs the loop with the load in progress: the snapshot reload, then the
    router's revalidation of every call (ConfigurationChanged, as the server publishes after a commit)."""
    store = system.store
    user_id = plan.users[next(n for n in plan.lines if n.endswith("1"))]
    reload, revalidate = [], []
    original = Presence(store.snapshot().users[user_id].presence)
    for i in range(rounds):
        with store.write() as conn:
            members_store.set_presence(conn, user_id, Presence.AWAY if i % 2 == 0 else original, "")
        t0 = time.perf_counter()
        store.snapshot()
        t1 = time.perf_counter()
        system.bus.publish(ConfigurationChanged())
        t2 = time.perf_counter()
        reload.append(t1 - t0)
        revalidate.append(t2 - t1)
        await asyncio.sleep(0.2)
    return {"reload_ms": statistics.median(reload) * 1e3, "revalidate_ms": statistics.median(revalidate) * 1e3,
            "calls": len(system.router.calls)}


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.n = 0
        self.first: list[str] = []

    def emit(self, record) -> None:
        self.n += 1
        if len(self.first) < 5:
            self.first.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--calls", type=int, default=1000, help="calls kept in progress")
    ap.add_argument("--seconds", type=float, default=20, help="wall seconds measured in real time")
    ap.add_argument("--flat-seconds", type=float, default=120, help="simulated seconds measured flat out")
    ap.add_argument("--warmup", type=float, default=120, help="simulated seconds fast-forwarded first")
    ap.add_argument("--idle-calls", type=int, default=400)
    ap.add_argument("--json", action="store_true", help="end with a one-line JSON summary")
    ap.add_argument("--profile", metavar="FILE", help="profile the flat-out run into FILE")
    args = ap.parse_args()
    if pin(0) and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    warnings = _Count()  # routing logs races (a caller gone while an instruction was queued) as warnings
    logger = logging.getLogger("phonesvc")
    logger.addHandler(warnings)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(Settings(), data_dir=Path(tmp) / "data")
        store = prepare(settings)
        audio = settings.audio_dir(settings.ma_instance, "PCM")
        t = time.perf_counter()
        plan = build(store, audio, args.groups, rng)
        setup_s = time.perf_counter() - t
        store.snapshot()
        gc.collect()
        idle = asyncio.run(idle_baseline(store, plan, audio, args.idle_calls, rng))
        fast, live = asyncio.run(loaded(store, plan, audio, args, rng))
        store.dispose()
    print(report(args, setup_s, plan, idle, live, fast, warnings.n))
    for message in warnings.first:
        print(message, file=sys.stderr)
    if args.json:
        print(json.dumps(summary(args, idle, live, fast, warnings.n), separators=(",", ":")))


def report(args, setup_s: float, plan: Plan, idle: dict, live: dict, fast: dict, warnings: int) -> str:
    lines = [f"{args.groups} groups ({len(plan.lines):,} member lines, created in {setup_s:.1f} s), "
             f"{args.calls:,} calls kept in progress by outside callers; {args.warmup:g} simulated s of warm-up, "
             f"then {args.flat_seconds:g} simulated s flat out and {args.seconds:g} s in real time; one process"
             f"{' pinned to CPU 0' if pin(0) else ''}", "",
             "| run | time | in progress | calls routed/s | decisions/s | offers/s | events/s | CPU per routed call "
             "| CPU busy |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in (("real time (LoopClock)", live), ("flat out (ManualClock, as fast as it goes)", fast)):
        lines.append(f"| {name} | ×{r['speed']:.1f} | {r['in_progress']:,.0f} | {r['routed_per_s']:,.0f} "
                     f"| {r['decisions_per_s']:,.0f} | {r['offers_per_s']:,.0f} | {r['events_per_s']:,.0f} "
                     f"| {r['cpu_ms_per_routed_call']:.2f} ms | {r['cpu_busy']:.0%} |")
    base = idle["p99_ms"] or 1.0
    lines += ["", "| incoming call → first ring instruction | calls | p50 ms | p99 ms | max ms | p99 of baseline |",
              "|---|---:|---:|---:|---:|---:|"]
    for name, lat in (("idle: nothing else in progress (baseline)", idle),
                      (f"{args.calls:,} calls in progress, real time", live["latency"]),
                      (f"{args.calls:,} calls in progress, flat out (saturated loop)", fast["latency"])):
        lines.append(f"| {name} | {lat['n']:,} | {lat['p50_ms']:.2f} | {lat['p99_ms']:.2f} | {lat['max_ms']:.1f} "
                     f"| ×{lat['p99_ms'] / base:.1f} |")
    cc = live["config_change"]
    lines += ["", f"A configuration write with {cc['calls']:,} calls in progress (a presence change): snapshot "
                  f"reload {cc['reload_ms']:.1f} ms, then the router's revalidation of every call "
                  f"{cc['revalidate_ms']:.1f} ms, both on the event loop (medians of 10).",
              f"Where the calls went (real time): {outcomes(live['outcomes'])}; adapter errors {live['errors']}, "
              f"calls the PBX refused {live['refused']}, routing warnings {warnings}."]
    return "\n".join(lines)


OUTCOMES = {"answered": "answered", "handed_off": "handed off (forwarding, overflow to a number or voicemail)",
            "cleared": "caller gave up", "busy": "busy"}


def outcomes(counts: dict[str, int]) -> str:
    total = sum(counts.values()) or 1
    return ", ".join(f"{OUTCOMES.get(k, k)} {v / total:.0%}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def summary(args, idle: dict, live: dict, fast: dict, warnings: int) -> dict:
    def run(r: dict) -> dict:
        keep = ("speed", "in_progress", "routed_per_s", "decisions_per_s", "offers_per_s", "events_per_s",
                "cpu_ms_per_routed_call", "cpu_busy")
        return {k: round(r[k], 3) for k in keep} | {"latency": {k: round(v, 3) for k, v in r["latency"].items()}}

    return {"bench": "routing", "groups": args.groups, "calls": args.calls, "seconds": args.seconds,
            "idle_latency": {k: round(v, 3) for k, v in idle.items()}, "real_time": run(live),
            "flat_out": run(fast), "config_change": {k: round(v, 2) for k, v in live["config_change"].items()},
            "errors": live["errors"], "refused": live["refused"], "warnings": warnings}


if __name__ == "__main__":
    main()
