"""Group parameters of addGroup/editGroup: names, defaults and the values each accepts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from phonesvc.domain.text import clean_text, valid_file_name, valid_number


class InvalidValue(ValueError):
    pass


def _text(max_len: int, required: bool = False) -> Callable[[str], str]:
    def parse(v: str) -> str:
        out = clean_text(v, max_len)
        if out is None or (required and not out.strip()):
            raise InvalidValue
        return out
    return parse


def _int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(v: str) -> int:
        if not re.fullmatch(r"-?[0-9]{1,9}", v.strip()):
            raise InvalidValue
        n = int(v)
        if not lo <= n <= hi:
            raise InvalidValue
        return n
    return parse


def _choice(words: dict[str, int]) -> Callable[[str], int]:
    def parse(v: str) -> int:
        key = v.strip().casefold()
        if key not in words:
            raise InvalidValue
        return words[key]
    return parse


def _file(v: str) -> str:
    if v and not valid_file_name(v):
        raise InvalidValue
    return v


def _number(v: str) -> str:
    if v and not valid_number(v):
        raise InvalidValue
    return v


def parse_overflow(v: str) -> str:
    """-1 (no overflow), -3/busy, voicemail:<box>, group:<id> (the GUI's 'another group'), or a number."""
    s = v.strip()
    low = s.casefold()
    if low in ("-1", ""):
        return "-1"
    if low in ("-3", "busy"):
        return "-3"
    if low.startswith("voicemail:") and valid_number(s[10:]):
        return "voicemail:" + s[10:]
    if low.startswith("group:") and re.fullmatch(r"[1-9][0-9]{0,17}", s[6:]):
        return "group:" + s[6:]
    if valid_number(s):
        return s
    raise InvalidValue


NUMBER_PLACEHOLDERS = ("%callerNumber%", "%managerNumber%")
NAME_PLACEHOLDERS = ("%callerNumber%", "%callerName%", "%managerNumber%", "%managerShortName%")


def parse_caller_number_mask(v: str) -> str:
    """Caller number identification: only keypad characters around its placeholders."""
    rest = v
    for p in NUMBER_PLACEHOLDERS:
        rest = rest.replace(p, "")
    if len(v) > 64 or not re.fullmatch(r"[0-9*#]*", rest):
        raise InvalidValue
    return v


_BOOL = _choice({"0": 0, "1": 1})


@dataclass(frozen=True)
class GroupParam:
    param: str  # REST parameter (gr_...)
    column: str  # store column
    element: str  # getGroups element
    default: object
    parse: Callable[[str], object]


GROUP_PARAMS: tuple[GroupParam, ...] = (
    GroupParam("gr_name", "name", "name", None, _text(100, required=True)),
    GroupParam("gr_welcome", "welcome", "welcome", "", _file),
    GroupParam("gr_ringParallel", "ring_parallel", "ringParallel", 0, _BOOL),
    GroupParam("gr_number", "number", "number", "", _number),
    GroupParam("gr_managerTimeout", "manager_timeout", "managerTimeout", 0, _int(0, 3600)),
    GroupParam("gr_assistantTimeout", "assistant_timeout", "assistantTimeout", 0, _int(0, 3600)),
    GroupParam("gr_overflow", "overflow", "overflow", "-1", parse_overflow),
    GroupParam("gr_showVIPCall", "show_vip_call", "showVIPCall", 1,
               _choice({"0": 0, "manager": 0, "1": 1, "all": 1, "2": 2, "marked": 2})),
    GroupParam("gr_VIPCallsRouting", "vip_calls_routing", "VIPCallsRouting", 0,
               _choice({"0": 0, "1": 1, "2": 2})),
    GroupParam("gr_assistantToMng", "assistant_to_mng", "assistantToMng", 0, _BOOL),
    GroupParam("gr_showCalls", "show_calls", "showCalls", 1, _BOOL),
    GroupParam("gr_callerName", "caller_name", "callerName", "", _text(100)),
    GroupParam("gr_callerNumber", "caller_number", "callerNumber", "", parse_caller_number_mask),
    GroupParam("gr_mngCallAlarm", "mng_call_alarm", "mngCallAlarm", "", _file),
    GroupParam("gr_assistCallAlarm", "assist_call_alarm", "assistCallAlarm", "", _file),
    GroupParam("gr_VIPThreshold", "vip_threshold", "VIPThreshold", 5, _int(0, 99)),
    GroupParam("gr_mngCallAlarmJ", "mng_call_alarm_j", "mngCallAlarmJ", "", _file),
    GroupParam("gr_assistCallAlarmJ", "assist_call_alarm_j", "assistCallAlarmJ", "", _file),
)
GROUP_DEFAULTS = {p.column: p.default for p in GROUP_PARAMS if p.default is not None}
