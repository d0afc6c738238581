"""The reports on the large site (bench/largesite.py: 1,000,000 call-log records): a month's call-count
report for All, a month's detail report's first page, and an Excel export of 100,000 detail rows, run in
a child process so that its peak memory is its own.

    .venv/bin/python bench/reports.py [--json bench/results/NAME.json]
Goals: call count < 1 s, detail first page < 0.5 s, export < 10 s in < 100 MB.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.largesite import CALLS_FROM, ensure  # noqa: E402
from phonesvc.reports import callcount, details, xlsx  # noqa: E402
from phonesvc.reports.period import Period, month  # noqa: E402
from phonesvc.reports.scope import Scope  # noqa: E402
from phonesvc.store import Store  # noqa: E402

EXPORT_ROWS = 100_000
GOALS = {"count_all_month_s": 1.0, "details_first_page_s": 0.5, "export_s": 10.0, "export_peak_mb": 100.0}


@contextmanager
def timed(result: dict, name: str) -> Iterator[None]:
    """Wall-clock seconds (the goal) and this process's CPU seconds (what the wall clock is on an idle
    machine: the development machine's two cores are shared, so wall time alone says more about the others)."""
    t, cpu = time.perf_counter(), time.process_time()
    yield
    result[f"{name}_s"] = round(time.perf_counter() - t, 3)
    result[f"{name}_cpu_s"] = round(time.process_time() - cpu, 3)


def _store(db: Path) -> Store:
    return Store(f"sqlite:///{db}")


def export(db: Path) -> dict:
    """In the child: 100,000 detail rows (a period that holds them) to an .xlsx file."""
    store = _store(db)
    snap = store.snapshot()
    start = datetime.fromtimestamp(CALLS_FROM).astimezone()
    period = Period(start, datetime.fromtimestamp(CALLS_FROM + EXPORT_ROWS * 365 * 86400 / 1_000_000).astimezone())
    scope = Scope(None, outbound=True)
    result: dict = {"export_before_mb": _peak_mb()}  # the interpreter, the modules and the site's snapshot
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "details.xlsx"
        with timed(result, "export"), store.read() as conn:
            result["export_rows"] = xlsx.write(path, details.report(conn, snap, period, scope), period, [])
        result["export_file_mb"] = round(path.stat().st_size / 2**20, 1)
    result["export_peak_mb"] = _peak_mb()
    return result


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure() -> dict:
    db, _manifest = ensure(quiet=True)
    store = _store(db)
    snap = store.snapshot()
    june = month(2025, 6)
    result: dict = {"load_average_before": os.getloadavg()[0]}
    with store.read() as conn:
        with timed(result, "count_all_month"):
            report, groups = callcount.report(conn, snap, june, Scope(None, outbound=True))
        result["count_groups"] = len(groups)
        with timed(result, "details_first_page"):
            page = details.page(conn, snap, june, Scope(None, outbound=True), 0, 50)
            total = details.count(conn, june, Scope(None, outbound=True))
        result["details_month_rows"] = total
        assert len(page.sections[0].rows) == 50
    child = subprocess.run([sys.executable, __file__, "--export", str(db)], capture_output=True, text=True, check=True)
    result.update(json.loads(child.stdout))
    result["load_average_after"] = os.getloadavg()[0]
    result["ok"] = all(result[k] < goal for k, goal in GOALS.items())
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--export":
        print(json.dumps(export(Path(sys.argv[2]))))
    else:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        text = json.dumps({"date": datetime.now().isoformat(timespec="seconds"), "commit": commit,
                           "cpus": os.cpu_count(), **measure()}, indent=1)
        print(text)
        if len(sys.argv) == 3 and sys.argv[1] == "--json":
            Path(sys.argv[2]).write_text(text + "\n")
