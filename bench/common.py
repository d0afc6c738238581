"""What the benchmarks share: a server pinned to one core (the anchor, or `phonesvc serve` on the demo data or
the large site), wrk on the other, and every figure reported against the anchor of the same run.

The anchor is a bare Starlette app answering "ok" on uvicorn with uvloop and httptools (bench/anchor.py):
the speed of the server stack itself, so that a ratio says how much of it phonesvc keeps.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
WARMUP = 1  # seconds of wrk before each measurement


@dataclass(frozen=True)
class Goal:
    """A target: at least `ratio` of the anchor's requests per second (or `rps`), p99 under `p99_ms`."""

    ratio: float | None = None
    p99_ms: float | None = None
    rps: float | None = None

    def check(self, m: dict) -> bool:
        return ((self.ratio is None or m["ratio"] >= self.ratio) and (self.p99_ms is None or m["p99_ms"] < self.p99_ms)
                and (self.rps is None or m["rps"] >= self.rps) and not m.get("errors"))

    def text(self) -> str:
        parts = ([f"≥{self.ratio:.0%} of anchor"] if self.ratio else []) + \
                ([f"≥{self.rps:,.0f}/s"] if self.rps else []) + ([f"p99 <{self.p99_ms:g} ms"] if self.p99_ms else [])
        return ", ".join(parts)


@dataclass(frozen=True)
class Target:
    """One URL to measure: GET with headers, or the requests a wrk Lua script makes."""

    name: str
    path: str
    headers: dict = field(default_factory=dict)
    goal: Goal = Goal()
    script: str = ""  # wrk Lua source
    connections: int | None = None  # None: the run's connection count


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return shutil.which("wrk")
    sys.exit("bench needs wrk (apt-get install wrk)")


def pin(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and os.cpu_count() > 1 else []


def wrk_run(url: str, seconds: float, connections: int, headers: dict | None = None, script: str = "") -> dict:
    """Requests per second, p50 and p99 in ms, and `errors`: socket errors and timeouts, and answers a Lua script
    counted as failed."""
    args = [a for k, v in (headers or {}).items() for a in ("-H", f"{k}: {v}")]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            args += ["-s", lua.name]
        out = subprocess.run([*pin(1), ensure_wrk(), "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                              "--latency", *args, url], capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx", out):
        sys.exit(f"non-2xx answers from {url}:\n{out}")
    lat = {p: float(v) * _UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    errors = re.search(r"^errors=(\d+)", out, re.M)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    failed = (int(errors.group(1)) if errors else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return {"rps": rps, "p50_ms": lat.get("50", 0.0), "p99_ms": lat.get("99", 0.0),
            "errors": failed or int(rps == 0)}  # no answer at all is an error too


def wrk(url: str, seconds: int, connections: int, headers: dict | None = None) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency in ms."""
    r = wrk_run(url, seconds, connections, headers)
    return r["rps"], r["p50_ms"], r["p99_ms"]


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory (VmRSS) or its peak (VmHWM) of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1)) / 1024


def wait_until(url: str, timeout: float = 60.0, headers: dict | None = None) -> float:
    """Seconds until `url` answers 200 (polled every 20 ms)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def _process(cmd: list[str], env: dict | None = None) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen([*pin(0), *cmd], env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:  # a server still starting does not look at SIGTERM
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def anchor_server(port: int = 18079) -> Iterator[str]:
    """The anchor on CPU 0; yields the URL it answers "ok" on."""
    cmd = [sys.executable, "-m", "uvicorn", "anchor:app", "--app-dir", str(BENCH), "--loop", "uvloop", "--http",
           "httptools", "--no-access-log", "--log-level", "warning", "--port", str(port)]
    with _process(cmd):
        url = f"http://127.0.0.1:{port}/"
        wait_until(url)
        yield url


def measure_anchor(seconds: float, connections: int) -> dict:
    with anchor_server() as url:
        wrk_run(url, WARMUP, connections)
        return wrk_run(url, seconds, connections)


@contextlib.contextmanager
def phonesvc_data(database: Path | None = None) -> Iterator[Path]:
    """A fresh data folder, holding a copy of `database` if one is given (runs never change the original)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        if database is not None:
            shutil.copyfile(database, data / "phonesvc.db")
        yield data


@contextlib.contextmanager
def phonesvc_server(port: int = 18080, env: dict | None = None, database: Path | None = None,
                    ready: tuple[str, dict] = ("/health", {}), timeout: float = 60.0
                    ) -> Iterator[tuple[str, subprocess.Popen, float, Path]]:
    """`phonesvc serve` on CPU 0 in a fresh data folder: on a copy of `database`, or on the demo data. Yields its
    base URL, its process, the seconds until `ready` (a path and headers) answered, and the data folder; raises
    RuntimeError if it did not answer within `timeout` seconds."""
    cmd = [sys.executable, "-m", "phonesvc", "serve", "--port", str(port)] + ([] if database else ["--demo"])
    with phonesvc_data(database) as data, _process(cmd, {"PHONESVC_DATA_DIR": str(data), **(env or {})}) as server:
        url = f"http://127.0.0.1:{port}"
        started = wait_until(url + ready[0], timeout, ready[1])
        yield url, server, started, data


@contextlib.contextmanager
def demo_server(port: int = 18080) -> Iterator[str]:
    """A demo server pinned to CPU 0; yields its base URL."""
    with demo_process(port) as (url, _server):
        yield url


@contextlib.contextmanager
def demo_process(port: int = 18080, env: dict | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """demo_server with extra PHONESVC_* settings; yields its base URL and its process."""
    with phonesvc_server(port, env) as (url, server, _started, _data):
        yield url, server


def measure(url: str, targets: list[Target], seconds: float, connections: int, anchor: dict) -> list[dict]:
    """Each target after a warm-up, with its ratio to the anchor and whether it meets its goal."""
    out = []
    for t in targets:
        conns = t.connections or connections
        wrk_run(url + t.path, WARMUP, conns, t.headers, t.script)
        m = {"name": t.name, "connections": conns, **wrk_run(url + t.path, seconds, conns, t.headers, t.script)}
        m["anchor_rps"] = anchor["rps"]
        m["ratio"] = m["rps"] / anchor["rps"]
        m["target"] = t.goal.text()
        m["pass"] = t.goal.check(m)
        out.append(m)
    return out


def table(anchor: dict, rows: list[dict], seconds: float, connections: int) -> str:
    lines = [f"{connections} connections (unless said), {seconds:g} s each, server on one core, wrk on the other; "
             f"anchor: bare Starlette 'ok' on uvicorn + uvloop + httptools, same run", "",
             "| endpoint | requests/s | of anchor | p50 ms | p99 ms | target | met |",
             "|---|---:|---:|---:|---:|---|---|",
             f"| anchor | {anchor['rps']:,.0f} | 100% | {anchor['p50_ms']:.1f} | {anchor['p99_ms']:.1f} | | |"]
    for m in rows:
        name = m["name"] + (f" ({m['connections']} conn.)" if m["connections"] != connections else "") + \
            (f", {m['errors']} errors" if m.get("errors") else "")
        lines.append(f"| {name} | {m['rps']:,.0f} | {m['ratio']:.0%} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} "
                     f"| {m['target']} | {'yes' if m['pass'] else 'NO'} |")
    return "\n".join(lines)
