"""REST files: getMP3s, getWAVs, uploadMP3, uploadWAV. Audio lives in the data directory, in the
instance's mp3 and PCM folders as the manual names them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.text import valid_file_name
from phonesvc.rest.registry import MA, Call, function

KINDS = {  # folder, file suffix, response element
    "mp3": ("mp3", ".mp3", "MP3File"),
    "wav": ("PCM", ".wav", "WAVFile"),
}


def looks_like(kind: str, data: bytes) -> bool:
    if kind == "wav":
        return data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


def _folder(call: Call, kind: str) -> Path:
    folder = call.settings.audio_dir(call.settings.ma_instance, KINDS[kind][0])
    if not folder.is_dir():
        raise Rejected(E.FOLDER_MISSING, f"the {KINDS[kind][0]} folder is missing")
    return folder


def _list(call: Call, kind: str):
    _, suffix, element = KINDS[kind]
    names = sorted((f.name for f in _folder(call, kind).iterdir()
                    if f.is_file() and f.suffix.casefold() == suffix), key=str.casefold)
    return [(element, n) for n in names]


def _upload(call: Call, kind: str):
    _, suffix, _ = KINDS[kind]
    folder = _folder(call, kind)
    if not call.uploads:
        raise Rejected(E.PARAMETER_MISSING, "no file in the 'upload' field")
    for filename, data in call.uploads:  # check every file before writing any
        if not valid_file_name(filename) or Path(filename).suffix.casefold() != suffix:
            raise Rejected(E.INVALID_PARAMETERS, f"{filename!r} is not a plain *{suffix} file name")
        if not looks_like(kind, data):
            raise Rejected(E.INVALID_PARAMETERS, f"{filename!r} is not a {kind.upper()} file")
    staged = []
    try:
        for filename, data in call.uploads:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            staged.append((tmp, folder / filename))
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return E.OK


@function(MA, "files", "getMP3s", methods="GET", writes=False, kept=False)
def get_mp3s(call: Call):
    return _list(call, "mp3")


@function(MA, "files", "getWAVs", methods="GET", writes=False, kept=False)
def get_wavs(call: Call):
    return _list(call, "wav")


@function(MA, "files", "uploadMP3", methods="POST", params="upload", writes=False, kept=False)
def upload_mp3(call: Call):
    return _upload(call, "mp3")


@function(MA, "files", "uploadWAV", methods="POST", params="upload", writes=False, kept=False)
def upload_wav(call: Call):
    return _upload(call, "wav")
