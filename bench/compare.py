"""The differences between two run_all.py result files, benchmark by benchmark.

    .venv/bin/python bench/compare.py before.json after.json
Rates are compared as the ratio to each run's own anchor (machines and loads differ) and as requests per
second; times (start, the calls command) in seconds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def load(path: str) -> dict:
    return json.loads(Path(path).read_text())


def change(a: float, b: float) -> str:
    return f"{(b - a) / a:+.0%}" if a else "-"


def met(r: dict | None) -> str:
    return "-" if r is None else ("yes" if r["pass"] else "NO")


def compare(a: dict, b: dict) -> str:
    lines = [f"A: {a['git']['commit'][:10]} {a['date']} (load {a['machine']['load_before'][0]:.2f}), "
             f"anchor {a['anchor']['rps']:,.0f} req/s",
             f"B: {b['git']['commit'][:10]} {b['date']} (load {b['machine']['load_before'][0]:.2f}), "
             f"anchor {b['anchor']['rps']:,.0f} req/s ({change(a['anchor']['rps'], b['anchor']['rps'])})", "",
             "| site | benchmark | A | B | change | A of anchor | B of anchor | A p99 ms | B p99 ms | met A → B |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    ra = {(r["site"], r["name"]): r for r in a["results"]}
    rb = {(r["site"], r["name"]): r for r in b["results"]}
    for key in list(ra) + [k for k in rb if k not in ra]:
        x, y = ra.get(key), rb.get(key)
        any_ = x or y
        field, unit = ("rps", "/s") if "rps" in any_ else ("seconds", " s")
        fmt = "{:,.0f}" if field == "rps" else "{:.2f}"
        va, vb = (fmt.format(r[field]) + unit if r else "-" for r in (x, y))
        diff = change(x[field], y[field]) if x and y else "-"
        ratio = (f"{r['ratio']:.0%}" if r and "ratio" in r else "" for r in (x, y))
        p99 = (f"{r['p99_ms']:.1f}" if r and "p99_ms" in r else "" for r in (x, y))
        lines.append(f"| {key[0]} | {key[1]} | {va} | {vb} | {diff} | {' | '.join(ratio)} | {' | '.join(p99)} "
                     f"| {met(x)} → {met(y)} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", help="results of the older version")
    ap.add_argument("b", help="results of the newer version")
    args = ap.parse_args()
    print(compare(load(args.a), load(args.b)))


if __name__ == "__main__":
    main()
