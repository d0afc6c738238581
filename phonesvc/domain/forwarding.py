"""Which forwarding a member may be given (the manual's Set forwarding, on the phone and in the gadget): the
same rules whichever surface asks, so that a phone and a browser refuse the same things."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from phonesvc.domain.text import valid_number


class ForwardingRefused(ValueError):
    """A forwarding the member cannot have; `field` names the input at fault ("to", "number" or "target")."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class ForwardingChoice:
    kind: str | None  # None: no forwarding
    number: str = ""
    target: int | None = None  # the member forwarded to, for kind "member"


def forwarding_choice(kind: str, *, manager: bool, voicemail: str, mobile: str, number: str = "",
                      target: int | None = None, targets: Mapping[int, str] | None = None) -> ForwardingChoice:
    """The forwarding `kind` ("none", "group", "voicemail", "mobile", "number", "member") asks for, for a member
    whose user has these voicemail and mobile numbers. Group is for managers only (application forwarding);
    `targets` are the members sharing a group with the one forwarded, by id, with their numbers."""
    if kind == "none":
        return ForwardingChoice(None)
    if kind == "group" and manager:
        return ForwardingChoice("group")
    if kind == "voicemail":
        if not voicemail:
            raise ForwardingRefused("to", "Voicemail is not available: no voicemail number is set for this user.")
        return ForwardingChoice("voicemail", voicemail)
    if kind == "mobile":
        if not mobile:
            raise ForwardingRefused("to", "Mobile is not available: no mobile number is set for this user.")
        return ForwardingChoice("mobile", mobile)
    if kind == "number":
        if not valid_number(number):
            raise ForwardingRefused("number", "Enter a phone number: digits, with an optional leading +.")
        return ForwardingChoice("number", number)
    if kind == "member":
        if targets is None or target not in targets:
            raise ForwardingRefused("target", "That member is no longer in the group.")
        return ForwardingChoice("member", targets[target], target)
    raise ForwardingRefused("to", "That forwarding is not available.")


def forwarding_done(kind: str | None, number: str) -> str:
    """What the new forwarding does, completing "Your calls ..." or "Calls to <name> ..."."""
    return {None: "are no longer forwarded.", "group": "go to the first available assistant.",
            "voicemail": "go to voicemail."}.get(kind, f"are forwarded to {number}.")
