"""Every benchmark in one go, on the demo data and on the large site, each figure against the anchor measured
in the same run; writes one JSON file of results that `bench/compare.py A.json B.json` compares.

Per site: the server's start (until a phone's PhoneMenu answers) and memory, the phone screens, the status
display, REST reads, REST writes from 8 clients, and `phonesvc calls --since ... --group ...`. Then, unless
--quick, the benchmarks that measure inside one process (cold renders, push, routing, password guessing)
with shortened settings. --runs N repeats the site measurements N times (servers started again each time)
and reports the median with the spread (min-max); the default run takes about 4 minutes.

    .venv/bin/python bench/run_all.py [--out results.json] [--runs 3] [--quick] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import display_bench
import phone_bench
import rest_bench
import write_bench
from common import BENCH, measure, measure_anchor, memory_mb, phonesvc_data, phonesvc_server, pin
from sites import DEMO, SRC, Site, large_site

SEQUENCE = (("phone", phone_bench), ("display", display_bench), ("rest_read", rest_bench),
            ("rest_write", write_bench))
START_S, RSS_MB, CALLS_S, OF_DEMO = 3.0, 300.0, 0.5, 0.7


def calls_seconds(site: Site, repeat: int = 3) -> float:
    """Median wall time of the `phonesvc calls` command over a copy of the site's database (on CPU 0)."""
    cmd = [*pin(0), sys.executable, "-m", "phonesvc", "calls", "--since", site.calls_since or "2025-01-01",
           "--group", str(site.calls_group or site.group_id)]
    times = []
    with phonesvc_data(site.database) as data:
        env = {**os.environ, "PHONESVC_DATA_DIR": str(data)}
        if site.database is None:
            subprocess.run([sys.executable, "-m", "phonesvc", "init"], check=True, capture_output=True, env=env)
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def run_site(site: Site, anchor: dict, seconds: float, connections: int, start_timeout: float) -> list[dict]:
    """The site's rows; when the server does not answer within `start_timeout`, only its start (failed)."""
    ready = (f"{SRC}/PhoneMenu.asp?device={site.manager_device}", {"x-CiscoIPPhoneModelName": "CP-8865"})
    rows: list[dict] = []
    start = {"bench": "start", "name": "server start: answering phones",
             "target": f"<{START_S:g} s, RSS <{RSS_MB:g} MB"}
    try:
        with phonesvc_server(database=site.database, ready=ready, timeout=start_timeout) as (url, server, started, _):
            rss = memory_mb(server.pid)
            site.prepare(url)
            for bench, module in SEQUENCE:  # writes last: they add rows the reads would then return
                for m in measure(url, module.targets(site, url), seconds, connections, anchor):
                    rows.append({"bench": bench, **m})
            peak = memory_mb(server.pid, "VmHWM")
        start |= {"seconds": started, "rss_mb": rss, "peak_rss_mb": peak,
                  "pass": started < START_S and peak < RSS_MB}
    except RuntimeError as exc:  # not answering: the other figures cannot be measured
        start |= {"seconds": start_timeout, "pass": False, "error": str(exc)}
    rows.append(start)
    calls = calls_seconds(site)
    rows.append({"bench": "calls", "name": "phonesvc calls --since --group", "seconds": calls,
                 "target": f"<{CALLS_S:g} s", "pass": calls < CALLS_S})
    for r in rows:
        r["site"] = site.name
    return rows


def writes_against_demo(rows: list[dict]) -> None:
    """A large-site write must keep 70 % of the same write's rate on the demo data."""
    demo = {r["name"]: r["rps"] for r in rows if r["site"] == "demo" and r["bench"] == "rest_write"}
    for r in rows:
        if r["site"] == "large" and r["bench"] == "rest_write" and r["name"] in demo:
            r["of_demo"] = r["rps"] / demo[r["name"]]
            r["target"] += f", ≥{OF_DEMO:.0%} of demo"
            r["pass"] = r["pass"] and r["of_demo"] >= OF_DEMO


def aggregate(runs: list[list[dict]]) -> list[dict]:
    """Median of every figure over the runs, the spread (min, max) of the rates and times, pass when met in most
    runs. A row missing from some runs (a server that did not start) counts as not met there."""
    keyed: dict[tuple, list[dict]] = {}
    for rows in runs:
        for r in rows:
            keyed.setdefault((r["site"], r["name"]), []).append(r)
    out = []
    for rows in keyed.values():
        first = dict(rows[0])
        for key in ("rps", "ratio", "p50_ms", "p99_ms", "anchor_rps", "seconds", "rss_mb", "peak_rss_mb", "of_demo"):
            if key in first:
                values = [r[key] for r in rows if key in r]
                first[key] = statistics.median(values)
                if key in ("rps", "ratio", "seconds") and len(values) > 1:
                    first[f"{key}_spread"] = [min(values), max(values)]
        first["pass"] = sum(r["pass"] for r in rows) * 2 > len(runs)
        first["runs"] = len(rows)
        out.append(first)
    return out


def extras(quick: bool) -> dict:
    """The in-process benchmarks with shortened settings: their own report text, and routing's JSON summary."""
    out: dict = {"cold_render": display_bench.cold_render_table()}
    if quick:
        return out
    for name, args in (("push", ["--rounds", "50"]),
                       ("routing", ["--seconds", "5", "--flat-seconds", "20", "--warmup", "20", "--json"]),
                       ("auth", ["--seconds", "3"])):
        t = time.perf_counter()
        done = subprocess.run([sys.executable, str(BENCH / f"{name}_bench.py"), *args], capture_output=True,
                              text=True)
        out[name] = {"seconds": round(time.perf_counter() - t, 1), "returncode": done.returncode,
                     "report": done.stdout if done.returncode == 0 else done.stdout + done.stderr[-2000:]}
        if name == "routing" and done.returncode == 0:
            out[name]["summary"] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    versions = {}
    for mod in ("uvicorn", "uvloop", "httptools", "starlette", "sqlalchemy"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            versions[mod] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version(),
            "load_before": os.getloadavg(), **{f"version_{k}": v for k, v in versions.items()}}


def git() -> dict:
    def out(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=BENCH, capture_output=True, text=True).stdout.strip()
    return {"commit": out("rev-parse", "HEAD"), "branch": out("rev-parse", "--abbrev-ref", "HEAD"),
            "dirty": bool(out("status", "--porcelain", "--untracked-files=no"))}


def summary_table(results: list[dict]) -> str:
    lines = ["| site | benchmark | req/s (spread) | of anchor | p50 ms | p99 ms | target | met |",
             "|---|---|---:|---:|---:|---:|---|---|"]
    for r in results:
        if "rps" in r:
            spread = f" ({r['rps_spread'][0]:,.0f}–{r['rps_spread'][1]:,.0f})" if "rps_spread" in r else ""
            extra = f", {r['of_demo']:.0%} of demo" if "of_demo" in r else ""
            lines.append(f"| {r['site']} | {r['name']} | {r['rps']:,.0f}{spread} | {r['ratio']:.0%}{extra} "
                         f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['target']} | {'yes' if r['pass'] else 'NO'} |")
        else:
            mem = f", RSS {r['rss_mb']:.0f} MB (peak {r['peak_rss_mb']:.0f})" if "rss_mb" in r else ""
            mem += ", did not answer" if "error" in r else ""
            lines.append(f"| {r['site']} | {r['name']} | {r['seconds']:.2f} s{mem} | | | | {r['target']} "
                         f"| {'yes' if r['pass'] else 'NO'} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=f"bench-results-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json")
    ap.add_argument("--runs", type=int, default=1, help="repeat the site measurements; medians and spread")
    ap.add_argument("--quick", action="store_true", help="2 s per measurement, no in-process benchmarks")
    ap.add_argument("--seconds", type=float, help="per measurement (default 5, --quick 2)")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--start-timeout", type=float, default=30, help="seconds a server may take to answer phones")
    args = ap.parse_args()
    seconds = args.seconds or (2 if args.quick else 5)
    t0 = time.perf_counter()
    info = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "git": git(),
            "options": {"runs": args.runs, "quick": args.quick, "seconds": seconds, "connections": args.connections}}
    sites = [DEMO, large_site()]
    info["sites"] = {s.name: s.counts for s in sites}
    runs, anchors = [], []
    for n in range(args.runs):
        anchor = measure_anchor(seconds, args.connections)
        anchors.append(anchor)
        print(f"run {n + 1}/{args.runs}: anchor {anchor['rps']:,.0f} req/s, p99 {anchor['p99_ms']:.1f} ms", flush=True)
        rows = [r for s in sites for r in run_site(s, anchor, seconds, args.connections, args.start_timeout)]
        writes_against_demo(rows)
        runs.append(rows)
    results = aggregate(runs)
    info["anchor"] = {"rps": statistics.median(a["rps"] for a in anchors),
                      "p50_ms": statistics.median(a["p50_ms"] for a in anchors),
                      "p99_ms": statistics.median(a["p99_ms"] for a in anchors),
                      **({"rps_spread": [min(a["rps"] for a in anchors), max(a["rps"] for a in anchors)]}
                         if args.runs > 1 else {})}
    info["results"] = results
    info["extras"] = extras(args.quick)
    info["machine"]["load_after"] = os.getloadavg()
    info["elapsed_s"] = round(time.perf_counter() - t0, 1)
    Path(args.out).write_text(json.dumps(info, indent=1, ensure_ascii=False))
    large = [r for r in results if r["site"] == "large"]
    print(f"\nanchor: {info['anchor']['rps']:,.0f} req/s, p99 {info['anchor']['p99_ms']:.1f} ms\n")
    print(summary_table(results))
    print(f"\nlarge-site targets met: {sum(r['pass'] for r in large)}/{len(large)}; {info['elapsed_s']:.0f} s; "
          f"load {info['machine']['load_before'][0]:.2f} before, {info['machine']['load_after'][0]:.2f} after; "
          f"results in {args.out}")


if __name__ == "__main__":
    main()
