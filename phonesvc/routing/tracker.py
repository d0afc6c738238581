"""Follows every call the router handles, and every outbound call of a member, from its first event to
its end, and hands a CallRecord to the call log when it is over. A call keeps its id through answer,
redirect and transfer, so it is over when no line holds it and no route point waits with it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from phonesvc.domain.calls import CallRecord
from phonesvc.telephony.protocol import CallEnded, CallState, Direction, LineChanged, RouteEnded, RouteRequest

log = logging.getLogger(__name__)


@dataclass
class _Open:
    call_id: str
    direction: str
    caller_number: str
    caller_name: str
    called_number: str
    started: float
    group_id: int | None = None
    group_name: str = ""
    vip: bool = False
    rung: list[str] = field(default_factory=list)
    answered_by: str = ""
    answered: float | None = None
    destination: str = ""
    waiting: bool = False  # at a route point
    lines: set[str] = field(default_factory=set)  # lines that hold the call now


class CallTracker:
    def __init__(self, now: Callable[[], float], sink: Callable[[CallRecord], None],
                 member_group: Callable[[str], int | None], group_name: Callable[[int], str],
                 is_route_point: Callable[[str], bool]):
        self.now = now
        self.sink = sink
        self.member_group = member_group  # a member number -> its group id; None: not a member
        self.group_name = group_name
        self.is_route_point = is_route_point
        self.open: dict[str, _Open] = {}
        self._on_line: dict[str, set[str]] = {}  # line -> ids of open calls it holds

    # -- what the router tells ----------------------------------------------------------------------
    def routed(self, call_id: str, group_id: int, vip: bool) -> None:
        rec = self.open.get(call_id)
        if rec is not None:
            rec.group_id, rec.group_name, rec.vip = group_id, self.group_name(group_id), vip

    def rang(self, call_id: str, numbers: list[str]) -> None:
        if (rec := self.open.get(call_id)) is not None:
            rec.rung.extend(numbers)

    def unrang(self, call_id: str, numbers: list[str]) -> None:
        """These could not ring after all (DND, out of service): take back their latest mention."""
        if (rec := self.open.get(call_id)) is not None:
            for number in numbers:
                if number in rec.rung:
                    del rec.rung[len(rec.rung) - 1 - rec.rung[::-1].index(number)]

    def sent(self, call_id: str, destination: str) -> None:
        """Where the router sent the call (an outside number, voicemail:<box>, busy)."""
        if (rec := self.open.get(call_id)) is not None:
            rec.destination = destination

    # -- events ---------------------------------------------------------------------------------------
    def on_event(self, event: object) -> None:
        if isinstance(event, LineChanged):
            self._line(event)
        elif isinstance(event, CallEnded):
            rec = self.open.get(event.call_id)
            if rec is not None:
                self._leave(rec, event.line)
                self._maybe_done(rec)
        elif isinstance(event, RouteRequest):
            rec = self.open.get(event.call_id)
            if rec is None:
                rec = self.open[event.call_id] = _Open(event.call_id, "inbound", event.caller_number,
                                                       event.caller_name, event.route_point, self.now())
            rec.waiting = True
        elif isinstance(event, RouteEnded):
            rec = self.open.get(event.call_id)
            if rec is not None:
                rec.waiting = False
                if event.cause == "busy":
                    rec.destination = "busy"
                elif event.cause == "answered" and not rec.answered_by:
                    rec.answered_by, rec.answered = event.destination, self.now()
                    rec.destination = rec.destination or event.destination
                self._maybe_done(rec)

    def _line(self, event: LineChanged) -> None:
        line = event.line
        here = {leg.call_id: leg for leg in line.calls}
        for leg in line.calls:
            rec = self.open.get(leg.call_id)
            if rec is None:
                if leg.direction != Direction.OUTGOING or self.member_group(line.number) is None \
                        or self.is_route_point(leg.remote_number):
                    continue
                group_id = self.member_group(line.number) or None
                rec = self.open[leg.call_id] = _Open(
                    leg.call_id, "outbound", line.number, "", leg.remote_number, self.now(), group_id,
                    self.group_name(group_id) if group_id else "")
            rec.lines.add(line.number)
            self._on_line.setdefault(line.number, set()).add(leg.call_id)
            if leg.state == CallState.ACTIVE and not rec.answered_by:
                answerer = line.number if leg.direction == Direction.INCOMING else \
                    (leg.remote_number if leg.external and rec.direction == "outbound" else "")
                if answerer:
                    rec.answered_by, rec.answered = answerer, self.now()
                    rec.destination = rec.destination or answerer
        for call_id in list(self._on_line.get(line.number, ())):
            rec = self.open.get(call_id)
            if rec is None:
                self._on_line[line.number].discard(call_id)
            elif call_id not in here:
                self._leave(rec, line.number)
                self._maybe_done(rec)

    def _leave(self, rec: _Open, line: str) -> None:
        rec.lines.discard(line)
        calls = self._on_line.get(line)
        if calls is not None:
            calls.discard(rec.call_id)
            if not calls:
                del self._on_line[line]

    def _maybe_done(self, rec: _Open) -> None:
        if rec.lines or rec.waiting or self.open.get(rec.call_id) is not rec:
            return
        del self.open[rec.call_id]
        record = CallRecord(
            call_id=rec.call_id, direction=rec.direction, caller_number=rec.caller_number,
            caller_name=rec.caller_name, called_number=rec.called_number, group_id=rec.group_id,
            group_name=rec.group_name, members_rung=tuple(rec.rung), answered_by=rec.answered_by, vip=rec.vip,
            started=rec.started, answered=rec.answered, ended=self.now(), destination=rec.destination)
        try:
            self.sink(record)
        except Exception:
            log.exception("call log: cannot record call %s", rec.call_id)
