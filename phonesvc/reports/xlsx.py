"""A report as a real .xlsx (xlsxwriter in constant-memory mode: each row goes to disk as it is written, so
100,000 detail rows need no more memory than ten): the period and the filters in the first rows, then the
column titles and typed cells, dates as dates and durations as times."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter

from phonesvc.reports.period import Period
from phonesvc.reports.table import COUNT, MOMENT, SECONDS, Report

DAY = 86400.0  # Excel keeps a time as a fraction of a day
# and a moment as days since this one (xlsxwriter's write_datetime computes the same, more slowly per cell)
EPOCH, ONE_DAY = datetime(1899, 12, 30), timedelta(days=1)
MAX_TEXT = 32767  # characters Excel holds in a cell


def write(path: Path, report: Report, period: Period, filters: list[tuple[str, str]]) -> int:
    """Write the workbook as the screen shows the report (a section's heading above its rows); returns the
    number of data rows."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent),
                                           "strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    moment = book.add_format({"num_format": "dd.mm.yyyy hh:mm:ss"})
    duration = book.add_format({"num_format": "[h]:mm:ss"})
    title, columns = report.title, report.columns
    sheet = book.add_worksheet(title[:31])
    sheet.set_column(0, len(columns) - 1, 18)
    sheet.write_string(0, 0, title, bold)
    sheet.write_string(1, 0, "Start")
    sheet.write_datetime(1, 1, period.start.replace(tzinfo=None), moment)
    sheet.write_string(2, 0, "End")
    sheet.write_datetime(2, 1, period.end.replace(tzinfo=None), moment)
    r = 3
    for name, value in filters:
        sheet.write_string(r, 0, name)
        sheet.write_string(r, 1, value)
        r += 1
    r += 1
    for c, column in enumerate(columns):
        sheet.write_string(r, c, column.title, bold)
    kinds = [column.kind for column in columns]
    written = 0
    for section in report.sections:
        if section.title:
            r += 1
            sheet.write_string(r, 0, section.title[:MAX_TEXT], bold)
        for row in section.rows:
            r += 1
            written += 1
            for c, (kind, value) in enumerate(zip(kinds, row, strict=True)):
                if kind == MOMENT:
                    sheet.write_number(r, c, (value - EPOCH) / ONE_DAY, moment)
                elif kind == SECONDS:
                    sheet.write_number(r, c, value / DAY, duration)
                elif kind == COUNT:
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value)[:MAX_TEXT])
    book.close()
    return written
