"""REST throughput and latency against the plain-text baseline of the same app, in one run.

Starts `phonesvc serve --demo` on loopback (pinned to CPU 0) and runs wrk (pinned to CPU 1) against
/health (baseline) and REST functions a client calls often. Prints a Markdown table.

    .venv/bin/python bench/rest_bench.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE = "/Applications/inbound/MAGroup/rest"
TARGETS = [
    ("baseline: /health (plain text)", "/health"),
    ("getMembers gr_id=45", f"{BASE}/members/getMembers.asp?gr_id=45"),
    ("getGroups", f"{BASE}/groups/getGroups.asp"),
    ("getVIPNumbers", f"{BASE}/vip/getVIPNumbers.asp"),
    ("listGroups (PhoneDiversions)", "/Applications/inbound/PhoneDiversions/rest/listGroups.asp"),
]
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


def wrk(tool: str, url: str, seconds: int, connections: int) -> tuple[float, float, float]:
    out = subprocess.run([*pin(1), tool, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: float(v) * _UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    if re.search(r"Non-2xx", out):
        sys.exit(f"non-2xx answers from {url}:\n{out}")
    return rps, lat["50"], lat["99"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    tool = ensure_wrk()
    port = 18080
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PHONESVC_DATA_DIR": str(Path(tmp) / "data")}
        server = subprocess.Popen([*pin(0), sys.executable, "-m", "phonesvc", "serve", "--demo", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            rows = []
            for name, path in TARGETS:
                wrk(tool, url + path, 2, args.connections)  # warm-up
                rows.append((name, *wrk(tool, url + path, args.seconds, args.connections)))
        finally:
            server.terminate()
            server.wait()
    base = rows[0][1]
    print(f"{args.connections} connections, {args.seconds} s each, server on one core (uvicorn, 1 worker), "
          f"wrk on the other\n")
    print("| endpoint | requests/s | of baseline | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for name, rps, p50, p99 in rows:
        print(f"| {name} | {rps:,.0f} | {rps / base:.0%} | {p50:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main()
