"""Signed-in browsers: a random token in a cookie names a session kept here, in memory (a restart
signs everyone out). A session remembers only who signed in; what they may do is read from the
configuration on each request (phonesvc/web/access.py), so a deleted user or a revoked privilege
counts at once."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_SESSIONS = 10_000  # the least recently used go first


@dataclass
class Session:
    token: str  # the cookie's value
    user_id: int
    password_hash: str  # as at sign-in: a new password ends the sessions signed in with the old one
    csrf: str  # every state-changing request carries it (form field `csrf` or header X-CSRF-Token)
    last_seen: float
    four_eyes: int = 0  # Reports4Eyes: the user id of the second user who signed in on this screen (0: none)


class Sessions:
    def __init__(self, idle_seconds: float, clock: Callable[[], float] = time.monotonic, size: int = MAX_SESSIONS):
        self.idle, self.clock, self.size = idle_seconds, clock, size
        self._table: OrderedDict[str, Session] = OrderedDict()  # touched on the event loop only

    def start(self, user_id: int, password_hash: str) -> Session:
        session = Session(secrets.token_urlsafe(32), user_id, password_hash, secrets.token_urlsafe(32), self.clock())
        self._table[session.token] = session
        while len(self._table) > self.size:
            self._table.popitem(last=False)
        return session

    def get(self, token: str) -> Session | None:
        """The live session of this token, now marked as used; None when unknown or idle too long."""
        session = self._table.get(token)
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle:
            self.end(token)
            return None
        session.last_seen = now
        self._table.move_to_end(token)
        return session

    def end(self, token: str) -> None:
        self._table.pop(token, None)

    def __len__(self) -> int:
        return len(self._table)
