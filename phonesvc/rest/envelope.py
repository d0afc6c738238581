"""The <Callisto><Request/><Response/></Callisto> envelope of the REST manuals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from phonesvc.xmltext import escape

# A node is (tag, text) or (tag, [child nodes]).
Node = tuple[str, "str | int | Sequence[Node]"]



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
