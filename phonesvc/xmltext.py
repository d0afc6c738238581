"""XML text escaping shared by every surface that writes XML (REST envelopes, phone screens)."""

from __future__ import annotations

import re

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
