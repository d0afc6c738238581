"""Follows every call the router handles, and every outbound call of a member, from its first event to
its end, and hands a CallRecord to the call log when it is over.

A call keeps its id through answer, redirect, pickup and transfer, so the record follows the outside party
(the caller of a routed call, the called party of an outbound one) wherever the PBX moves it. It is over
when it has ended (`CallEnded`) on the last line that held it and no route point waits with it: a line
snapshot that no longer shows it is not enough, as the adapter shows a moved call on its new line first.
A completed consultation goes on as the call it was joined with (`CallEnded.replaced_by`): it has no record
of its own, and the member it rang counts as rung for that call. A call transferred or redirected outside
(`CallEnded.to`, no line of ours) ends for the PBX there: that number is where it ended up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from phonesvc.domain.calls import INBOUND, OUTBOUND, CallRecord
from phonesvc.telephony.protocol import (
    CallEnded,
    CallLeg,
    CallState,
    Direction,
    LineChanged,
    RouteEnded,
    RouteRequest,
)

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
    answered_by: str = ""  # who talks (talked last) to the caller
    taken_by: str = ""  # who took the call first
    answered: float | None = None
    destination: str = ""
    talking: str = ""  # inbound: the line the caller talks to now
    waiting: bool = False  # at a route point
    lines: set[str] = field(default_factory=set)  # lines that hold the call now
    ringing: set[str] = field(default_factory=set)  # lines where it rings now


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
                if event.replaced_by:
                    self._merge(rec, event.replaced_by)
                    return
                if event.to and event.to not in rec.lines and rec.direction == INBOUND:
                    rec.destination = event.to  # sent outside: no line will answer it that we could see
                self._maybe_done(rec)
        elif isinstance(event, RouteRequest):
            rec = self.open.get(event.call_id)
            if rec is None:
                rec = self.open[event.call_id] = _Open(event.call_id, INBOUND, event.caller_number,
                                                       event.caller_name, event.route_point, self.now())
            rec.waiting = True
        elif isinstance(event, RouteEnded):
            rec = self.open.get(event.call_id)
            if rec is not None:
                rec.waiting = False
                if event.cause == "busy":
                    rec.destination = "busy"
                elif event.cause == "answered" and not rec.answered_by:
                    rec.answered_by = rec.taken_by = event.destination
                    rec.answered = self.now()
                    rec.destination = rec.destination or event.destination
                self._maybe_done(rec)

    def _line(self, event: LineChanged) -> None:
        line = event.line
        here = {leg.call_id for leg in line.calls}
        for leg in line.calls:
            rec = self.open.get(leg.call_id) or self._outbound(line.number, leg)
            if rec is None:
                continue
            rec.lines.add(line.number)
            self._on_line.setdefault(line.number, set()).add(leg.call_id)
            self._rings(rec, line.number, leg.state == CallState.RINGING and leg.direction == Direction.INCOMING)
            if leg.state == CallState.ACTIVE:
                self._active(rec, line.number, leg)
        for call_id in list(self._on_line.get(line.number, ())):
            if call_id not in here:
                rec = self.open.get(call_id)
                if rec is None:
                    self._on_line[line.number].discard(call_id)
                else:
                    self._leave(rec, line.number)  # over when its CallEnded comes

    def _outbound(self, number: str, leg: CallLeg) -> _Open | None:
        """A new call of a member's line to anyone but a route point: an outbound call to follow."""
        if leg.direction != Direction.OUTGOING or self.member_group(number) is None \
                or self.is_route_point(leg.remote_number):
            return None
        group_id = self.member_group(number) or None
        rec = self.open[leg.call_id] = _Open(
            leg.call_id, OUTBOUND, number, "", leg.remote_number, self.now(), group_id,
            self.group_name(group_id) if group_id else "")
        return rec

    def _rings(self, rec: _Open, number: str, ringing: bool) -> None:
        if not ringing:
            rec.ringing.discard(number)
            return
        if number in rec.ringing:
            return
        rec.ringing.add(number)
        # The router counts the lines it offers a waiting call to; once the route point has let go, every
        # member line the call starts ringing at counts too (a transfer, a redirect).
        if not rec.waiting and self.member_group(number) is not None:
            rec.rung.append(number)

    def _active(self, rec: _Open, number: str, leg: CallLeg) -> None:
        if not rec.answered_by:
            answerer = number if leg.direction == Direction.INCOMING else \
                (leg.remote_number if leg.external and rec.direction == OUTBOUND else "")
            if answerer:
                rec.answered_by = rec.taken_by = answerer
                rec.answered = self.now()
                rec.destination = rec.destination or answerer
        if rec.direction == INBOUND and leg.direction == Direction.INCOMING:
            if rec.talking and rec.talking != number:  # transferred: the caller talks to someone else now
                rec.destination = rec.answered_by = number
            rec.talking = number

    def _merge(self, consultation: _Open, call_id: str) -> None:
        """A completed consultation goes on as the call `call_id`: no record of its own."""
        for line in list(consultation.lines):
            self._leave(consultation, line)
        if self.open.get(consultation.call_id) is consultation:
            del self.open[consultation.call_id]
        rec = self.open.get(call_id)
        if rec is not None:  # a line it rang at that the call now rings at was counted already
            rec.rung.extend(n for n in consultation.rung if n not in rec.ringing)

    def _leave(self, rec: _Open, line: str) -> None:
        rec.lines.discard(line)
        rec.ringing.discard(line)
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
            started=rec.started, answered=rec.answered, ended=self.now(), destination=rec.destination,
            taken_by=rec.taken_by)
        try:
            self.sink(record)
        except Exception:
            log.exception("call log: cannot record call %s", rec.call_id)
