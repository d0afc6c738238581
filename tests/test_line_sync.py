"""The simulator's lines follow configuration events, not requests: a request does no adapter bookkeeping,
and a change by another process still reaches the PBX."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx2 as httpx
import sqlalchemy as sa


def test_a_request_does_not_read_the_configuration_for_the_pbx(app, client, store):
    """/health touches neither the snapshot nor the database, however old the snapshot is allowed to be."""
    store.max_age = 0  # every snapshot() would ask the database whether another process wrote
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for _ in range(3):
        assert client.get("/health").text == "ok"
    assert statements == []


def test_a_member_added_over_rest_can_be_called_at_once(client, rest):
    assert rest("groups/addGroup", gr_name="Léonard & Co", gr_number="8950").status == "OK"
    # the new manager number is a route point and the user's line rings as soon as the write has answered
    assert "8950" in client.get("/sim/state").json()["route_points"]


def test_a_user_added_by_another_process_becomes_a_line(server_factory):
    server = server_factory("--demo")

    def line(number: str):
        lines = httpx.get(server.url + "/sim/state", timeout=5).json()["lines"]
        return next((ln for ln in lines if ln["number"] == number), None)

    assert line("4711") is None
    subprocess.run([sys.executable, "-m", "phonesvc", "users", "add", "Leonard.Vlahovic", "--first", "Léonard",
                    "--last", "Vlahović", "--line", "4711"], check=True,
                   env={**os.environ, "PHONESVC_DATA_DIR": str(server.data_dir)}, capture_output=True)
    deadline = time.monotonic() + 30  # the server looks every few seconds; this only bounds a hang
    while line("4711") is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert line("4711") is not None
