"""REST reads against the anchor of the same run, each asking for one group, one manager's VIP list or one
diversion group (an integration asks for what it shows; on the large site the whole lists are 1,000
groups and 20,000 VIP numbers).

    .venv/bin/python bench/rest_bench.py [--site demo|large] [--seconds 10] [--connections 32]
Target (issue 10, large site): at least 25 % of the anchor's requests per second, p99 under 25 ms.
"""

from __future__ import annotations

from common import Goal, Target
from sites import DIV_REST, REST, Site, main

READ = Goal(ratio=0.25, p99_ms=25)


def targets(site: Site, _url: str) -> list[Target]:
    return [
        Target(f"getGroups gr_id={site.group_id}", f"{REST}/groups/getGroups.asp?gr_id={site.group_id}", goal=READ),
        Target(f"getMembers gr_id={site.group_id}", f"{REST}/members/getMembers.asp?gr_id={site.group_id}",
               goal=READ),
        Target("getVIPNumbers of a manager", f"{REST}/vip/getVIPNumbers.asp?mb_id={site.manager_member_id}",
               goal=READ),
        Target("listGroups (PhoneDiversions), one group",
               f"{DIV_REST}/listGroups.asp?groupId={site.diversion_group_id}", goal=READ),
    ]


if __name__ == "__main__":
    main(__doc__, targets)
