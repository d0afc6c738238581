"""The only package that knows a PBX: one adapter protocol, the embedded simulator, real adapters."""

from phonesvc.telephony.protocol import (
    CallEnded,
    CallLeg,
    CallState,
    Direction,
    Forwarding,
    Line,
    LineChanged,
    Presented,
    RouteEnded,
    RouteRequest,
    Telephony,
    TelephonyError,
)

__all__ = ["CallEnded", "CallLeg", "CallState", "Direction", "Forwarding", "Line", "LineChanged", "Presented",
           "RouteEnded", "RouteRequest", "Telephony", "TelephonyError"]
