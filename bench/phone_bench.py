"""Phone screens against the anchor of the same run: PhoneMenu as a manager (8865) and as an assistant
(7965), and the 1 Button Service's manager list of an assistant of two managers (8865).

    .venv/bin/python bench/phone_bench.py [--site demo|large] [--seconds 10] [--connections 32]
Target (issue 10, large site): at least half the anchor's requests per second, p99 under 10 ms.
The status display (StatusDisplay.asp, the PNG) is in display_bench.py.
"""

from __future__ import annotations

from common import Goal, Target
from sites import SRC, Site, main

SCREEN = Goal(ratio=0.5, p99_ms=10)


def targets(site: Site, _url: str) -> list[Target]:
    return [
        Target("PhoneMenu, manager, 8865", f"{SRC}/PhoneMenu.asp?device={site.manager_device}",
               {"x-CiscoIPPhoneModelName": "CP-8865"}, SCREEN),
        Target("PhoneMenu, assistant, 7965", f"{SRC}/PhoneMenu.asp?device={site.assistant_device}",
               {"x-CiscoIPPhoneModelName": "CP-7965G"}, SCREEN),
        Target("OneButton manager list, 8865", f"{SRC}/OneButton.asp?device={site.shared_assistant_device}",
               {"x-CiscoIPPhoneModelName": "CP-8865"}, SCREEN),
    ]


if __name__ == "__main__":
    main(__doc__, targets)
