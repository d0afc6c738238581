"""The adapter protocol: every PBX action and event the rest of phonesvc uses.

Shaped after O2G (the REST API of Alcatel-Lucent's OmniPCX Enterprise gateway) so that a real
adapter maps one to one: calls are addressed by call id and the line (O2G: callRef and deviceId),
consultation transfer completes on the line's active and held call (O2G transfer with heldCallRef),
forwarding goes to a number or to voicemail (O2G forwardroute NUMBER/VOICEMAIL), DND is on/off.

Events are line snapshots: whenever anything on a line changes, the adapter publishes the line's
whole state (`LineChanged`), and `CallEnded` when a call leaves a line. Consumers replace what they
knew about that line; they never need to replay deltas. Within one change every `LineChanged` comes
before the `CallEnded` events, so a call that moves (transfer, redirect, pickup) shows on its new line
before it ends on the old one: whoever follows a call by its id never sees it vanish in between.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class TelephonyError(Exception):
    """The PBX refused or failed an operation; the message says why, for people."""


class CallState(StrEnum):
    RINGING = "ringing"
    ACTIVE = "active"
    HELD = "held"


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


@dataclass(frozen=True)
class CallLeg:
    """A call as one line sees it."""

    call_id: str
    line: str
    direction: Direction
    state: CallState
    remote_number: str
    remote_name: str
    external: bool
    started: float  # epoch seconds when the call reached this line
    original_called: str = ""  # the number first dialled, when the call was forwarded or redirected


@dataclass(frozen=True)
class Forwarding:
    """Immediate forwarding of a line: to a number, or to the line's voicemail box `number`."""

    number: str
    voicemail: bool = False


@dataclass(frozen=True)
class Line:
    number: str
    in_service: bool = True
    dnd: bool = False
    forwarding: Forwarding | None = None
    calls: tuple[CallLeg, ...] = field(default=())

    def call(self, call_id: str) -> CallLeg | None:
        return next((c for c in self.calls if c.call_id == call_id), None)

    def in_state(self, state: CallState) -> list[CallLeg]:
        return [c for c in self.calls if c.state == state]


@dataclass(frozen=True)
class LineChanged:
    line: Line


@dataclass(frozen=True)
class CallEnded:
    call_id: str
    line: str
    cause: str  # cleared, picked_up, redirected, transferred, forwarded, busy, rejected
    # A completed consultation transfer: the consultation call goes on as this call (the held one), which
    # took its place on the consulted line (O2G OnCallModified previousCallRef).
    replaced_by: str = ""
    # Transferred or redirected: the number the call went to (O2G OnCallRemoved newDestination).
    to: str = ""


@dataclass(frozen=True)
class RouteRequest:
    """A call reached a route point (a group's manager number) and waits for the application to route
    it (O2G RSI routeRequest, a CUCM CTI route point). `caller_line`: the caller is a line of this PBX."""

    call_id: str
    route_point: str
    caller_number: str
    caller_name: str
    caller_line: bool
    # the number the caller dialled when forwarding or a redirect brought the call here (CUCM's original
    # called party, O2G's routeRequest routedCallRef's first called number); "" when it was dialled directly
    original_called: str = ""


@dataclass(frozen=True)
class RouteEnded:
    """The route point let go of a call. `cause`: answered (a line or outside party it was offered to
    took it; `destination` says which), handed_off (route_to; `destination` is where it went), busy
    (reject), cleared (the caller hung up while waiting)."""

    call_id: str
    route_point: str
    cause: str
    destination: str = ""


@dataclass(frozen=True)
class Presented:
    """What a ringing phone shows as the caller (the group's caller identification)."""

    name: str
    number: str


Event = LineChanged | CallEnded | RouteRequest | RouteEnded


class Telephony(ABC):
    """What phonesvc asks of a PBX. Every action is async and raises TelephonyError on refusal."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[Event], None]] = []

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call `listener` with every event, in order; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)

    async def start(self) -> None:  # noqa: B027 - an adapter in the process (the simulator) has nothing to do
        """Connect to the PBX (the app's start); a PBX that is not there yet is tried again in the background."""

    async def stop(self) -> None:  # noqa: B027
        """Let go of the PBX (the app's end)."""

    @property
    def problem(self) -> str:
        """Why the PBX is not (fully) there, for people; empty when all is well."""
        return ""

    @abstractmethod
    def add_line(self, number: str, name: str = "") -> None:
        """Monitor this directory number (a user's line or a member number), named after its user."""

    @abstractmethod
    def lines(self) -> list[Line]:
        """The current state of every monitored line."""

    @abstractmethod
    def line(self, number: str) -> Line | None: ...

    @abstractmethod
    async def make_call(self, line: str, number: str) -> str:
        """Call `number` from `line`; returns the call id."""

    @abstractmethod
    async def answer(self, call_id: str, line: str) -> None: ...

    @abstractmethod
    async def hang_up(self, call_id: str, line: str) -> None:
        """The line leaves the call; a two-party call ends."""

    @abstractmethod
    async def hold(self, call_id: str, line: str) -> None: ...

    @abstractmethod
    async def retrieve(self, call_id: str, line: str) -> None: ...

    @abstractmethod
    async def blind_transfer(self, call_id: str, line: str, destination: str) -> None:
        """Hand the line's active or held call to `destination` and leave it."""

    @abstractmethod
    async def consult_start(self, call_id: str, line: str, destination: str) -> str:
        """Hold the line's active call and call `destination`; returns the consultation call id."""

    @abstractmethod
    async def consult_complete(self, line: str) -> None:
        """Join the line's held call with its active (consultation) call and leave both."""

    @abstractmethod
    async def consult_cancel(self, line: str) -> None:
        """Hang up the consultation call and take the held call back."""

    @abstractmethod
    async def redirect(self, call_id: str, line: str, destination: str) -> None:
        """Send a call ringing on `line` to `destination` (deflect)."""

    @abstractmethod
    async def pickup(self, line: str, ringing_line: str, call_id: str | None = None) -> str:
        """Answer on `line` a call ringing on `ringing_line`; returns the call id."""

    @abstractmethod
    async def set_forwarding(self, line: str, forwarding: Forwarding | None) -> None:
        """Set immediate forwarding of the line, or clear it with None."""

    @abstractmethod
    async def set_dnd(self, line: str, on: bool) -> None: ...

    @abstractmethod
    async def set_in_service(self, line: str, in_service: bool) -> None:
        """The line's device registered (in service) or not."""

    # ---- route points: calls the application distributes ---------------------------------------
    @abstractmethod
    async def set_route_points(self, numbers: Iterable[str]) -> None:
        """Calls to these numbers (and only these) wait at a route point and raise RouteRequest."""

    @abstractmethod
    async def offer(self, call_id: str, offers: Mapping[str, Presented]) -> dict[str, str]:
        """Ring the waiting call at exactly these lines, each showing its Presented caller; lines it rang
        at before and not named now stop ringing. Line forwarding applies (a forwarded line's offer goes
        to its destination; a voicemail box takes the call at once). Returns, for each line of `offers`
        where the call rings now, where it rings (the line itself, or its forwarding destination); a line
        that cannot ring (unknown, out of service, DND) is left out. The first to answer gets the call
        (RouteEnded answered) and every other offer stops."""

    @abstractmethod
    async def end_call(self, call_id: str) -> None:
        """Release every party of the call (the last resort when nothing else takes it)."""

    @abstractmethod
    async def route_to(self, call_id: str, destination: str, voicemail: bool = False,
                       past_forwarding: bool = False) -> None:
        """Hand the waiting call to `destination` (a line, an outside number, or with `voicemail` the
        voicemail box `destination`) and let go of it (RouteEnded handed_off). With `past_forwarding` a line
        rings itself even when it forwards its calls: the call came from there through that forwarding and
        must not be sent back (CUCM's Call Forward All loop breakout, O2G routeSelect to the device)."""

    @abstractmethod
    async def reject(self, call_id: str) -> None:
        """The waiting caller hears busy and the call ends (RouteEnded busy)."""

    @abstractmethod
    async def play(self, call_id: str, files: Sequence[str], repeat: bool = False) -> None:
        """Play these audio files, in order, to the waiting caller (`repeat`: over and over until the call
        is answered or moved), replacing what played before; an empty list stops playing."""
