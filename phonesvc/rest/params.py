"""Request parameters: names matched case-insensitively (as classic ASP does), values validated."""

from __future__ import annotations

import re
from collections.abc import Iterable

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.text import HOLDS_CONTROL, TEXT_MAX, has_control, text_problem, valid_number
from phonesvc.store.ids import parse_id


class Params:
    def __init__(self, pairs: Iterable[tuple[str, str]], allowed: Iterable[str]):
        allowed = {a.casefold() for a in allowed}
        self.values: dict[str, str] = {}  # keyed by casefolded name
        for key, value in pairs:
            name = key.casefold()
            if name not in allowed:
                raise Rejected(E.INVALID_PARAMETERS, f"unknown parameter {key!r}")
            if has_control(value):  # no parameter of any function may carry one: ids, names, numbers alike
                raise Rejected(E.INVALID_PARAMETERS, f"{key} {HOLDS_CONTROL}")
            if name in self.values and self.values[name] != value:
                raise Rejected(E.INVALID_PARAMETERS, f"parameter {key} is given twice with different values")
            self.values[name] = value

    def get(self, name: str) -> str | None:
        """The value as sent ('' when sent empty), or None when not sent."""
        return self.values.get(name.casefold())

    def given(self, name: str) -> bool:
        return bool((self.get(name) or "").strip())

    def require(self, *names: str) -> None:
        missing = [n for n in names if not self.given(n)]
        if missing:
            raise Rejected(E.PARAMETER_MISSING, f"missing parameter(s): {', '.join(missing)}")

    def require_one(self, *names: str) -> None:
        if not any(self.given(n) for n in names):
            raise Rejected(E.PARAMETER_MISSING, f"one of {', '.join(names)} is needed")

    def id(self, name: str, status: str) -> int | None:
        """A record id, None when not sent or empty, Rejected(status) when it cannot be an id."""
        if not self.given(name):
            return None
        value = parse_id(self.get(name))
        if value is None:
            raise Rejected(status, f"{name} {self.get(name)!r} is not a valid ID")
        return value

    def int(self, name: str, lo: int, hi: int) -> int | None:
        raw = self.get(name)
        if raw is None:
            return None
        s = raw.strip()
        if not (re.fullmatch(r"-?[0-9]{1,16}", s) and lo <= int(s) <= hi):
            raise Rejected(E.INVALID_PARAMETERS, f"{name} must be a whole number from {lo} to {hi}")
        return int(s)

    def text(self, name: str, max_len: int = TEXT_MAX, required: bool = False) -> str | None:
        raw = self.get(name)
        if raw is None:
            return None
        problem = text_problem(raw, max_len) or ("is empty" if required and not raw.strip() else None)
        if problem:
            raise Rejected(E.INVALID_PARAMETERS, f"{name} {problem}")
        return raw

    def number(self, name: str) -> str | None:
        raw = self.get(name)
        if raw is None:
            return None
        # No stripping: an unencoded '+' arrives as a space, and must not silently vanish.
        if not valid_number(raw):
            raise Rejected(E.INVALID_PARAMETERS, f"{name} {raw!r} is not a phone number (send '+' as %2B)")
        return raw

    def choice(self, name: str, words: dict[str, object]) -> object | None:
        raw = self.get(name)
        if raw is None:
            return None
        key = raw.strip().casefold()
        if key not in words:
            raise Rejected(E.INVALID_PARAMETERS, f"{name} must be one of {', '.join(words)}")
        return words[key]
