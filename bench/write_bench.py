"""REST writes from 8 concurrent clients (wrk with a Lua script POSTing forms): setPresence and editMember
over the assistants of many groups, addVIPNumber with a new number each time over many managers' lists.
An answer without status OK counts as an error (the figures of a run with errors fail their target).

    .venv/bin/python bench/write_bench.py [--site demo|large] [--seconds 10]
Target (issue 10, large site): at least 500 writes/s, and at least 70 % of the demo data's figure
(run_all.py compares the two): the cost of a write does not grow with the configuration.
"""

from __future__ import annotations

from common import Goal, Target
from sites import REST, Site, main

CLIENTS = 8
WRITE = Goal(rps=500)

# wrk runs this in its one thread; `n` numbers the requests, `errors` counts answers without status OK.
SCRIPT = """
local ids = {%(ids)s}
local n = 0
local threads = {}
local run = os.time() %% 1000000
function setup(thread) table.insert(threads, thread) end
function init(args) errors = 0 end
function request()
  n = n + 1
  local id = ids[n %% #ids + 1]
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, %(body)s)
end
function response(status, headers, body)
  if not string.find(body, ">OK<", 1, true) then errors = errors + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("errors") end
  io.write(string.format("errors=%%d\\n", total))
end
"""

BODIES = {  # Lua expressions of the form body; `id` is an entry of `ids`, `n` the request's number
    "setPresence": '"mb_id=" .. id .. "&presenceState=" .. ({0, 1, 3, 4})[n % 4 + 1] .. '
                   '"&presenceMessage=R%C3%A9union+%26+Gespr%C3%A4ch+" .. n',
    "editMember": '"mb_id=" .. id[1] .. "&gr_id=" .. id[2] .. "&gm_shortName=B" .. (n % 1000000)',
    "addVIPNumber": '"mb_id=" .. id .. "&vn_number=" .. string.format("%%2B4%06d%06d", run, n) .. '
                    '"&vn_description=Kunde+%26+Partner"',
}


def script(ids: str, body: str) -> str:
    return SCRIPT % {"ids": ids, "body": body}


def targets(site: Site, _url: str) -> list[Target]:
    members = ", ".join(str(m) for m, _g in site.write_members)
    pairs = ", ".join(f"{{{m}, {g}}}" for m, g in site.write_members)
    managers = ", ".join(str(m) for m in site.write_managers)
    return [
        Target("setPresence", f"{REST}/members/setPresence.asp", goal=WRITE, connections=CLIENTS,
               script=script(members, BODIES["setPresence"])),
        Target("editMember (short name)", f"{REST}/members/editMember.asp", goal=WRITE, connections=CLIENTS,
               script=script(pairs, BODIES["editMember"])),
        Target("addVIPNumber", f"{REST}/vip/addVIPNumber.asp", goal=WRITE, connections=CLIENTS,
               script=script(managers, BODIES["addVIPNumber"])),
    ]


if __name__ == "__main__":
    main(__doc__, targets)
