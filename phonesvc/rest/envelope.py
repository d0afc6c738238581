"""The <Callisto><Request/><Response/></Callisto> envelope of the REST manuals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A node is (tag, text) or (tag, [child nodes]).
Node = tuple[str, "str | int | Sequence[Node]"]

# Characters XML 1.0 cannot carry at all are dropped (input is validated, so this only guards
# against what slipped through).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&apos;"))


def escape(text: object) -> str:
    """Named entities only: Cisco phones and old XML parsers know no numeric ones."""
    s = text if type(text) is str else str(text)
    for char, entity in _ENTITIES:
        if char in s:
            s = s.replace(char, entity)
    return s if s.isprintable() else _FORBIDDEN.sub("", s)  # isprintable: the fast common case


@dataclass(frozen=True)
class IdStatus:
    """A response of the form <id>..</id><status>..</status>."""

    id: object
    status: str = "OK"


def _write(node: Node, depth: int, out: list[str]) -> None:
    tag, body = node
    pad = "  " * depth
    if isinstance(body, str | int):
        out.append(f"{pad}<{tag}>{escape(body)}</{tag}>")
    elif not body:
        out.append(f"{pad}<{tag}/>")
    else:
        out.append(f"{pad}<{tag}>")
        for child in body:
            _write(child, depth + 1, out)
        out.append(f"{pad}</{tag}>")


def envelope(request_name: str, response: str | IdStatus | Sequence[Node]) -> str:
    if isinstance(response, IdStatus):
        response = [("id", "" if response.id is None else str(response.id)), ("status", response.status)]
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<Callisto>"]
    _write(("Request", request_name), 1, out)
    _write(("Response", response), 1, out)
    out.append("</Callisto>")
    return "\n".join(out) + "\n"
