"""Phone screens against the plain-text baseline of the same app, in one run: PhoneMenu and the
1 Button Service (its manager list, for an assistant of two managers) as a 7965 and an 8865 ask.

    .venv/bin/python bench/phone_bench.py [--seconds 10] [--connections 32]
Target (issue 3): at least half the baseline's requests per second, p99 under 25 ms.
"""

from __future__ import annotations

import argparse
import urllib.parse
import urllib.request

from common import demo_server, table, wrk

SRC = "/Applications/inbound/MAGroup/src"
REST = "/Applications/inbound/MAGroup/rest"


def post(url: str, **data) -> None:
    urllib.request.urlopen(url, urllib.parse.urlencode(data).encode(), timeout=5).read()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    rows = []
    with demo_server() as url:
        # Rafael gets a second manager, so OneButton answers with the manager list (no call is made).
        post(url + REST + "/groups/addGroup.asp", gr_name="Board")
        post(url + REST + "/members/addMember.asp", gr_id=65, usr_Name="Gabriela.Kronberger", mb_number="1077",
             gm_type=1)
        post(url + REST + "/members/addMember.asp", gr_id=65, usr_Name="Rafael.Hidalgo", mb_number="1175")
        targets = [
            ("baseline: /health (plain text)", "/health", {}),
            ("PhoneMenu, manager, 8865", f"{SRC}/PhoneMenu.asp?device=SEP000000001047",
             {"x-CiscoIPPhoneModelName": "CP-8865"}),
            ("PhoneMenu, assistant, 7965", f"{SRC}/PhoneMenu.asp?device=SEP000000001175",
             {"x-CiscoIPPhoneModelName": "CP-7965G"}),
            ("OneButton manager list, 8865", f"{SRC}/OneButton.asp?device=SEP000000001175",
             {"x-CiscoIPPhoneModelName": "CP-8865"}),
        ]
        for name, path, headers in targets:
            wrk(url + path, 2, args.connections, headers)  # warm-up
            rows.append((name, *wrk(url + path, args.seconds, args.connections, headers)))
    print(table(rows, args.seconds, args.connections))


if __name__ == "__main__":
    main()
