"""The action log that the manual's "Enable logs" setting turns on: one line per action of the application
(a configuration change made through REST, a phone or the web admin) in `<data_dir>/logs/<instance>.log`.

Off (the default), nothing is written, as the manual promises ("unchecked will reduce the resources"). The
surfaces call log() once a change has committed; a refused change did nothing and is not an action."""

from __future__ import annotations

import logging
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

from phonesvc.config import Settings
from phonesvc.domain.privileges import MAGROUP
from phonesvc.logsafe import shown
from phonesvc.store.appsettings import setting

if TYPE_CHECKING:
    from phonesvc.store.db import Store

ENABLE_LOGS = "enableLogs"  # the app_settings name of the switch: "1" on, anything else off
LOG_BYTES = 5 * 1024 * 1024  # a file this large is rotated
LOG_BACKUPS = 5  # rotated files kept: <instance>.log.1 ... .5
_loggers: dict[Path, logging.Logger] = {}
_lock = threading.Lock()


def enabled(store: Store, app: str) -> bool:
    return setting(store.snapshot(), app, ENABLE_LOGS) == "1"


def log_path(settings: Settings, app: str) -> Path:
    instance = settings.ma_instance if app == MAGROUP else settings.diversions_instance
    return settings.data_dir / "logs" / f"{instance}.log"


def _logger(path: Path) -> logging.Logger:
    with _lock:
        found = _loggers.get(path)
        if found is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            found = logging.getLogger(f"phonesvc.actions.{len(_loggers)}")
            found.propagate = False  # the application's own file, not the server log
            found.setLevel(logging.INFO)
            found.addHandler(handler)
            _loggers[path] = found
        return found


def log(store: Store, settings: Settings, app: str, surface: str, who: str, action: str) -> None:
    """One line `<surface> <who>: <action>` when `app`'s Enable logs is on. `who` and `action` may hold what
    a client sent: they are escaped and cut (logsafe.shown)."""
    if not enabled(store, app):
        return
    try:
        _logger(log_path(settings, app)).info("%s %s: %s", surface, shown(who), shown(action, 500))
    except OSError as exc:  # the change is made: a log folder that cannot be written must not undo its answer
        logging.getLogger(__name__).warning("action log %s: %s", log_path(settings, app), exc)
