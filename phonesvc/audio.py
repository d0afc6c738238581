"""Uploaded audio of the ManagerAssistant Group instance: WAV greetings and announcements (the manual's PCM
folder) and MP3 Jabber tones (its mp3 folder). Listing and uploading live here, below the surfaces, so
REST (uploadMP3, getWAVs, ...) and the web admin check an upload by the same rules."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from phonesvc.config import Settings
from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.text import valid_file_name

KINDS = {  # folder, file suffix
    "mp3": ("mp3", ".mp3"),
    "wav": ("PCM", ".wav"),
}


def looks_like(kind: str, data: bytes) -> bool:
    if kind == "wav":
        return data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


def folder(settings: Settings, kind: str) -> Path:
    found = settings.audio_dir(settings.ma_instance, KINDS[kind][0])
    if not found.is_dir():
        raise Rejected(E.FOLDER_MISSING, f"the {KINDS[kind][0]} folder is missing")
    return found


def audio_files(settings: Settings, kind: str) -> list[str]:
    """The file names of `kind` ("mp3" or "wav"), sorted case-insensitively."""
    suffix = KINDS[kind][1]
    return sorted((f.name for f in folder(settings, kind).iterdir() if f.is_file() and f.suffix.casefold() == suffix),
                  key=str.casefold)


def save_uploads(settings: Settings, kind: str, uploads: list[tuple[str, bytes]]) -> None:
    """Store uploaded (file name, content) pairs; every file is checked before any is written, and each
    appears whole or not at all (written aside, then renamed)."""
    suffix = KINDS[kind][1]
    target = folder(settings, kind)
    if not uploads:
        raise Rejected(E.PARAMETER_MISSING, "no file in the 'upload' field")
    for filename, data in uploads:
        if not valid_file_name(filename) or Path(filename).suffix.casefold() != suffix:
            raise Rejected(E.INVALID_PARAMETERS, f"{filename!r} is not a plain *{suffix} file name")
        if not looks_like(kind, data):
            raise Rejected(E.INVALID_PARAMETERS, f"{filename!r} is not a {kind.upper()} file")
    staged = []
    try:
        for filename, data in uploads:
            fd, tmp = tempfile.mkstemp(dir=target, prefix=".upload-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            staged.append((tmp, target / filename))
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
