"""Caller identification masks of a group (%callerNumber%, %callerName%, %managerNumber%,
%managerShortName%): what members' phones, status displays and the gadget show for a call."""

from __future__ import annotations


def format_caller(name_mask: str, number_mask: str, caller_name: str, caller_number: str, manager_number: str,
                  manager_short_name: str) -> str:
    """The name mask when set, else the number mask, else the call's own name or number."""
    values = {"%callerNumber%": caller_number, "%callerName%": caller_name or caller_number,
              "%managerNumber%": manager_number, "%managerShortName%": manager_short_name}
    mask = name_mask or number_mask
    if not mask:
        return caller_name or caller_number
    for placeholder, value in values.items():
        mask = mask.replace(placeholder, value)
    return mask
