"""The reports on the large site (bench/largesite.py: 1,000,000 call-log records): a month's call-count
report for All, a month's detail report's first page, and an Excel export of 100,000 detail rows, run in
a child process so that its peak memory is its own.

    .venv/bin/python bench/reports.py
Goals: call count < 1 s, detail first page < 0.5 s, export < 10 s in < 100 MB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
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


def _store(db: Path) -> Store:
    return Store(f"sqlite:///{db}")


def export(db: Path) -> dict:
    """In the child: 100,000 detail rows (a period that holds them) to an .xlsx file."""
    store = _store(db)
    snap = store.snapshot()
    start = datetime.fromtimestamp(CALLS_FROM).astimezone()
    period = Period(start, datetime.fromtimestamp(CALLS_FROM + EXPORT_ROWS * 365 * 86400 / 1_000_000).astimezone())
    scope = Scope(None, outbound=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "details.xlsx"
        t = time.perf_counter()
        with store.read() as conn:
            rows = xlsx.write(path, details.report(conn, snap, period, scope), period, [])
        seconds = time.perf_counter() - t
        size = path.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"export_rows": rows, "export_s": round(seconds, 2), "export_peak_mb": round(peak, 1),
            "export_file_mb": round(size / 2**20, 1)}


def measure() -> dict:
    db, _manifest = ensure(quiet=True)
    store = _store(db)
    snap = store.snapshot()
    june = month(2025, 6)
    result: dict = {}
    with store.read() as conn:
        t = time.perf_counter()
        report, groups = callcount.report(conn, snap, june, Scope(None, outbound=True))
        result["count_all_month_s"] = round(time.perf_counter() - t, 3)
        result["count_groups"] = len(groups)
        t = time.perf_counter()
        page = details.page(conn, snap, june, Scope(None, outbound=True), 0, 50)
        total = details.count(conn, june, Scope(None, outbound=True))
        result["details_first_page_s"] = round(time.perf_counter() - t, 3)
        result["details_month_rows"] = total
        assert len(page.sections[0].rows) == 50
    child = subprocess.run([sys.executable, __file__, "--export", str(db)], capture_output=True, text=True, check=True)
    result.update(json.loads(child.stdout))
    result["ok"] = all(result[k] < goal for k, goal in GOALS.items())
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--export":
        print(json.dumps(export(Path(sys.argv[2]))))
    else:
        print(json.dumps(measure(), indent=1))
