"""Web sessions over a restart: saved at stop without their tokens, taken back once at start, idle ones dropped."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from phonesvc.web.sessions import SAVED, Sessions


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_saved_session_is_valid_after_a_restart_and_the_file_holds_no_token(tmp_path: Path):
    clock = Clock()
    before = Sessions(idle_seconds=600, clock=clock)
    kept = before.start(7, "hash-7")
    ended = before.start(8, "hash-8")
    before.end(ended.token)
    before.save(tmp_path)
    saved = (tmp_path / SAVED).read_text()
    assert kept.token not in saved and kept.csrf in saved
    assert stat.S_IMODE((tmp_path / SAVED).stat().st_mode) == 0o600
    after = Sessions(idle_seconds=600, clock=clock)
    after.load(tmp_path)
    again = after.get(kept.token)
    assert (again.user_id, again.password_hash, again.csrf, again.token) == (7, "hash-7", kept.csrf, kept.token)
    assert after.get(ended.token) is None and after.get("guessed") is None
    assert not (tmp_path / SAVED).exists()  # taken back once


def test_sessions_idle_too_long_are_not_taken_back(tmp_path: Path):
    clock = Clock()
    before = Sessions(idle_seconds=600, clock=clock)
    old = before.start(1, "h")
    clock.now += 500
    fresh = before.start(2, "h")
    before.save(tmp_path)
    clock.now += 200  # the server was down for a while: `old` has now been idle 700 s
    after = Sessions(idle_seconds=600, clock=clock)
    after.load(tmp_path)
    assert after.get(old.token) is None and after.get(fresh.token).user_id == 2


def test_a_damaged_file_signs_everyone_out_and_starts(tmp_path: Path):
    wrong_types = {"token": "", "user_id": "7", "password_hash": "h", "csrf": "c", "last_seen": "yesterday"}
    for damaged in ("{not json", json.dumps([1, 2]), json.dumps({"k": {"user_id": "x", "bogus": 1}}),
                    json.dumps({"k": wrong_types}), json.dumps({"k": [1]})):
        (tmp_path / SAVED).write_text(damaged)
        sessions = Sessions(idle_seconds=600)
        sessions.load(tmp_path)
        assert len(sessions) == 0
