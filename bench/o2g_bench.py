"""O2G events through the whole app: 1,000 events per second on the O2G notification channel (the fake O2G
of tests/fakeo2g.py, real HTTP on loopback), through the O2G adapter, the bus and the status display, to the
push that reaches the phones showing the group (tests/fakephones.py).

The events are OnCallCreated / OnCallRemoved pairs on the lines of group 45's members (demo data), emitted in
batches of 10 every 10 ms. Measured in this process (the phones share phonesvc's event loop and
the fake O2G the interpreter, so the figures are pessimistic):
* applied: time from an event handed to the fake O2G (its own thread and loop, as another machine) to the
  adapter publishing the line (p50, p99, max),
* push: time from an event to the first push that reached Léonard's phone after the adapter published its
  change (p50, p99, max; the push window of 50 ms is part of it: pushes coalesce bursts),
* last: time from the last event of the run to the last push.

    .venv/bin/python bench/o2g_bench.py [--rate 1000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from phonesvc.app import create_app  # noqa: E402
from phonesvc.config import load_settings  # noqa: E402
from phonesvc.store import demo  # noqa: E402
from phonesvc.store.prepare import prepare  # noqa: E402
from phonesvc.telephony import LineChanged  # noqa: E402
from tests.fakeo2g import FakeO2G  # noqa: E402
from tests.fakephones import PhoneFarm  # noqa: E402

PHONE = "SEP000000001118"  # Léonard shows group 45


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def figures(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    return {"p50_ms": round(statistics.median(ms), 2), "p99_ms": round(pct(ms, 0.99), 2),
            "max_ms": round(max(ms), 2), "n": len(ms)}


async def run(rate: int, seconds: float) -> dict:
    logging.basicConfig(level=logging.WARNING)
    fake = FakeO2G(auto_users=True).start_thread()  # O2G is another machine: its own thread and loop
    farm = PhoneFarm()
    farm.add(PHONE)
    await farm.start()
    data = Path(tempfile.mkdtemp()) / "data"
    settings = load_settings(env={
        "PHONESVC_DATA_DIR": str(data), "PHONESVC_PUSH_USER": "pushuser", "PHONESVC_PUSH_PASSWORD": "s3cret",
        "PHONESVC_PUBLIC_URL": "http://phonesvc.test", "PHONESVC_PBX": "o2g", "PHONESVC_O2G_URL": fake.url,
        "PHONESVC_O2G_LOGIN": fake.login, "PHONESVC_O2G_PASSWORD": fake.password})
    store = prepare(settings)
    with store.write() as conn:
        demo.load(conn)
    app = create_app(settings, store)
    applied: dict[str, float] = {}  # "call@line" -> when the adapter published it
    async with app.router.lifespan_context(app):
        adapter = app.state.telephony
        while not adapter.monitoring_all:
            await asyncio.sleep(0.05)
        app.state.registry.seen(PHONE, "CP-8865", "", farm.phone(PHONE).address)
        app.state.displays.changed()
        snap = store.snapshot()
        lines = sorted({snap.members[gm.member_id].number for gm in snap.group_members.get(45, [])})
        logins = {n: adapter.book.login_of(n) for n in lines}

        def seen(event) -> None:
            """A call shown is its OnCallCreated applied; gone again (after that), its OnCallRemoved."""
            if isinstance(event, LineChanged):
                now, calls = time.perf_counter(), {c.call_id for c in event.line.calls}
                for key in list(pending.get(event.line.number, ())):
                    ref, added = key[:-1], key.endswith("+")
                    if (ref in calls) if added else (ref not in calls and ref + "+" in applied):
                        applied[key] = now
                        pending[event.line.number].discard(key)
        pending: dict[str, set[str]] = {}
        adapter.subscribe(seen)
        await asyncio.sleep(0.5)
        farm.clear()
        emitted: list[tuple[str, float]] = []
        total, batch, n = int(rate * seconds), 10, 0
        start = time.perf_counter()
        while n < total:
            for _ in range(batch):
                line = lines[(n // 2) % len(lines)]
                ref = f"b{n // 2}"
                key = f"{ref}{'+' if n % 2 == 0 else '-'}"
                pending.setdefault(line, set()).add(key)
                emitted.append((key, time.perf_counter()))
                if n % 2 == 0:
                    fake.loop.call_soon_threadsafe(fake.emit, logins[line], "telephony", {
                        "eventName": "OnCallCreated", "callRef": ref, "initiator": "0800123456",
                        "legs": [{"deviceId": line, "state": "RINGING_INCOMING"}],
                        "participants": [{"participantId": "x", "identity": {
                            "id": {"phoneNumber": "0800123456"}, "displayName": "Société Générale",
                            "type": {"main": "EXTERNAL"}}}]})
                else:
                    fake.loop.call_soon_threadsafe(fake.emit, logins[line], "telephony", {
                        "eventName": "OnCallRemoved", "callRef": ref, "cause": "CLEARED"})
                n += 1
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        last_emit = time.perf_counter()
        deadline = time.monotonic() + 10
        while any(pending.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)  # the last pushes
        await app.state.push.idle()
        pushes = sorted(r.when for r in farm.phone(PHONE).requests)
        apply_lat = [applied[k] - t for k, t in emitted if k in applied]
        push_lat = []
        for key, t in emitted:  # the first push after the adapter published the event's change
            i = bisect.bisect_right(pushes, applied.get(key, t))
            if i < len(pushes):
                push_lat.append(pushes[i] - t)
        result = {
            "events": total, "rate_per_s": rate, "achieved_rate_per_s": round(total / (last_emit - start)),
            "not_applied": sum(map(len, pending.values())), "pushes": len(pushes),
            "applied": figures(apply_lat), "push": figures(push_lat),
            "last_event_to_last_push_ms": round((pushes[-1] - last_emit) * 1000, 1) if pushes else None,
        }
    await farm.stop()
    fake.stop_thread()
    store.dispose()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    print(json.dumps(asyncio.run(run(args.rate, args.seconds)), indent=2))


if __name__ == "__main__":
    main()
