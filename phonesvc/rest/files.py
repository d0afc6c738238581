"""REST files: getMP3s, getWAVs, uploadMP3, uploadWAV. Audio lives in the data directory, in the
instance's mp3 and PCM folders as the manual names them (phonesvc/audio.py, shared with the web admin)."""

from __future__ import annotations

from phonesvc import audio
from phonesvc.domain import errors as E
from phonesvc.rest.registry import MA, Call, function

ELEMENTS = {"mp3": "MP3File", "wav": "WAVFile"}  # response element per kind


def _list(call: Call, kind: str):
    return [(ELEMENTS[kind], n) for n in audio.audio_files(call.settings, kind)]


def _upload(call: Call, kind: str):
    audio.save_uploads(call.settings, kind, call.uploads)
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
