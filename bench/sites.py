"""The two sites the benchmarks run on, the demo data and the large site (bench/largesite.py), and what each
benchmark asks them for; `main` runs one benchmark's targets as its own script."""

from __future__ import annotations

import argparse
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common import Target, measure, measure_anchor, phonesvc_server, table

SRC = "/Applications/inbound/MAGroup/src"
REST = "/Applications/inbound/MAGroup/rest"
DIV_REST = "/Applications/inbound/PhoneDiversions/rest"


@dataclass(frozen=True)
class Site:
    name: str
    database: Path | None  # None: `phonesvc serve --demo`
    manager_device: str
    assistant_device: str
    shared_assistant_device: str  # an assistant of two managers: OneButton answers with the manager list
    display_device: str
    group_id: int
    manager_member_id: int
    diversion_group_id: int
    write_members: tuple[tuple[int, int], ...]  # (mb_id, gr_id) of assistants the writes edit
    write_managers: tuple[int, ...]  # mb_id of managers the VIP writes add to
    calls_since: str = ""
    calls_group: int = 0
    counts: dict = field(default_factory=dict)

    def prepare(self, url: str) -> None:
        """The demo has no assistant of two managers: Rafael gets a second one, over REST."""
        if self.database is None:
            post(url + REST + "/groups/addGroup.asp", gr_name="Board")
            post(url + REST + "/members/addMember.asp", gr_id=65, usr_Name="Gabriela.Kronberger", mb_number="1077",
                 gm_type=1)
            post(url + REST + "/members/addMember.asp", gr_id=65, usr_Name="Rafael.Hidalgo", mb_number="1175")


def post(url: str, **data) -> None:
    urllib.request.urlopen(url, urllib.parse.urlencode(data).encode(), timeout=5).read()


DEMO = Site("demo", None, "SEP000000001047", "SEP000000001175", "SEP000000001175", "SEP000000001118", 45, 1, 1,
            ((2, 45), (3, 45), (4, 45), (5, 45), (6, 45), (7, 64), (8, 64), (9, 64), (10, 64)), (1,),
            counts={"users": 24, "groups": 2, "members": 10, "vip_numbers": 7, "diversion_groups": 6, "calls": 0})


def large_site() -> Site:
    """The large site, generated first if the cache does not hold it (minutes: most of it the call log's
    per-member rows)."""
    import largesite

    db, m = largesite.ensure()
    pairs = tuple(zip(m.write_members[::2], m.write_members[1::2], strict=True))
    return Site("large", db, m.manager_device, m.assistant_device, m.shared_assistant_device, m.display_device,
                m.group_id, m.manager_member_id, m.diversion_group_id, pairs, tuple(m.write_managers), m.calls_since,
                m.calls_group, {**m.counts, "generation_s": m.seconds})


def site(name: str) -> Site:
    return DEMO if name == "demo" else large_site()


def main(doc: str, targets: Callable[[Site, str], list[Target]]) -> None:
    """One benchmark as a script: the anchor, then its targets on one site."""
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--site", choices=("demo", "large"), default="demo")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    s = site(args.site)
    anchor = measure_anchor(args.seconds, args.connections)
    with phonesvc_server(database=s.database) as (url, _server, _started, _data):
        s.prepare(url)
        rows = measure(url, targets(s, url), args.seconds, args.connections, anchor)
    print(f"site: {s.name} {s.counts}\n")
    print(table(anchor, rows, args.seconds, args.connections))
