"""Password guessing against the phones: PhoneMenu and the plain-text baseline, first quiet, then while
40 clients guess the demo admin's REST password, and the server's memory.

The guessers are a second wrk on the client core: 40 connections, each request from one of 40 remote
addresses (X-Forwarded-For through PHONESVC_TRUSTED_PROXIES=127.0.0.1, as behind a reverse proxy)
with another wrong password. Memory is the server's resident set (VmRSS before guessing, VmHWM peak).

    .venv/bin/python bench/auth_bench.py [--seconds 10] [--connections 8] [--guessers 40]
Target (issue 9): phone p99 under 25 ms and the server under 200 MB while they guess.
"""

from __future__ import annotations

import argparse
import base64
import re
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from common import demo_process, ensure_wrk, pin, wrk

PHONE = ("/Applications/inbound/MAGroup/src/PhoneMenu.asp?device=SEP000000001047",
         {"x-CiscoIPPhoneModelName": "CP-8865"})
REST = "/Applications/inbound/MAGroup/rest/groups/getGroups.asp"
PASSWORDS = 1000  # distinct wrong passwords, cycled

# wrk counts the answers per status in its thread; done() prints them.
GUESSER = """
local auth = {%(auth)s}
local n = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) denied = 0; throttled = 0; other = 0 end
function request()
  n = n + 1
  return wrk.format("GET", "%(path)s", {["Authorization"] = auth[n %% #auth + 1],
                                         ["X-Forwarded-For"] = "203.0.113." .. (n %% %(clients)d + 1)})
end
function response(status, headers, body)
  if status == 401 then denied = denied + 1 elseif status == 429 then throttled = throttled + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("answers 401=%%d 429=%%d other=%%d\\n", t:get("denied"), t:get("throttled"), t:get("other")))
  end
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mb(pid: int, field: str) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1)) / 1024


def guessers(url: str, seconds: int, clients: int, script: Path) -> subprocess.Popen:
    auth = ", ".join('"Basic ' + base64.b64encode(f"admin:guess{i}".encode()).decode() + '"' for i in range(PASSWORDS))
    script.write_text(GUESSER % {"auth": auth, "path": REST, "clients": clients})
    return subprocess.Popen([*pin(1), ensure_wrk(), "-t1", f"-c{clients}", f"-d{seconds}s", "-s", str(script), url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8, help="of the phone and baseline measurements")
    ap.add_argument("--guessers", type=int, default=40)
    args = ap.parse_args()
    targets = [("baseline: /health (plain text)", "/health", {}), ("PhoneMenu, manager, 8865", *PHONE)]
    rows = []
    with demo_process(free_port(), {"PHONESVC_TRUSTED_PROXIES": "127.0.0.1"}) as (url, server), \
            tempfile.TemporaryDirectory() as tmp:
        for name, path, headers in targets:
            wrk(url + path, 2, args.connections, headers)  # warm-up
            rows.append((f"{name}, quiet", *wrk(url + path, args.seconds, args.connections, headers)))
        quiet_mb = memory_mb(server.pid, "VmRSS")
        attack = guessers(url, 2 * (args.seconds + 2) + 4, args.guessers, Path(tmp) / "guess.lua")
        time.sleep(2)
        for name, path, headers in targets:
            rows.append((f"{name}, {args.guessers} guessing", *wrk(url + path, args.seconds, args.connections,
                                                                    headers)))
        out, _ = attack.communicate()
        peak_mb = memory_mb(server.pid, "VmHWM")
    guesses = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    answers = re.search(r"answers .*", out).group(0)
    print(f"{args.connections} connections, {args.seconds} s each, server on one core (uvicorn, 1 worker), "
          f"wrk on the other\n")
    print("| endpoint | requests/s | p50 ms | p99 ms |\n|---|---:|---:|---:|")
    for name, rps, p50, p99 in rows:
        print(f"| {name} | {rps:,.0f} | {p50:.1f} | {p99:.1f} |")
    print(f"\nguessers: {guesses:,.0f} answers/s ({answers}); server memory {quiet_mb:.0f} MB before guessing, "
          f"peak {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
