"""Client values in the log: one line each, of a readable length.

A value a client sent (a parameter, a URL, a header, a message built from them) goes into a log call through
`shown()`: a carriage return or line feed in it would start a forged log line, and a 900 KB group name would
become a 900 KB line."""

from __future__ import annotations

import logging
import re

from phonesvc.domain.text import CONTROL

SHOWN_MAX = 200  # characters of a client value kept in a log line
_UNSAFE = re.compile(f"[{CONTROL}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_PASSWORD_IN_URL = re.compile(r"([?&]pwd=)[^&\s]*", re.IGNORECASE)  # the gadget's auto-login URL


def _escape(match: re.Match) -> str:
    c = match.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def shown(value: object, limit: int = SHOWN_MAX) -> str:
    """`value` as text fit for one log line: control characters escaped as repr() writes them (a line feed
    shows as \\n; letters such as é stay readable), and cut after `limit` characters, saying how long it was
    ("…(900000 chars)")."""
    text = str(value)
    cut = f"…({len(text)} chars)" if len(text) > limit else ""
    return _UNSAFE.sub(_escape, text[:limit]) + cut


class SafeArgs(logging.Filter):
    """Every text argument of a record through shown(): for a library's log calls that we cannot change
    (uvicorn's access log carries the request's path and query string). The password of an auto-login
    URL (`pwd=`) shows as ***."""

    def __init__(self, limit: int = SHOWN_MAX):
        super().__init__()
        self.limit = limit

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_PASSWORD_IN_URL.sub(r"\1***", shown(a, self.limit)) if isinstance(a, str) else a
                                for a in record.args)
        return True
