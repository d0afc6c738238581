"""How long an uploaded greeting plays: the router waits that long before the first phone rings."""

from __future__ import annotations

import logging
import wave
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def wave_seconds(folder: Path) -> Callable[[str], float]:
    """A lookup of a WAV file's playing time in `folder`; 0 (ring at once) for a missing or unreadable
    file, which is logged once per file and change."""
    known: dict[str, tuple[float, float]] = {}  # name -> (mtime, seconds)

    def seconds(name: str) -> float:
        path = folder / name
        try:
            mtime = path.stat().st_mtime
        except OSError:
            if known.get(name, (None,))[0] != -1.0:
                log.warning("greeting %s is not in %s; calls ring without it", name, folder)
                known[name] = (-1.0, 0.0)
            return 0.0
        cached = known.get(name)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        try:
            with wave.open(str(path), "rb") as w:
                value = w.getnframes() / float(w.getframerate() or 1)
        except (wave.Error, EOFError, OSError) as exc:
            log.warning("greeting %s cannot be read as WAV (%s); calls ring without it", name, exc)
            value = 0.0
        known[name] = (mtime, value)
        return value
    return seconds
