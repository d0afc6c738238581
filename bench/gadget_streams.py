"""The gadget at scale (issue 12, point 7): 1,000 open gadget streams on one `phonesvc serve` of the large site,
and the time from a PBX event to the LAST stream that shows the change; meanwhile phones keep being answered.

Users sign in through the real auto-login URL (/LogonPage.asp?user=&pwd=), distinct users spread over many
groups and every member of the benchmarks' group (so several streams watch one group); their passwords are
set through the store on a copy of the site before the server starts. The streams are opened by
bench/gadget_client.py in a process of its own on the other core. Each event is a request to the server:
a simulated outside call ringing an assistant (POST /sim/call; the caller's name is the marker), its hang-up
(POST /sim/hangup; the marker leaves), a presence change (REST setPresence with a marked status message).
The time runs from just before the event's request to the moment the last stream of every group that shows
the member has read the change (one clock, CLOCK_MONOTONIC, in both processes). Meanwhile phone screens
(PhoneMenu as manager and assistant, OneButton, StatusDisplay.asp) are requested at a steady rate over
keep-alive connections and their latency is measured against issue 10's p99 target; after the events the bare
anchor (bench/anchor.py) is asked at the same rate in the same run, so that the phones' p99 can be read against
what the machine's load alone does.

    .venv/bin/python bench/gadget_streams.py [--streams 1000] [--users 1000] [--rounds 70] [--json out.json]
Target: p99 under 250 ms from the event to the last stream; phone screens p99 under 10 ms meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from common import BENCH, anchor_server, memory_mb, phonesvc_server, pin
from phone_bench import targets as phone_targets
from sites import REST, SRC, large_site

from phonesvc.domain.members import MANAGER
from phonesvc.domain.passwords import hash_password
from phonesvc.store import Store
from phonesvc.store.users import set_password_hash

PASSWORD = "Gadget & Bench"
EVENT_P99_MS, PHONE_P99_MS = 250.0, 10.0
STREAM = "/Applications/inbound/MAGroup/gadget/stream?group="


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def choose(db: Path, bench_group: int, users: int) -> tuple[list[tuple[str, int]], dict]:
    """Give `users` users a password (every member of the benchmarks' group, then one assistant per group over
    the others) and return (user name, group) per user and the snapshot's groups -> (assistant numbers,
    member user ids, mb_id per user)."""
    store = Store(f"sqlite:///{db}")
    snap = store.snapshot()
    info: dict[int, dict] = {}
    for gid, gms in snap.group_members.items():
        ms = [(gm, snap.members[gm.member_id]) for gm in gms]
        info[gid] = {"assistants": [m.number for gm, m in ms if gm.type != MANAGER],
                     "users": {m.user_id: m.id for _gm, m in ms}}
    chosen = [(uid, bench_group) for uid in info[bench_group]["users"]]
    seen = {uid for uid, _ in chosen}
    for gid in sorted(info):
        if len(chosen) >= users:
            break
        uid = next((u for u in info[gid]["users"] if u not in seen), None)
        if gid != bench_group and uid is not None:
            chosen.append((uid, gid))
            seen.add(uid)
    hashed = hash_password(PASSWORD)
    with store.write() as conn:
        for uid, _ in chosen:
            set_password_hash(conn, uid, hashed)
    names = [(snap.users[uid].user_name, gid) for uid, gid in chosen]
    store.dispose()
    return names, info


def sign_in(port: int, user: str) -> str:
    """The session cookie of the auto-login URL."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/LogonPage.asp?" + urllib.parse.urlencode({"user": user, "pwd": PASSWORD, "page": "/"}))
    resp = conn.getresponse()
    resp.read()
    conn.close()
    for header in resp.msg.get_all("Set-Cookie") or ():
        name, _, value = header.partition(";")[0].partition("=")
        if name.strip() == "phonesvc_session":
            return value
    raise RuntimeError(f"sign-in of {user} failed: {resp.status}")


async def request(host: str, port: int, method: str, path: str, body: str = "", headers: dict | None = None,
                  conn: list | None = None) -> bytes:
    """One HTTP/1.1 request over a kept connection (`conn` holds reader and writer) or a new one."""
    if conn is not None and conn:
        reader, writer = conn
    else:
        reader, writer = await asyncio.open_connection(host, port)
        if conn is not None:
            conn[:] = [reader, writer]
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    if body:
        extra += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body.encode())}\r\n"
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n{body}".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:"))
    data = await reader.readexactly(length)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"{method} {path}: {head[:100]!r} {data[:200]!r}")
    if conn is None:
        writer.close()
    return data


async def phones(port: int, screens: list, rate: float, stop: asyncio.Event,
                 latencies: list[tuple[float, float]]) -> None:
    """Phone screens at `rate` requests per second over 4 kept connections, each its own schedule; each request's
    (start, seconds) goes to `latencies`."""
    async def worker(k: int) -> None:
        conn: list = []
        interval = 4 / rate
        next_at = time.monotonic() + k * interval / 4
        n = k
        while not stop.is_set():
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            path, headers = screens[n % len(screens)]
            t = time.monotonic()
            await request("127.0.0.1", port, "GET", path, headers=headers, conn=conn)
            latencies.append((t, time.monotonic() - t))
            n, next_at = n + 4, next_at + interval
    await asyncio.gather(*(worker(k) for k in range(4)))


async def anchor(port: int, rate: float, seconds: float) -> list[float]:
    """The bare anchor (bench/anchor.py, on the server's core) asked at the phones' rate for `seconds`, in the same
    run: what the machine's load alone does to a p99 (the phones' figure is read against it)."""
    with anchor_server(port):
        stop, latencies = asyncio.Event(), []
        load = asyncio.create_task(phones(port, [("/", {})], rate, stop, latencies))
        await asyncio.sleep(seconds)
        stop.set()
        await load
    return [seconds for _start, seconds in latencies]


def during(phone: list[tuple[float, float]], samples: list[dict]) -> tuple[list[float], list[float]]:
    """The phone requests (ms) that started while an event was on its way to the streams, and the others: if the
    server's loop were blocked by the streams' work, the first would be the slow ones."""
    windows = [(s["start"], s["start"] + s["ms"] / 1e3) for s in samples]
    inside = [any(a <= start <= b for a, b in windows) for start, _seconds in phone]
    return ([seconds * 1e3 for (_t, seconds), x in zip(phone, inside, strict=True) if x],
            [seconds * 1e3 for (_t, seconds), x in zip(phone, inside, strict=True) if not x])


async def events(port: int, client, info: dict, groups: list[int], bench_group: int, rounds: int) -> list[dict]:
    """Per round a ring, its hang-up and a presence change, one at a time; the benchmarks' group every 4th."""
    out = []
    number_groups: dict[str, set[int]] = {}
    user_groups: dict[int, set[int]] = {}
    for gid, g in info.items():
        for number in g["assistants"]:
            number_groups.setdefault(number, set()).add(gid)
        for uid in g["users"]:
            user_groups.setdefault(uid, set()).add(gid)
    watched = set(groups)
    lines = json.loads(await request("127.0.0.1", port, "GET", "/sim/state"))["lines"]
    ringable = {ln["number"] for ln in lines if ln["in_service"] and not ln["dnd"] and not ln["forwarding"]}
    n = 0

    async def one(kind: str, marker: str, present: bool, shown: set[int], method: str, path: str, body: str) -> bytes:
        nonlocal n
        n += 1
        client.stdin.write(f"expect {n} {marker} {int(present)} {','.join(map(str, shown & watched))}\n".encode())
        await client.stdin.drain()
        await asyncio.sleep(0.02)  # the client has the line before the change happens
        start = time.monotonic()
        answer = await request("127.0.0.1", port, method, path, body)
        done = (await asyncio.wait_for(client.stdout.readline(), 35)).decode().split()
        assert done[:2] == ["done", str(n)], done
        out.append({"kind": kind, "ms": (float(done[2]) - start) * 1e3, "streams_groups": len(shown & watched),
                    "start": start})
        await asyncio.sleep(0.05)
        return answer

    for r in range(rounds):
        gid = bench_group if r % 4 == 0 else groups[r % len(groups)]
        if not any(x in ringable for x in info[gid]["assistants"]):
            gid = bench_group
        numbers = [x for x in info[gid]["assistants"] if x in ringable]
        number = numbers[r % len(numbers)]
        name = f"gb-ring-{r}"
        answer = await one("ring", name, True, number_groups[number], "POST", "/sim/call",
                           urllib.parse.urlencode({"from": f"+41445{r:06d}", "to": number, "name": name}))
        call = json.loads(answer)["call"]
        await one("hangup", name, False, number_groups[number], "POST", "/sim/hangup", f"call={call}")
        uid, mb_id = list(info[gid]["users"].items())[r % len(info[gid]["users"])]
        note = f"gb-note-{r}"
        await one("presence", note, True, user_groups[uid], "POST", f"{REST}/members/setPresence.asp",
                  urllib.parse.urlencode({"mb_id": mb_id, "presenceState": (0, 1, 3, 4)[r % 4],
                                          "presenceMessage": note}))
    return out


async def run(args) -> dict:
    site = large_site()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "site.db"
        shutil.copyfile(site.database, db)
        t = time.perf_counter()
        users, info = choose(db, site.group_id, args.users)
        setup = {"password_setup_s": round(time.perf_counter() - t, 1)}
        with phonesvc_server(args.port, database=db) as (url, server, _started, _data):
            port = int(url.rsplit(":", 1)[1])
            t = time.perf_counter()
            cookies = [sign_in(port, name) for name, _ in users]
            setup["sign_in_s"] = round(time.perf_counter() - t, 1)
            rss_before = memory_mb(server.pid)
            streams = [[STREAM + str(users[i % len(users)][1]), cookies[i % len(users)], users[i % len(users)][1]]
                       for i in range(args.streams)]
            client = await asyncio.create_subprocess_exec(
                *pin(1), sys.executable, str(BENCH / "gadget_client.py"), stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, limit=2**20)
            client.stdin.write(json.dumps({"host": "127.0.0.1", "port": port, "streams": streams}).encode() + b"\n")
            await client.stdin.drain()
            t = time.perf_counter()
            ready = (await asyncio.wait_for(client.stdout.readline(), 180)).decode().split()
            assert ready[0] == "ready", ready
            setup["open_s"] = round(time.perf_counter() - t, 1)
            rss_open = memory_mb(server.pid)
            display = f"{SRC}/StatusDisplay.asp?device={site.display_device}"
            screens = [(s.path, s.headers) for s in phone_targets(site, url)] + \
                      [(display, {"x-CiscoIPPhoneModelName": "CP-8865"})]
            stop, phone_ms = asyncio.Event(), []
            load = asyncio.create_task(phones(port, screens, args.phone_rate, stop, phone_ms))
            groups = sorted({g for _, g in users})
            t = time.perf_counter()
            samples = await events(port, client, info, groups, site.group_id, args.rounds)
            seconds = time.perf_counter() - t
            stop.set()
            await load
            anchor_ms = [x * 1e3 for x in await anchor(args.port - 1, args.phone_rate, args.anchor_seconds)]
            rss_after, peak = memory_mb(server.pid), memory_mb(server.pid, "VmHWM")
            client.stdin.close()
            await client.wait()
    ms = [s["ms"] for s in samples]
    phone, (in_events, between) = [x * 1e3 for _start, x in phone_ms], during(phone_ms, samples)
    return {"bench": "gadget_streams", "site": site.name, "streams": args.streams, "users": len(users),
            "groups": len(groups), "streams_on_bench_group": sum(1 for s in streams if s[2] == site.group_id),
            "events": len(ms), "seconds": round(seconds, 1), **setup,
            "event_p50_ms": statistics.median(ms), "event_p99_ms": pct(ms, 0.99), "event_max_ms": max(ms),
            "by_kind_p99_ms": {k: pct([s["ms"] for s in samples if s["kind"] == k], 0.99)
                               for k in ("ring", "hangup", "presence")},
            "phone_requests": len(phone), "phone_rate": args.phone_rate, "phone_p50_ms": statistics.median(phone),
            "phone_p99_ms": pct(phone, 0.99), "phone_requests_during_events": len(in_events),
            "phone_p99_during_events_ms": pct(in_events, 0.99), "phone_p99_between_events_ms": pct(between, 0.99),
            "anchor_requests": len(anchor_ms), "anchor_p50_ms": statistics.median(anchor_ms),
            "anchor_p99_ms": pct(anchor_ms, 0.99), "phone_p99_of_anchor": pct(phone, 0.99) / pct(anchor_ms, 0.99),
            "rss_mb_signed_in": rss_before, "rss_mb_streams_open": rss_open,
            "rss_mb_after": rss_after, "peak_rss_mb": peak,
            "pass": pct(ms, 0.99) < EVENT_P99_MS and pct(phone, 0.99) < PHONE_P99_MS}


def report(r: dict) -> str:
    return "\n".join([
        f"{r['streams']:,} gadget streams ({r['users']:,} users signed in, {r['groups']} groups, "
        f"{r['streams_on_bench_group']} streams on one group), {r['events']} events in {r['seconds']} s; "
        f"sign-in {r['sign_in_s']} s, streams open in {r['open_s']} s",
        "", "| what | p50 | p99 | max | target |", "|---|---:|---:|---:|---|",
        f"| PBX event → last stream shows it | {r['event_p50_ms']:.1f} ms | {r['event_p99_ms']:.1f} ms "
        f"| {r['event_max_ms']:.1f} ms | p99 <{EVENT_P99_MS:g} ms |",
        f"| phone screens meanwhile ({r['phone_requests']:,} at {r['phone_rate']:g}/s) | {r['phone_p50_ms']:.1f} ms "
        f"| {r['phone_p99_ms']:.1f} ms | | p99 <{PHONE_P99_MS:g} ms |",
        f"| of them sent while an event was on its way ({r['phone_requests_during_events']:,}) | | "
        f"{r['phone_p99_during_events_ms']:.1f} ms | | between events: p99 {r['phone_p99_between_events_ms']:.1f} ms |",
        f"| the bare anchor at the same rate, same run ({r['anchor_requests']:,}) | {r['anchor_p50_ms']:.1f} ms "
        f"| {r['anchor_p99_ms']:.1f} ms | | phones ×{r['phone_p99_of_anchor']:.1f} of it |",
        "", f"p99 by event: {', '.join(f'{k} {v:.1f} ms' for k, v in r['by_kind_p99_ms'].items())}; "
        f"server RSS {r['rss_mb_signed_in']:.0f} MB signed in, {r['rss_mb_streams_open']:.0f} MB with the streams "
        f"open, {r['rss_mb_after']:.0f} MB after (peak {r['peak_rss_mb']:.0f}); "
        f"targets {'met' if r['pass'] else 'NOT met'}"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--users", type=int, default=1000, help="distinct users signed in (one scrypt check each)")
    ap.add_argument("--rounds", type=int, default=70, help="three events each")
    ap.add_argument("--phone-rate", type=float, default=200, help="phone screen requests per second meanwhile")
    ap.add_argument("--anchor-seconds", type=float, default=20, help="the anchor at the phones' rate after the events")
    ap.add_argument("--port", type=int, default=18080, help="the server's port; the anchor's is the one below")
    ap.add_argument("--json", help="write the results to this file, too")
    args = ap.parse_args()
    result = asyncio.run(run(args))
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
