"""Status display: cold render of a 24-member grid per model family, and requests per second of the
cached PNG and of StatusDisplay.asp against the plain-text baseline of the same run.

    .venv/bin/python bench/display_bench.py [--seconds 10] [--connections 32]
Targets (issue 4): a cold 24-tile render at 559x265 under 3 ms; PNG and StatusDisplay.asp at least
70 % of the baseline.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import urllib.request

from common import demo_server, table, wrk

from phonesvc.display.grid import Grid, Tile
from phonesvc.display.render import png, render
from phonesvc.domain.linestate import LineState
from phonesvc.domain.members import member_index
from phonesvc.domain.presence import Presence
from phonesvc.phone.models import find

SRC = "/Applications/inbound/MAGroup/src"
FAMILIES = ("CP-7965G", "CP-7970G", "CP-8865", "CP-9971")


def grid(variant: int) -> Grid:
    """24 members in varied states; `variant` changes one name so that nothing is cached."""
    presences, states = list(Presence), list(LineState)
    symbols = ("", "in", "out_ext", "fwd:3", "in_ext", "fwd")
    tiles = tuple(Tile(member_index(i + 1), f"M{variant % 1000}x{i}" if i == 0 else f"Name{i:02d}", i == 0,
                       presences[i % len(presences)], states[i % len(states)], symbols[i % len(symbols)])
                  for i in range(24))
    return Grid(f"Group {variant}", tiles)


def cold_renders(model_name: str, rounds: int = 200) -> tuple[float, float, float]:
    model = find(model_name)
    render(grid(0), model)  # fonts loaded once per process
    times, encodes = [], []
    for i in range(1, rounds + 1):
        t0 = time.perf_counter()
        image = render(grid(i), model)
        t1 = time.perf_counter()
        png(image)
        times.append((t1 - t0) * 1000)
        encodes.append((time.perf_counter() - t1) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], statistics.median(encodes)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    print("Cold render of 24 tiles (fonts loaded; every grid new):\n")
    print("| model | size | render p50 ms | render p99 ms | PNG encode p50 ms |\n|---|---|---:|---:|---:|")
    for name in FAMILIES:
        model = find(name)
        p50, p99, enc = cold_renders(name)
        print(f"| {model.name} | {model.width}x{model.height} | {p50:.2f} | {p99:.2f} | {enc:.2f} |")
    print()
    rows = []
    headers = {"x-CiscoIPPhoneModelName": "CP-8865"}
    with demo_server() as url:
        display = f"{url}{SRC}/StatusDisplay.asp?device=SEP000000001118"
        xml = urllib.request.urlopen(urllib.request.Request(display, headers=headers)).read().decode()
        image = re.search(r"<URL>(http[^<]*StatusImage[^<]*)</URL>", xml).group(1).replace("&amp;", "&")
        for name, target, hdrs in (("baseline: /health (plain text)", url + "/health", {}),
                                   ("StatusDisplay.asp (8865, 6 members)", display, headers),
                                   ("status PNG (cached)", image, {})):
            wrk(target, 2, args.connections, hdrs)  # warm-up
            rows.append((name, *wrk(target, args.seconds, args.connections, hdrs)))
    print(table(rows, args.seconds, args.connections))


if __name__ == "__main__":
    main()
