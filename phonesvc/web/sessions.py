"""Signed-in browsers: a random token in a cookie names a session kept here, in memory, and saved to the data
directory when the server stops, so that a restart (an upgrade) does not sign everyone out: open gadgets in
Jabber tabs reconnect and go on. A session remembers only who signed in; what they may do is read from the
configuration on each request (phonesvc/web/access.py), so a deleted user or a revoked privilege counts at once.

Sessions are looked up by a digest of the token: the saved file holds no cookie value a thief could replay."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
MAX_SESSIONS = 10_000  # the least recently used go first
SAVED = "sessions.json"  # in the data directory, between a stop and the next start


@dataclass
class Session:
    token: str  # the cookie's value ("" for a session loaded from disk until its browser comes back)
    user_id: int
    password_hash: str  # as at sign-in: a new password ends the sessions signed in with the old one
    csrf: str  # every state-changing request carries it (form field `csrf` or header X-CSRF-Token)
    last_seen: float  # epoch seconds
    four_eyes: int = 0  # Reports4Eyes: the user id of the second user who signed in on this screen (0: none)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(self, idle_seconds: float, clock: Callable[[], float] = time.time, size: int = MAX_SESSIONS):
        self.idle, self.clock, self.size = idle_seconds, clock, size
        self._table: OrderedDict[str, Session] = OrderedDict()  # by _key(token); touched on the event loop only

    def start(self, user_id: int, password_hash: str) -> Session:
        session = Session(secrets.token_urlsafe(32), user_id, password_hash, secrets.token_urlsafe(32), self.clock())
        self._table[_key(session.token)] = session
        while len(self._table) > self.size:
            self._table.popitem(last=False)
        return session

    def get(self, token: str) -> Session | None:
        """The live session of this token, now marked as used; None when unknown or idle too long."""
        key = _key(token)
        session = self._table.get(key)
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle:
            self.end(token)
            return None
        session.token, session.last_seen = token, now
        self._table.move_to_end(key)
        return session

    def end(self, token: str) -> None:
        self._table.pop(_key(token), None)

    def __len__(self) -> int:
        return len(self._table)

    def save(self, directory: Path) -> None:
        """Write the live sessions (without their tokens) for the next start; readable by this user only."""
        now, path = self.clock(), directory / SAVED
        rows = {key: {**dataclasses.asdict(s), "token": ""} for key, s in self._table.items()
                if now - s.last_seen <= self.idle}
        try:
            directory.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(rows, out)
            os.replace(temporary, path)
        except OSError as exc:  # a read-only data directory: everyone signs in again, nothing worse
            log.warning("cannot keep the web sessions over the restart (%s): users will sign in again", exc)

    def load(self, directory: Path) -> None:
        """Take back the sessions the last stop saved, once: the file is removed, so a copy of the data
        directory made later holds none. A file that cannot be read signs everyone out, as before."""
        path = directory / SAVED
        try:
            rows = json.loads(path.read_text())
            path.unlink()
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("cannot read the saved web sessions (%s): users will sign in again", exc)
            return
        now = self.clock()
        for key, row in sorted(rows.items(), key=_seen) if isinstance(rows, dict) else ():
            session = _session(row)
            if session is not None and now - session.last_seen <= self.idle:
                self._table[key] = session


def _seen(item: tuple) -> float:
    last_seen = item[1].get("last_seen") if isinstance(item[1], dict) else None
    return last_seen if isinstance(last_seen, int | float) else 0.0


def _session(row) -> Session | None:
    """A saved row as a Session, None when it is not one (a damaged or foreign file)."""
    if not isinstance(row, dict):
        return None
    types = {"token": str, "user_id": int, "password_hash": str, "csrf": str, "last_seen": (int, float)}
    if any(not isinstance(row.get(n), t) for n, t in types.items()):
        return None
    try:  # fields added later take their defaults
        return Session(**{f.name: row[f.name] for f in dataclasses.fields(Session) if f.name in row})
    except TypeError:
        return None
