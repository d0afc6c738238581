"""REST announcements: addAnnouncement, deleteAnnouncement, editAnnouncement, getAnnouncements,
reorderAnnouncements (REST manual, "Announcement functions")."""

from __future__ import annotations

import pytest

from tests.conftest import raw_form, response_tags

HUGE = str(10**30)
BAD_IDS = ["999999", "abc", "-1", "0", HUGE, "1 2", "1x", "1.0"]
DEMO_WAVES = ["Welcome.wav", "busy.wav", "music_synth.wav"]


def post_raw(client, function: str, body: bytes | str, method: str = "POST"):
    return raw_form(client, f"announcements/{function}", body, method)


def listing(rest, gr_id=45) -> list[dict[str, str]]:
    reply = rest("announcements/getAnnouncements", gr_id=gr_id)
    assert reply.status is None, reply.status
    return reply.items("announcement")


def order(rest, gr_id=45) -> list[tuple[str, str]]:
    """(priority, wave) as getAnnouncements lists them."""
    return [(a["priority"], a["wave"]) for a in listing(rest, gr_id)]


def waves(rest, gr_id=45) -> list[str]:
    items = listing(rest, gr_id)
    # Always a clean 1..n order, listed by priority.
    assert [a["priority"] for a in items] == [str(i) for i in range(1, len(items) + 1)], items
    return [a["wave"] for a in items]


def an_id(rest, wave: str, gr_id=45) -> str:
    found = [a["id"] for a in listing(rest, gr_id) if a["wave"] == wave]
    assert len(found) == 1, (wave, found)
    return found[0]


def add(rest, wave: str, gr_id=45, **params):
    reply = rest("announcements/addAnnouncement", gr_id=gr_id, an_wave=wave, **params)
    assert reply.status == "OK", (wave, params, reply.status)
    return reply


def new_group(rest, name: str) -> str:
    reply = rest("groups/addGroup", gr_name=name)
    assert reply.status == "OK"
    return reply.id


# ---------------------------------------------------------------------------------- getAnnouncements


def test_get_announcements_manual_example(rest, demo_data):
    reply = rest("announcements/getAnnouncements", gr_id=45)
    assert reply.http.status_code == 200
    assert reply.request == "getAnnouncements"
    assert response_tags(reply) == ["announcement"] * 3
    for el in reply.response:
        assert [c.tag for c in el] == ["id", "wave", "priority"]
    items = reply.items("announcement")
    assert [(a["wave"], a["priority"]) for a in items] == [("Welcome.wav", "1"), ("busy.wav", "2"),
                                                           ("music_synth.wav", "3")]
    assert all(a["id"].isdigit() for a in items)
    assert len({a["id"] for a in items}) == 3


def test_get_announcements_by_get(rest, demo_data):
    reply = rest("announcements/getAnnouncements", method="GET", gr_id=45)
    assert [a["wave"] for a in reply.items("announcement")] == DEMO_WAVES


def test_get_announcements_of_a_group_without_any(rest, demo_data):
    reply = rest("announcements/getAnnouncements", gr_id=64)
    assert reply.request == "getAnnouncements"
    assert len(reply.response) == 0
    assert reply.status is None


def test_get_announcements_lists_in_priority_order_not_id_order(rest, demo_data):
    add(rest, "first.wav", an_priority=1)
    items = listing(rest)
    assert [a["wave"] for a in items] == ["first.wav", *DEMO_WAVES]
    assert [a["priority"] for a in items] == ["1", "2", "3", "4"]
    ids = [int(a["id"]) for a in items]
    assert ids[0] == max(ids)  # the newest announcement is listed first


@pytest.mark.parametrize("params", [{}, {"gr_id": ""}, {"gr_id": "  "}])
def test_get_announcements_parameter_missing(rest, demo_data, params):
    reply = rest("announcements/getAnnouncements", **params)
    assert reply.request == "getAnnouncements"
    assert reply.status == "PARAMETER_MISSING"
    assert reply.items("announcement") == []


@pytest.mark.parametrize("bad", BAD_IDS)
def test_get_announcements_invalid_group_id(rest, demo_data, bad):
    reply = rest("announcements/getAnnouncements", gr_id=bad)
    assert reply.request == "getAnnouncements"
    assert reply.status == "INVALID_GROUP_ID"
    assert reply.items("announcement") == []


def test_get_announcements_invalid_parameters(client, rest, demo_data):
    assert rest("announcements/getAnnouncements", gr_id=45, an_id=1).status == "INVALID_PARAMETERS"
    assert post_raw(client, "getAnnouncements", "gr_id=45&gr_id=64").status == "INVALID_PARAMETERS"


# ----------------------------------------------------------------------------------- addAnnouncement


def test_add_announcement_manual_example(rest, demo_data):
    group = new_group(rest, "Example group")
    reply = rest("announcements/addAnnouncement", gr_id=group, an_wave="Welcome.wav")
    assert reply.http.status_code == 200
    assert reply.request == "addAnnouncement"
    assert response_tags(reply) == ["id", "status"]
    assert (reply.id, reply.status) == (group, "OK")
    items = listing(rest, group)
    assert [(a["wave"], a["priority"]) for a in items] == [("Welcome.wav", "1")]
    assert waves(rest) == DEMO_WAVES  # other groups untouched


def test_add_announcement_without_priority_appends(rest, demo_data):
    reply = add(rest, "music_folk.wav")
    assert reply.id == "45"
    assert waves(rest) == [*DEMO_WAVES, "music_folk.wav"]
    add(rest, "last.wav", an_priority="")  # sent empty: as if not sent
    assert waves(rest) == [*DEMO_WAVES, "music_folk.wav", "last.wav"]


def test_add_announcement_by_get(rest, demo_data):
    reply = rest("announcements/addAnnouncement", method="GET", gr_id=45, an_wave="get.wav")
    assert (reply.id, reply.status) == ("45", "OK")
    assert waves(rest) == [*DEMO_WAVES, "get.wav"]


@pytest.mark.parametrize("priority,expected", [
    ("1", ["new.wav", "Welcome.wav", "busy.wav", "music_synth.wav"]),
    ("2", ["Welcome.wav", "new.wav", "busy.wav", "music_synth.wav"]),
    ("3", ["Welcome.wav", "busy.wav", "new.wav", "music_synth.wav"]),
    ("4", ["Welcome.wav", "busy.wav", "music_synth.wav", "new.wav"]),
    ("5", ["Welcome.wav", "busy.wav", "music_synth.wav", "new.wav"]),
    ("99", ["Welcome.wav", "busy.wav", "music_synth.wav", "new.wav"]),
    (" 2 ", ["Welcome.wav", "new.wav", "busy.wav", "music_synth.wav"]),
])
def test_add_announcement_with_priority(rest, demo_data, priority, expected):
    add(rest, "new.wav", an_priority=priority)
    assert waves(rest) == expected  # waves() also checks the priorities are 1..n


def test_add_announcement_first_in_an_empty_group_gets_priority_1(rest, demo_data):
    group = new_group(rest, "Empty")
    add(rest, "a.wav", gr_id=group, an_priority=7)
    add(rest, "b.wav", gr_id=group, an_priority=1)
    add(rest, "c.wav", gr_id=group, an_priority=2)
    assert order(rest, group) == [("1", "b.wav"), ("2", "c.wav"), ("3", "a.wav")]
    assert waves(rest) == DEMO_WAVES


def test_add_the_same_wave_twice(rest, demo_data):
    add(rest, "busy.wav")
    assert waves(rest) == [*DEMO_WAVES, "busy.wav"]


@pytest.mark.parametrize("wave", ["music folk.wav", "Léonard – Begrüßung.wav", "R&D 1.wav", "🎵.wav",
                                  "it's.wav"])
def test_add_announcement_wave_names_round_trip(rest, demo_data, wave):
    add(rest, wave)
    assert waves(rest)[-1] == wave
    raw = rest("announcements/getAnnouncements", gr_id=45).http.content
    assert b"&#" not in raw
    if "&" in wave:
        assert b"R&amp;D 1.wav" in raw
    if "'" in wave:
        assert b"it&apos;s.wav" in raw


@pytest.mark.parametrize("params", [
    {},
    {"gr_id": "45"},
    {"an_wave": "x.wav"},
    {"gr_id": "", "an_wave": "x.wav"},
    {"gr_id": "45", "an_wave": ""},
    {"gr_id": "45", "an_wave": "   "},
    {"gr_id": "45", "an_priority": "1"},
])
def test_add_announcement_parameter_missing(rest, demo_data, params):
    reply = rest("announcements/addAnnouncement", **params)
    assert reply.request == "addAnnouncement"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "PARAMETER_MISSING"
    assert waves(rest) == DEMO_WAVES


@pytest.mark.parametrize("bad", BAD_IDS)
def test_add_announcement_invalid_group_id(rest, demo_data, bad):
    reply = rest("announcements/addAnnouncement", gr_id=bad, an_wave="x.wav")
    assert reply.request == "addAnnouncement"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "INVALID_GROUP_ID"
    assert waves(rest) == DEMO_WAVES
    assert waves(rest, 64) == []


@pytest.mark.parametrize("params", [
    {"an_priority": "0"},
    {"an_priority": "-1"},
    {"an_priority": "abc"},
    {"an_priority": "1.5"},
    {"an_priority": HUGE},
    {"an_wave": "../x.wav"},
    {"an_wave": "a/b.wav"},
    {"an_wave": "..\\x.wav"},
    {"an_wave": ".hidden.wav"},
    {"an_wave": "bell\x07.wav"},
    {"an_wave": "x" * 300 + ".wav"},
    {"an_id": "1"},
    {"an_volume": "10"},
])
def test_add_announcement_invalid_parameters(rest, demo_data, params):
    reply = rest("announcements/addAnnouncement", **{"gr_id": "45", "an_wave": "x.wav", **params})
    assert reply.request == "addAnnouncement"
    assert response_tags(reply) == ["id", "status"]
    assert reply.status == "INVALID_PARAMETERS", params
    assert waves(rest) == DEMO_WAVES


def test_add_announcement_parameter_twice_with_different_values(client, rest, demo_data):
    assert post_raw(client, "addAnnouncement", "gr_id=45&an_wave=a.wav&an_wave=b.wav").status == \
        "INVALID_PARAMETERS"
    assert post_raw(client, "addAnnouncement", "gr_id=45&gr_id=64&an_wave=a.wav").status == "INVALID_PARAMETERS"
    assert waves(rest) == DEMO_WAVES
    assert waves(rest, 64) == []


def test_add_announcement_parameter_names_are_case_insensitive(client, rest, demo_data):
    reply = post_raw(client, "addAnnouncement", "GR_ID=45&An_Wave=loud.wav&AN_PRIORITY=1")
    assert reply.status == "OK"
    assert waves(rest)[0] == "loud.wav"


# -------------------------------------------------------------------------------- deleteAnnouncement


def test_delete_announcement_manual_example(rest, demo_data):
    busy = an_id(rest, "busy.wav")
    reply = rest("announcements/deleteAnnouncement", an_id=busy)
    assert reply.http.status_code == 200
    assert reply.request == "deleteAnnouncement"
    assert len(reply.response) == 0
    assert reply.status == "OK"
    assert order(rest) == [("1", "Welcome.wav"), ("2", "music_synth.wav")]


@pytest.mark.parametrize("wave,rest_order", [
    ("Welcome.wav", ["busy.wav", "music_synth.wav"]),
    ("busy.wav", ["Welcome.wav", "music_synth.wav"]),
    ("music_synth.wav", ["Welcome.wav", "busy.wav"]),
])
def test_delete_announcement_keeps_a_clean_order(rest, demo_data, wave, rest_order):
    assert rest("announcements/deleteAnnouncement", an_id=an_id(rest, wave)).status == "OK"
    assert waves(rest) == rest_order
    add(rest, "new.wav")
    assert waves(rest) == [*rest_order, "new.wav"]
    add(rest, "second.wav", an_priority=2)
    assert waves(rest) == [rest_order[0], "second.wav", rest_order[1], "new.wav"]


def test_delete_all_announcements(rest, demo_data):
    for a in listing(rest):
        assert rest("announcements/deleteAnnouncement", method="GET", an_id=a["id"]).status == "OK"
    assert listing(rest) == []
    add(rest, "again.wav", an_priority=3)
    assert order(rest) == [("1", "again.wav")]


def test_delete_announcement_twice(rest, demo_data):
    busy = an_id(rest, "busy.wav")
    assert rest("announcements/deleteAnnouncement", an_id=busy).status == "OK"
    assert rest("announcements/deleteAnnouncement", an_id=busy).status == "INVALID_ANNOUNCEMENT_ID"
    assert waves(rest) == ["Welcome.wav", "music_synth.wav"]


def test_delete_announcement_only_touches_its_group(rest, demo_data):
    group = new_group(rest, "Other")
    add(rest, "x.wav", gr_id=group)
    add(rest, "y.wav", gr_id=group)
    assert rest("announcements/deleteAnnouncement", an_id=an_id(rest, "x.wav", group)).status == "OK"
    assert order(rest, group) == [("1", "y.wav")]
    assert waves(rest) == DEMO_WAVES


def test_announcements_go_with_their_group(rest, demo_data):
    ids = [a["id"] for a in listing(rest)]
    assert rest("groups/deleteGroup", gr_id=45).status == "OK"
    for aid in ids:
        assert rest("announcements/deleteAnnouncement", an_id=aid).status == "INVALID_ANNOUNCEMENT_ID"


@pytest.mark.parametrize("params", [{}, {"an_id": ""}, {"an_id": " "}])
def test_delete_announcement_parameter_missing(rest, demo_data, params):
    reply = rest("announcements/deleteAnnouncement", **params)
    assert reply.request == "deleteAnnouncement"
    assert reply.status == "PARAMETER_MISSING"
    assert waves(rest) == DEMO_WAVES


@pytest.mark.parametrize("bad", BAD_IDS)
def test_delete_announcement_invalid_announcement_id(rest, demo_data, bad):
    reply = rest("announcements/deleteAnnouncement", an_id=bad)
    assert reply.request == "deleteAnnouncement"
    assert reply.status == "INVALID_ANNOUNCEMENT_ID"
    assert waves(rest) == DEMO_WAVES


def test_delete_announcement_invalid_parameters(client, rest, demo_data):
    busy, welcome = an_id(rest, "busy.wav"), an_id(rest, "Welcome.wav")
    assert rest("announcements/deleteAnnouncement", an_id=busy, gr_id=45).status == "INVALID_PARAMETERS"
    assert post_raw(client, "deleteAnnouncement", f"an_id={busy}&an_id={welcome}").status == "INVALID_PARAMETERS"
    assert waves(rest) == DEMO_WAVES


# ---------------------------------------------------------------------------------- editAnnouncement


def test_edit_announcement_manual_example(rest, demo_data):
    busy = an_id(rest, "busy.wav")
    reply = rest("announcements/editAnnouncement", an_id=busy, an_wave="welcome.wav")
    assert reply.http.status_code == 200
    assert reply.request == "editAnnouncement"
    assert len(reply.response) == 0
    assert reply.status == "OK"
    items = listing(rest)
    assert [(a["id"], a["wave"], a["priority"]) for a in items][1] == (busy, "welcome.wav", "2")
    assert waves(rest) == ["Welcome.wav", "welcome.wav", "music_synth.wav"]


def test_edit_announcement_by_get_keeps_id_and_priority(rest, demo_data):
    before = listing(rest)
    synth = before[2]["id"]
    assert rest("announcements/editAnnouncement", method="GET", an_id=synth, an_wave="Léonard.wav").status == "OK"
    after = listing(rest)
    assert after == [before[0], before[1], {"id": synth, "wave": "Léonard.wav", "priority": "3"}]


@pytest.mark.parametrize("params", [
    {},
    {"an_wave": "x.wav"},
    {"an_id": "ID"},
    {"an_id": "", "an_wave": "x.wav"},
    {"an_id": "ID", "an_wave": ""},
    {"an_id": "ID", "an_wave": "  "},
])
def test_edit_announcement_parameter_missing(rest, demo_data, params):
    params = {k: an_id(rest, "busy.wav") if v == "ID" else v for k, v in params.items()}
    reply = rest("announcements/editAnnouncement", **params)
    assert reply.request == "editAnnouncement"
    assert reply.status == "PARAMETER_MISSING"
    assert waves(rest) == DEMO_WAVES


@pytest.mark.parametrize("bad", BAD_IDS)
def test_edit_announcement_invalid_announcement_id(rest, demo_data, bad):
    reply = rest("announcements/editAnnouncement", an_id=bad, an_wave="x.wav")
    assert reply.request == "editAnnouncement"
    assert reply.status == "INVALID_ANNOUNCEMENT_ID"
    assert waves(rest) == DEMO_WAVES


@pytest.mark.parametrize("params", [
    {"an_wave": "../x.wav"},
    {"an_wave": "a/b.wav"},
    {"an_wave": "..\\x.wav"},
    {"an_wave": ".hidden.wav"},
    {"an_wave": "nul\x00.wav"},
    {"an_priority": "1"},
    {"gr_id": "45"},
])
def test_edit_announcement_invalid_parameters(rest, demo_data, params):
    reply = rest("announcements/editAnnouncement", **{"an_id": an_id(rest, "busy.wav"), "an_wave": "x.wav",
                                                       **params})
    assert reply.status == "INVALID_PARAMETERS", params
    assert waves(rest) == DEMO_WAVES


def test_edit_announcement_parameter_twice_with_different_values(client, rest, demo_data):
    busy = an_id(rest, "busy.wav")
    assert post_raw(client, "editAnnouncement", f"an_id={busy}&an_wave=a.wav&an_wave=b.wav").status == \
        "INVALID_PARAMETERS"
    assert waves(rest) == DEMO_WAVES


# ------------------------------------------------------------------------------ reorderAnnouncements


def test_reorder_announcements_manual_example(rest, demo_data):
    synth = an_id(rest, "music_synth.wav")
    reply = rest("announcements/reorderAnnouncements", an_id=synth, move="up")
    assert reply.http.status_code == 200
    assert reply.request == "reorderAnnouncements"
    assert len(reply.response) == 0
    assert reply.status == "OK"
    assert order(rest) == [("1", "Welcome.wav"), ("2", "music_synth.wav"), ("3", "busy.wav")]


@pytest.mark.parametrize("wave,move,expected", [
    ("busy.wav", "up", ["busy.wav", "Welcome.wav", "music_synth.wav", "music_folk.wav"]),
    ("busy.wav", "down", ["Welcome.wav", "music_synth.wav", "busy.wav", "music_folk.wav"]),
    ("music_synth.wav", "up", ["Welcome.wav", "music_synth.wav", "busy.wav", "music_folk.wav"]),
    ("music_synth.wav", "down", ["Welcome.wav", "busy.wav", "music_folk.wav", "music_synth.wav"]),
    ("Welcome.wav", "down", ["busy.wav", "Welcome.wav", "music_synth.wav", "music_folk.wav"]),
    ("music_folk.wav", "up", ["Welcome.wav", "busy.wav", "music_folk.wav", "music_synth.wav"]),
    ("Welcome.wav", "up", ["Welcome.wav", "busy.wav", "music_synth.wav", "music_folk.wav"]),  # no-op
    ("music_folk.wav", "down", ["Welcome.wav", "busy.wav", "music_synth.wav", "music_folk.wav"]),  # no-op
    ("busy.wav", "UP", ["busy.wav", "Welcome.wav", "music_synth.wav", "music_folk.wav"]),
    ("busy.wav", "Down", ["Welcome.wav", "music_synth.wav", "busy.wav", "music_folk.wav"]),
])
def test_reorder_moves_by_one_place(rest, demo_data, wave, move, expected):
    add(rest, "music_folk.wav")
    before = {a["wave"]: a["id"] for a in listing(rest)}
    reply = rest("announcements/reorderAnnouncements", an_id=an_id(rest, wave), move=move)
    assert reply.status == "OK"
    assert waves(rest) == expected
    assert {a["wave"]: a["id"] for a in listing(rest)} == before  # ids are kept


def test_reorder_to_the_top_and_back(rest, demo_data):
    synth = an_id(rest, "music_synth.wav")
    for _ in range(5):
        assert rest("announcements/reorderAnnouncements", method="GET", an_id=synth, move="up").status == "OK"
    assert waves(rest) == ["music_synth.wav", "Welcome.wav", "busy.wav"]
    for _ in range(5):
        assert rest("announcements/reorderAnnouncements", an_id=synth, move="down").status == "OK"
    assert waves(rest) == DEMO_WAVES


def test_reorder_only_touches_its_group(rest, demo_data):
    group = new_group(rest, "Other")
    add(rest, "x.wav", gr_id=group)
    add(rest, "y.wav", gr_id=group)
    assert rest("announcements/reorderAnnouncements", an_id=an_id(rest, "x.wav", group), move="down").status == "OK"
    assert waves(rest, group) == ["y.wav", "x.wav"]
    assert waves(rest) == DEMO_WAVES


def test_order_stays_clean_after_mixed_operations(rest, demo_data):
    add(rest, "a.wav", an_priority=2)
    add(rest, "b.wav", an_priority=50)
    rest("announcements/deleteAnnouncement", an_id=an_id(rest, "Welcome.wav"))
    rest("announcements/reorderAnnouncements", an_id=an_id(rest, "b.wav"), move="up")
    add(rest, "c.wav", an_priority=1)
    rest("announcements/deleteAnnouncement", an_id=an_id(rest, "busy.wav"))
    assert waves(rest) == ["c.wav", "a.wav", "b.wav", "music_synth.wav"]


@pytest.mark.parametrize("params", [
    {},
    {"move": "up"},
    {"an_id": "ID"},
    {"an_id": "", "move": "up"},
    {"an_id": "ID", "move": ""},
    {"an_id": "ID", "move": " "},
])
def test_reorder_parameter_missing(rest, demo_data, params):
    params = {k: an_id(rest, "busy.wav") if v == "ID" else v for k, v in params.items()}
    reply = rest("announcements/reorderAnnouncements", **params)
    assert reply.request == "reorderAnnouncements"
    assert reply.status == "PARAMETER_MISSING"
    assert waves(rest) == DEMO_WAVES


@pytest.mark.parametrize("bad", BAD_IDS)
def test_reorder_invalid_announcement_id(rest, demo_data, bad):
    reply = rest("announcements/reorderAnnouncements", an_id=bad, move="up")
    assert reply.request == "reorderAnnouncements"
    assert reply.status == "INVALID_ANNOUNCEMENT_ID"
    assert waves(rest) == DEMO_WAVES


@pytest.mark.parametrize("params", [{"move": "sideways"}, {"move": "1"}, {"move": "-1"}, {"move": "top"},
                                    {"move": "up", "gr_id": "45"}, {"move": "up", "steps": "2"}])
def test_reorder_invalid_parameters(rest, demo_data, params):
    reply = rest("announcements/reorderAnnouncements", an_id=an_id(rest, "busy.wav"), **params)
    assert reply.status == "INVALID_PARAMETERS", params
    assert waves(rest) == DEMO_WAVES


def test_reorder_parameter_twice_with_different_values(client, rest, demo_data):
    busy = an_id(rest, "busy.wav")
    assert post_raw(client, "reorderAnnouncements", f"an_id={busy}&move=up&move=down").status == \
        "INVALID_PARAMETERS"
    assert waves(rest) == DEMO_WAVES


# ---------------------------------------------------------------------------------- methods, crashes

FUNCTIONS = ["addAnnouncement", "deleteAnnouncement", "editAnnouncement", "getAnnouncements",
             "reorderAnnouncements"]


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_not_allowed(client, rest, demo_data, function, method):
    busy = an_id(rest, "busy.wav")
    reply = post_raw(client, function, f"gr_id=45&an_id={busy}&an_wave=x.wav&move=up", method=method)
    assert reply.http.status_code == 405
    assert reply.request == function
    assert reply.status == "METHOD_NOT_ALLOWED"
    assert waves(rest) == DEMO_WAVES


@pytest.mark.parametrize("function", ["addAnnouncement", "getAnnouncements"])
@pytest.mark.parametrize("raw", ["%00", "%1B", "abc%00", "%EF%BF%BE"])
def test_control_characters_in_group_id_give_well_formed_xml(client, rest, demo_data, function, raw):
    reply = post_raw(client, function, f"gr_id={raw}&an_wave=x.wav" if function == "addAnnouncement"
                     else f"gr_id={raw}")  # parse_reply fails on malformed XML
    assert reply.request == function
    assert reply.status in ("INVALID_GROUP_ID", "INVALID_PARAMETERS")
    assert waves(rest) == DEMO_WAVES


GARBAGE = ["", " ", "\x00", "\x1b", "x" * 5000, HUGE, "-" + HUGE, "1e3", "0x1", "%", "NaN", "\u202e", "🎉",
           "' OR 1=1 --", "<x/>", "&amp;", "up down", "../../etc/passwd"]
FUNCTION_PARAMS = {
    "addAnnouncement": {"gr_id": "45", "an_wave": "x.wav", "an_priority": "1"},
    "deleteAnnouncement": {"an_id": "ID"},
    "editAnnouncement": {"an_id": "ID", "an_wave": "x.wav"},
    "getAnnouncements": {"gr_id": "45"},
    "reorderAnnouncements": {"an_id": "ID", "move": "up"},
}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_input_crashes_announcement_functions(client, rest, demo_data, function):
    base = FUNCTION_PARAMS[function]
    ident = an_id(rest, "music_synth.wav")
    for param in base:
        for value in GARBAGE:
            params = {k: ident if v == "ID" else v for k, v in base.items()}
            params[param] = value
            for method in ("POST", "GET"):
                reply = rest(f"announcements/{function}", method=method, **params)
                assert reply.http.status_code == 200, (function, param, value)
                assert reply.request == function
                assert reply.status != "ERROR", (function, param, value)
    for body in (b"gr_id=%FF", b"an_wave=\xff\xfe", b"an_id=1&%zz=1", b"&&&", b"=", b"an_id"):
        reply = post_raw(client, function, body)
        assert reply.http.status_code == 200, (function, body)
        assert reply.status != "ERROR", (function, body)
