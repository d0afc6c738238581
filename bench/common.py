"""What the benchmarks share: wrk on one core against a `phonesvc serve --demo` on the other."""

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
from pathlib import Path

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


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


def wrk(url: str, seconds: int, connections: int, headers: dict | None = None) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency in ms."""
    args = [a for k, v in (headers or {}).items() for a in ("-H", f"{k}: {v}")]
    out = subprocess.run([*pin(1), ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *args,
                          url], capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx", out):
        sys.exit(f"non-2xx answers from {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: float(v) * _UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    return rps, lat["50"], lat["99"]


@contextlib.contextmanager
def demo_server(port: int = 18080):
    """A demo server pinned to CPU 0; yields its base URL."""
    with demo_process(port) as (url, _server):
        yield url


@contextlib.contextmanager
def demo_process(port: int = 18080, env: dict | None = None):
    """demo_server with extra PHONESVC_* settings; yields its base URL and its process."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PHONESVC_DATA_DIR": str(Path(tmp) / "data"), **(env or {})}
        server = subprocess.Popen([*pin(0), sys.executable, "-m", "phonesvc", "serve", "--demo", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            yield url, server
        finally:
            server.terminate()
            server.wait()


def table(rows: list[tuple[str, float, float, float]], seconds: int, connections: int) -> str:
    base = rows[0][1]
    lines = [f"{connections} connections, {seconds} s each, server on one core (uvicorn, 1 worker), wrk on the other",
             "", "| endpoint | requests/s | of baseline | p50 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {name} | {rps:,.0f} | {rps / base:.0%} | {p50:.1f} | {p99:.1f} |" for name, rps, p50, p99 in rows]
    return "\n".join(lines)
