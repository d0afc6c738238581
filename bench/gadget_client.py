"""The browsers of bench/gadget_streams.py: many gadget event streams (server-sent events over HTTP/1.1, chunked)
on raw asyncio sockets, in a process of their own, as browsers are other machines.

It reads one JSON line on stdin: {"host", "port", "streams": [[path, cookie, group], ...]}, opens every stream,
and prints "ready <opened>" once each has its first panel. Then, per line "expect <n> <marker> <1|0> <group,...>",
it waits until every stream of those groups shows (1) or no longer shows (0) the marker in its latest panel and
prints "done <n> <when the last one read it>" (CLOCK_MONOTONIC: the same clock as the process that made the
change). Each stream keeps its latest panel only, stamped with the moment it was read."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Stream:
    group: int
    latest: bytes = b""  # the data of the latest panel event
    read_at: float = 0.0
    first: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Expectation:
    n: int
    marker: bytes
    present: bool
    waiting: set[int]
    last: float = 0.0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def check(self, index: int, stream: Stream) -> None:
        if index in self.waiting and (self.marker in stream.latest) == self.present:
            self.waiting.discard(index)
            self.last = max(self.last, stream.read_at)
            if not self.waiting:
                self.done.set()


class Browsers:
    def __init__(self) -> None:
        self.streams: list[Stream] = []
        self.expecting: Expectation | None = None

    def panel(self, index: int, data: bytes) -> None:
        stream = self.streams[index]
        stream.latest, stream.read_at = data, time.monotonic()
        stream.first.set()
        if self.expecting is not None:
            self.expecting.check(index, stream)

    async def open(self, index: int, host: str, port: int, path: str, cookie: str) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
                     f"Cookie: phonesvc_session={cookie}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200") or b"chunked" not in head.lower():
            raise RuntimeError(f"stream {index}: {head[:200]!r}")
        pending = b""
        while True:  # chunked transfer coding: "<hex size>\r\n<data>\r\n", then events split by a blank line
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                return
            pending += (await reader.readexactly(size + 2))[:-2]
            *events, pending = pending.split(b"\n\n")
            for event in events:
                if b"event: panel" in event:
                    self.panel(index, event[event.index(b"data: ") + 6:])

    async def expect(self, n: int, marker: bytes, present: bool, groups: set[int]) -> float:
        exp = Expectation(n, marker, present, {i for i, s in enumerate(self.streams) if s.group in groups})
        self.expecting = exp
        for i in list(exp.waiting):  # a panel read before this line arrived counts with its own time
            exp.check(i, self.streams[i])
        if exp.waiting:
            try:
                await asyncio.wait_for(exp.done.wait(), 30)
            except TimeoutError:
                late = self.streams[min(exp.waiting)].latest[:3000]
                sys.exit(f"event {n}: {len(exp.waiting)} streams never showed it, e.g. {late!r}")
        self.expecting = None
        return exp.last


async def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    setup = json.loads(await stdin.readline())
    b = Browsers()
    b.streams = [Stream(group) for _path, _cookie, group in setup["streams"]]
    tasks = []
    for i, (path, cookie, _group) in enumerate(setup["streams"]):
        tasks.append(asyncio.create_task(b.open(i, setup["host"], setup["port"], path, cookie)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # a browser's burst of connections, not a SYN flood
    await asyncio.wait_for(asyncio.gather(*(s.first.wait() for s in b.streams)), 120)
    print(f"ready {len(b.streams)}", flush=True)
    while line := await stdin.readline():
        _, n, marker, present, groups = line.decode().split()
        last = await b.expect(int(n), marker.encode(), present == "1", {int(g) for g in groups.split(",")})
        print(f"done {n} {last!r}", flush=True)
    for t in tasks:
        t.cancel()


if __name__ == "__main__":
    asyncio.run(main())
