"""REST file management: getMP3s, getWAVs, uploadMP3, uploadWAV (REST manual, "File management
functions"). Uploads are sent the way `curl -F upload=@file` sends them."""

from __future__ import annotations

import io
import shutil
import struct
import wave
from pathlib import Path

import pytest

from tests.conftest import MA_BASE, parse_reply

KINDS = {  # kind: (folder, list function, upload function, list element, suffix)
    "wav": ("PCM", "getWAVs", "uploadWAV", "WAVFile", ".wav"),
    "mp3": ("mp3", "getMP3s", "uploadMP3", "MP3File", ".mp3"),
}


def wav_bytes(seconds: float = 0.1, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack("<h", 1000) * int(rate * seconds))
    return buf.getvalue()


def mp3_bytes(tag: bytes = b"") -> bytes:
    return b"ID3" + b"\x03\x00\x00\x00\x00\x00\x00" + tag + bytes(64)


def mp3_frames() -> bytes:
    """A bare MPEG audio frame stream without an ID3 tag (frame sync 0xFFFB)."""
    return (struct.pack(">I", 0xFFFB9000) + bytes(413)) * 3


def content(kind: str, tag: str = "") -> bytes:
    return wav_bytes(0.05 + len(tag) / 1000) if kind == "wav" else mp3_bytes(tag.encode())


def folder(settings, kind: str) -> Path:
    return settings.audio_dir(settings.ma_instance, KINDS[kind][0])


def audio_root(settings) -> Path:
    return settings.data_dir / "audio"


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under root (hidden ones too), with file contents; the database is left out."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))
            if ".db" not in p.name}


def listed(rest, kind: str) -> list[str]:
    _, function, _, element, _ = KINDS[kind]
    reply = rest(f"files/{function}", method="GET")
    assert reply.http.status_code == 200
    assert reply.request == function
    assert reply.status is None, reply.status
    assert all(c.tag == element for c in reply.response)
    return [c.text for c in reply.response]


def upload(rest, kind: str, *files: tuple[str, bytes], field: str = "upload", **params):
    parts = [(field, (name, data, "application/octet-stream")) for name, data in files]
    return rest(f"files/{KINDS[kind][2]}", files=parts, **params)


def remove_folder(settings, kind: str) -> None:
    shutil.rmtree(folder(settings, kind))
    assert not folder(settings, kind).exists()


both = pytest.mark.parametrize("kind", ["wav", "mp3"])


# ------------------------------------------------------------------------------------- getWAVs/getMP3s


def test_get_wavs_manual_example(rest, settings):
    for name in ("Music_01.wav", "Willkommen.wav", "Music_03.wav", "Welcome.wav", "Music_02.wav",
                 "Music_04.wav"):
        (folder(settings, "wav") / name).write_bytes(wav_bytes())
    reply = rest("files/getWAVs", method="GET")
    assert reply.http.status_code == 200
    assert reply.request == "getWAVs"
    assert [(c.tag, c.text) for c in reply.response] == [
        ("WAVFile", "Music_01.wav"), ("WAVFile", "Music_02.wav"), ("WAVFile", "Music_03.wav"),
        ("WAVFile", "Music_04.wav"), ("WAVFile", "Welcome.wav"), ("WAVFile", "Willkommen.wav")]


def test_get_mp3s_manual_example(rest, settings, demo_data):
    for name in ("Piano2.mp3", "newCall.mp3", "Chime.mp3", "CiscoSynth.mp3", "AreYouThere.mp3", "MusicBox.mp3",
                 "CiscoStandard.mp3", "Piano1.mp3", "CiscoSymphonic.mp3"):
        (folder(settings, "mp3") / name).write_bytes(mp3_bytes())
    reply = rest("files/getMP3s", method="GET")
    assert reply.http.status_code == 200
    assert reply.request == "getMP3s"  # not the manual's slip "addAnnouncements"
    assert all(c.tag == "MP3File" for c in reply.response)
    assert [c.text for c in reply.response] == [
        "Analog1.mp3", "Analog2.mp3", "AreYouThere.mp3", "Chime.mp3", "CiscoStandard.mp3", "CiscoSymphonic.mp3",
        "CiscoSynth.mp3", "MusicBox.mp3", "newCall.mp3", "Piano1.mp3", "Piano2.mp3"]


def test_demo_files_are_listed(rest, demo_data):
    assert listed(rest, "wav") == ["busy.wav", "music_synth.wav", "Welcome.wav"]
    assert listed(rest, "mp3") == ["Analog1.mp3", "Analog2.mp3"]


@both
def test_list_is_sorted_case_insensitively(rest, settings, kind):
    suffix = KINDS[kind][4]
    for stem in ("zebra", "Apple", "banana", "Cherry", "apricot", "_first", "10", "9"):
        (folder(settings, kind) / (stem + suffix)).write_bytes(content(kind))
    assert listed(rest, kind) == [s + suffix for s in ("10", "9", "_first", "Apple", "apricot", "banana", "Cherry",
                                                        "zebra")]


@both
def test_list_shows_only_files_of_its_kind(rest, settings, kind):
    own, other = KINDS[kind][4], KINDS["mp3" if kind == "wav" else "wav"][4]
    d = folder(settings, kind)
    (d / ("Real" + own)).write_bytes(content(kind))
    (d / ("UPPER" + own.upper())).write_bytes(content(kind))
    (d / "notes.txt").write_text("not audio")
    (d / ("other" + other)).write_bytes(content(kind))
    (d / ("noext")).write_bytes(content(kind))
    (d / ("sub" + own)).mkdir()
    assert listed(rest, kind) == ["Real" + own, "UPPER" + own.upper()]


@both
def test_list_of_an_empty_folder(rest, kind):
    _, function, _, _, _ = KINDS[kind]
    reply = rest(f"files/{function}", method="GET")
    assert reply.request == function
    assert len(reply.response) == 0
    assert reply.status is None


def test_file_names_round_trip_and_are_escaped(rest, settings):
    names = ["Léonard & Vlahović.wav", "it's 🎵.wav", "Grüße.wav"]
    for n in names:
        (folder(settings, "wav") / n).write_bytes(wav_bytes())
    reply = rest("files/getWAVs", method="GET")
    assert [c.text for c in reply.response] == ["Grüße.wav", "it's 🎵.wav", "Léonard & Vlahović.wav"]
    assert "<WAVFile>Léonard &amp; Vlahović.wav</WAVFile>".encode() in reply.http.content
    assert "<WAVFile>it&apos;s 🎵.wav</WAVFile>".encode() in reply.http.content
    assert b"&#" not in reply.http.content


@both
def test_list_folder_missing(rest, settings, demo_data, kind):
    _, function, _, _, _ = KINDS[kind]
    remove_folder(settings, kind)
    reply = rest(f"files/{function}", method="GET")
    assert reply.http.status_code == 200
    assert reply.request == function
    assert reply.status == "FOLDER_MISSING"
    assert len(reply.response) == 0


@both
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_list_is_get_only(rest, client, demo_data, kind, method):
    _, function, _, _, _ = KINDS[kind]
    http = client.request(method, f"{MA_BASE}/files/{function}.asp")
    reply = parse_reply(http)
    assert http.status_code == 405
    assert reply.request == function
    assert reply.status == "METHOD_NOT_ALLOWED"
    assert "GET" in http.headers["allow"]


@both
def test_list_with_an_unknown_parameter(rest, demo_data, kind):
    _, function, _, _, _ = KINDS[kind]
    reply = rest(f"files/{function}", method="GET", folder="..")
    assert reply.status == "INVALID_PARAMETERS"


# ---------------------------------------------------------------------------------- uploadWAV/uploadMP3


def test_upload_wav_manual_example(rest, settings, demo_data):
    data = wav_bytes(0.3)
    reply = upload(rest, "wav", ("Music_Piano.wav", data))
    assert reply.http.status_code == 200
    assert reply.request == "uploadWAV"
    assert len(reply.response) == 0
    assert reply.status == "OK"
    assert (folder(settings, "wav") / "Music_Piano.wav").read_bytes() == data
    assert listed(rest, "wav") == ["busy.wav", "Music_Piano.wav", "music_synth.wav", "Welcome.wav"]


def test_upload_mp3_manual_example(rest, settings, demo_data):
    data = mp3_bytes(b"Alert")
    reply = upload(rest, "mp3", ("Alert.mp3", data))
    assert reply.http.status_code == 200
    assert reply.request == "uploadMP3"
    assert len(reply.response) == 0
    assert reply.status == "OK"
    assert (folder(settings, "mp3") / "Alert.mp3").read_bytes() == data
    assert listed(rest, "mp3") == ["Alert.mp3", "Analog1.mp3", "Analog2.mp3"]


def test_upload_mp3_without_id3_tag(rest, settings):
    data = mp3_frames()
    assert upload(rest, "mp3", ("frames.mp3", data)).status == "OK"
    assert (folder(settings, "mp3") / "frames.mp3").read_bytes() == data


@both
def test_upload_several_files_in_one_request(rest, settings, kind):
    suffix = KINDS[kind][4]
    files = [(f"{stem}{suffix}", content(kind, stem)) for stem in ("b", "C", "a", "Ärger")]
    reply = upload(rest, kind, *files)
    assert reply.status == "OK"
    for name, data in files:
        assert (folder(settings, kind) / name).read_bytes() == data
    assert listed(rest, kind) == [f"a{suffix}", f"b{suffix}", f"C{suffix}", f"Ärger{suffix}"]


@both
def test_upload_replaces_a_file_of_the_same_name(rest, settings, demo_data, kind):
    name = "Welcome.wav" if kind == "wav" else "Analog1.mp3"
    data = content(kind, "a newer recording")
    assert (folder(settings, kind) / name).read_bytes() != data
    before = listed(rest, kind)
    assert upload(rest, kind, (name, data)).status == "OK"
    assert (folder(settings, kind) / name).read_bytes() == data
    assert listed(rest, kind) == before


@both
def test_upload_upper_case_suffix(rest, settings, kind):
    name = "LOUD" + KINDS[kind][4].upper()
    assert upload(rest, kind, (name, content(kind))).status == "OK"
    assert listed(rest, kind) == [name]


@both
def test_upload_leaves_no_temporary_files(rest, settings, kind):
    suffix = KINDS[kind][4]
    assert upload(rest, kind, ("one" + suffix, content(kind)), ("two" + suffix, content(kind, "x"))).status == "OK"
    assert sorted(p.name for p in folder(settings, kind).iterdir()) == ["one" + suffix, "two" + suffix]


@both
def test_upload_field_name_is_case_insensitive(rest, settings, kind):
    suffix = KINDS[kind][4]
    assert upload(rest, kind, ("x" + suffix, content(kind)), field="Upload").status == "OK"
    assert listed(rest, kind) == ["x" + suffix]


def bad_content(kind: str) -> list[tuple[str, bytes]]:
    suffix = KINDS[kind][4]
    other = mp3_bytes() if kind == "wav" else wav_bytes()
    return [
        ("text" + suffix, b"this is just some text, not audio\n"),
        ("html" + suffix, b"<html><script>alert(1)</script></html>"),
        ("other" + suffix, other),  # the other kind of audio under this suffix
        ("empty" + suffix, b""),
        ("riff" + suffix, b"RIFF\x00\x00\x00\x00AVI LIST" + bytes(32)),
        ("zip" + suffix, b"PK\x03\x04" + bytes(40)),
    ]


def bad_names(kind: str) -> list[str]:
    suffix = KINDS[kind][4]
    return [
        "../x" + suffix, "a/b" + suffix, "..\\x" + suffix, ".hidden" + suffix, "/abs" + suffix,
        "../../../../tmp/evil" + suffix, "sub\\evil" + suffix, suffix, "x" + suffix + ".txt",
        "x.txt", "noext", "x" + ("mp3" if kind == "wav" else "wav"), "x" + (".mp3" if kind == "wav" else ".wav"),
        "a:b" + suffix, "x" * 200 + suffix, " lead" + suffix, "trail" + suffix + " ",
    ]


@both
@pytest.mark.parametrize("index", range(6))
def test_upload_refuses_files_that_are_not_audio_of_its_kind(rest, settings, demo_data, kind, index):
    name, data = bad_content(kind)[index]
    before = tree(audio_root(settings))
    reply = upload(rest, kind, (name, data))
    assert reply.request == KINDS[kind][2]
    assert reply.status == "INVALID_PARAMETERS", name
    assert tree(audio_root(settings)) == before


@both
@pytest.mark.parametrize("index", range(17))
def test_upload_refuses_names_that_are_not_plain_file_names(rest, settings, demo_data, kind, index):
    name = bad_names(kind)[index]
    before = tree(audio_root(settings))
    outside = tree(settings.data_dir.parent)
    reply = upload(rest, kind, (name, content(kind)))
    assert reply.request == KINDS[kind][2]
    assert reply.status == "INVALID_PARAMETERS", name
    assert tree(audio_root(settings)) == before
    assert tree(settings.data_dir.parent) == outside


@both
def test_one_bad_file_refuses_the_whole_request(rest, settings, demo_data, kind):
    suffix = KINDS[kind][4]
    before = tree(audio_root(settings))
    for bad in [("evil" + suffix, b"not audio"), ("../escape" + suffix, content(kind)), ("x.txt", content(kind))]:
        files = [("good1" + suffix, content(kind)), bad, ("good2" + suffix, content(kind))]
        reply = upload(rest, kind, *files)
        assert reply.status == "INVALID_PARAMETERS", bad[0]
        assert tree(audio_root(settings)) == before
    reply = upload(rest, kind, ("last" + suffix, content(kind)), ("bad" + suffix, b"junk"))
    assert reply.status == "INVALID_PARAMETERS"
    assert tree(audio_root(settings)) == before


@both
def test_upload_wrong_kind_to_the_other_function(rest, settings, kind):
    other = "mp3" if kind == "wav" else "wav"
    suffix = KINDS[other][4]
    reply = upload(rest, kind, ("x" + suffix, content(other)))
    assert reply.status == "INVALID_PARAMETERS"
    assert listed(rest, kind) == [] and listed(rest, other) == []


@both
def test_upload_parameter_missing(rest, client, settings, demo_data, kind):
    _, _, function, _, _ = KINDS[kind]
    before = tree(audio_root(settings))
    url = f"{MA_BASE}/files/{function}.asp"
    replies = [
        rest(f"files/{function}"),  # no body at all
        rest(f"files/{function}", upload=""),  # -F upload=
        parse_reply(client.post(url, files=[("upload", ("", b"", "application/octet-stream"))])),
        parse_reply(client.post(url, content=b"", headers={"Content-Type": "multipart/form-data; boundary=x"})),
    ]
    for reply in replies:
        assert reply.request == function
        assert reply.status in ("PARAMETER_MISSING", "INVALID_PARAMETERS")
    assert [r.status for r in replies[:3]] == ["PARAMETER_MISSING"] * 3
    assert tree(audio_root(settings)) == before


@both
def test_upload_invalid_parameters(rest, client, settings, demo_data, kind):
    _, _, function, _, suffix = KINDS[kind]
    before = tree(audio_root(settings))
    good = ("x" + suffix, content(kind))
    assert upload(rest, kind, good, folder="..").status == "INVALID_PARAMETERS"
    assert upload(rest, kind, good, field="file").status == "INVALID_PARAMETERS"
    assert upload(rest, kind, good, field="upload[]").status == "INVALID_PARAMETERS"
    http = client.post(f"{MA_BASE}/files/{function}.asp", content=b"--x\r\nbroken",
                       headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert parse_reply(http).status in ("INVALID_PARAMETERS", "PARAMETER_MISSING")
    assert tree(audio_root(settings)) == before


@both
def test_upload_folder_missing(rest, settings, demo_data, kind):
    _, _, function, _, suffix = KINDS[kind]
    remove_folder(settings, kind)
    before = tree(audio_root(settings))
    reply = upload(rest, kind, ("x" + suffix, content(kind)))
    assert reply.http.status_code == 200
    assert reply.request == function
    assert reply.status == "FOLDER_MISSING"
    assert tree(audio_root(settings)) == before  # the folder is not created behind the admin's back


@both
def test_upload_is_post_only(rest, client, settings, demo_data, kind):
    _, _, function, _, suffix = KINDS[kind]
    before = tree(audio_root(settings))
    for method in ("GET", "PUT", "DELETE"):
        http = client.request(method, f"{MA_BASE}/files/{function}.asp", params={"upload": "x" + suffix})
        reply = parse_reply(http)
        assert http.status_code == 405, method
        assert reply.request == function
        assert reply.status == "METHOD_NOT_ALLOWED"
        assert "POST" in http.headers["allow"]
    assert tree(audio_root(settings)) == before


@both
def test_upload_too_large_is_refused_cleanly(rest, settings, kind):
    suffix = KINDS[kind][4]
    big = content(kind) + bytes(settings.max_upload_bytes + 1)
    before = tree(audio_root(settings))
    reply = upload(rest, kind, ("big" + suffix, big))
    assert reply.http.status_code not in (200, 500)
    assert reply.status == "INVALID_PARAMETERS"
    assert tree(audio_root(settings)) == before


@both
def test_uploaded_file_is_listed_and_usable_as_announcement(rest, settings, demo_data, kind):
    if kind == "mp3":
        assert upload(rest, "mp3", ("Ring.mp3", mp3_bytes())).status == "OK"
        assert rest("groups/editGroup", gr_id=45, gr_mngCallAlarmJ="Ring.mp3").status == "OK"
        assert "Ring.mp3" in listed(rest, "mp3")
        return
    assert upload(rest, "wav", ("Begrüßung.wav", wav_bytes())).status == "OK"
    assert "Begrüßung.wav" in listed(rest, "wav")
    assert rest("announcements/addAnnouncement", gr_id=45, an_wave="Begrüßung.wav").status == "OK"
    waves = [a["wave"] for a in rest("announcements/getAnnouncements", gr_id=45).items("announcement")]
    assert waves[-1] == "Begrüßung.wav"
