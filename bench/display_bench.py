"""Status display: cold render of a 24-member grid per model family, and requests per second of
StatusDisplay.asp and of the cached status PNG against the anchor of the same run.

    .venv/bin/python bench/display_bench.py [--site demo|large] [--seconds 10] [--connections 32]
Targets: a cold 24-tile render at 559x265 under 3 ms (issue 4); StatusDisplay.asp and the PNG, as cached
phone screens, at least half the anchor's requests per second with p99 under 10 ms (issue 10, large site).
"""

from __future__ import annotations

import re
import statistics
import time
import urllib.request

from common import Target
from phone_bench import SCREEN
from sites import SRC, Site, main

from phonesvc.display.grid import Grid, Tile
from phonesvc.display.render import png, render
from phonesvc.domain.linestate import LineState
from phonesvc.domain.members import member_index
from phonesvc.domain.presence import Presence
from phonesvc.phonemodels import find

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


def cold_render_table() -> str:
    lines = ["Cold render of 24 tiles (fonts loaded; every grid new):", "",
             "| model | size | render p50 ms | render p99 ms | PNG encode p50 ms |", "|---|---|---:|---:|---:|"]
    for name in FAMILIES:
        model = find(name)
        p50, p99, enc = cold_renders(name)
        lines.append(f"| {model.name} | {model.width}x{model.height} | {p50:.2f} | {p99:.2f} | {enc:.2f} |")
    return "\n".join(lines)


def targets(site: Site, url: str) -> list[Target]:
    headers = {"x-CiscoIPPhoneModelName": "CP-8865"}
    display = f"{SRC}/StatusDisplay.asp?device={site.display_device}"
    xml = urllib.request.urlopen(urllib.request.Request(url + display, headers=headers)).read().decode()
    image = re.search(r"<URL>(http[^<]*StatusImage[^<]*)</URL>", xml).group(1).replace("&amp;", "&")
    return [Target("StatusDisplay.asp, 8865", display, headers, SCREEN),
            Target("status PNG (cached)", image.removeprefix(url), {}, SCREEN)]


if __name__ == "__main__":
    print(cold_render_table() + "\n")
    main(__doc__, targets)
