"""REST throughput and latency against the plain-text baseline of the same app, in one run.

    .venv/bin/python bench/rest_bench.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse

from common import demo_server, table, wrk

BASE = "/Applications/inbound/MAGroup/rest"
TARGETS = [
    ("baseline: /health (plain text)", "/health"),
    ("getMembers gr_id=45", f"{BASE}/members/getMembers.asp?gr_id=45"),
    ("getGroups", f"{BASE}/groups/getGroups.asp"),
    ("getVIPNumbers", f"{BASE}/vip/getVIPNumbers.asp"),
    ("listGroups (PhoneDiversions)", "/Applications/inbound/PhoneDiversions/rest/listGroups.asp"),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    rows = []
    with demo_server() as url:
        for name, path in TARGETS:
            wrk(url + path, 2, args.connections)  # warm-up
            rows.append((name, *wrk(url + path, args.seconds, args.connections)))
    print(table(rows, args.seconds, args.connections))


if __name__ == "__main__":
    main()
