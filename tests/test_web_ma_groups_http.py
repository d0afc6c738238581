"""The MA Groups tab over plain HTTP, on the app with its real SQLite file (conftest's `app`): privileges
(MembersManagement alone sees only Members; without Admin only your own groups), CSRF on every form, bad
values refused next to their field with nothing changed, the Type of your own account in a new group, the
one-tone rule of a group without a manager, and the MP3 upload's checks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from phonesvc.store.schema import group_members, groups
from tests.webkit import csrf_of

GROUPS = "/Applications/inbound/MAGroup/groups"
MA, SUPPORT = 45, 64  # demo groups: Tijana (Groups) and Rafael (MembersManagement) are members of 45 only
SECTIONS = ("", "/vip", "/notifications", "/rename", "/delete")


def group_row(store, gid: int):
    with store.read() as conn:
        return conn.execute(sa.select(groups).where(groups.c.id == gid)).first()


@pytest.fixture
def signed_in(demo_clients):
    """signed_in(user) -> a TestClient signed in as that demo user (password 'pw-1'; admin: 'admin')."""

    def sign_in(user: str):
        client = demo_clients(user)
        client.token = csrf_of(client.get(GROUPS).text)
        return client
    return sign_in


def test_members_management_alone_sees_only_members_and_every_other_section_refuses(signed_in, store):
    rafael = signed_in("Rafael.Hidalgo")
    listing = rafael.get(GROUPS).text
    assert f'href="{GROUPS}/{MA}/members"' in listing and "Add a group" not in listing
    before = group_row(store, MA)
    for section in SECTIONS:
        assert rafael.get(f"{GROUPS}/{MA}{section}").status_code == 403, section
        answer = rafael.post(f"{GROUPS}/{MA}{section}", data={"csrf": rafael.token, "name": "Taken over",
                                                              "show_calls": "", "vip_threshold": "0"})
        assert answer.status_code == 403, section
    assert rafael.post(GROUPS, data={"csrf": rafael.token, "name": "Rafael's own"}).status_code == 403
    assert group_row(store, MA) == before
    with store.read() as conn:
        assert conn.execute(sa.select(groups).where(groups.c.name == "Rafael's own")).first() is None


def test_without_admin_only_your_own_groups(signed_in, store):
    tijana = signed_in("Tijana.Vlahovic")
    listing = tijana.get(GROUPS).text
    assert "MA Group" in listing and "Support Team" not in listing
    assert tijana.get(f"{GROUPS}/{MA}").status_code == 200
    before = group_row(store, SUPPORT)
    for section in SECTIONS:
        assert tijana.get(f"{GROUPS}/{SUPPORT}{section}").status_code == 403, section
        assert tijana.post(f"{GROUPS}/{SUPPORT}{section}",
                           data={"csrf": tijana.token, "name": "Mine now", "show_calls": ""}).status_code == 403
    assert tijana.get(f"{GROUPS}/{SUPPORT}/members").status_code == 403  # the other sections too
    assert group_row(store, SUPPORT) == before


def test_every_form_refuses_a_post_without_the_csrf_token(signed_in, store):
    admin = signed_in("admin")
    before = group_row(store, MA)
    for path in [GROUPS] + [f"{GROUPS}/{MA}{s}" for s in SECTIONS] + [f"{GROUPS}/{MA}/notifications/mp3"]:
        answer = admin.post(path, data={"name": "Forged", "show_calls": "", "vip_threshold": "0"})
        assert answer.status_code == 403 and "did not come from phonesvc" in answer.text, path
    assert group_row(store, MA) == before
    with store.read() as conn:
        assert conn.execute(sa.select(groups).where(groups.c.name == "Forged")).first() is None


GENERAL = {"number": "8973", "caller_name": "%managerShortName%**%callerName%",
           "caller_number": "%managerNumber%**%callerNumber%", "welcome": "Welcome.wav", "manager_timeout": "30",
           "assistant_timeout": "15", "overflow": "-1", "overflow_number": "", "show_calls": "1"}


@pytest.mark.parametrize("field, typed, message", [
    ("caller_number", "%callerNumber%-abc", "Only keypad characters"),
    ("caller_name", "Boss\nline", "without line breaks"),
    ("manager_timeout", "thirty", "0 to 3600"),
    ("assistant_timeout", "3601", "0 to 3600"),
    ("number", "89 73", "up to 32 digits"),
    ("number", "8974", "Another group already has manager number 8974"),  # the store's check, as REST's
    ("overflow_number", "", "Enter the number"),
])
def test_a_bad_value_comes_back_next_to_its_field_and_nothing_changes(signed_in, store, field, typed, message):
    admin = signed_in("admin")
    before = group_row(store, MA)
    sent = GENERAL | {"csrf": admin.token, field: typed} | ({"overflow": "voicemail"} if field == "overflow_number"
                                                          else {})
    answer = admin.post(f"{GROUPS}/{MA}", data=sent)
    assert answer.status_code == 400
    html = answer.text
    at = html.index(f'id="f-{field}"')
    assert 'aria-invalid="true"' in html[at:at + 300] and message in html[at:at + 1000]
    if typed and "\n" not in typed:
        assert f'value="{typed}"' in html  # what was typed stays
    assert group_row(store, MA) == before


def test_general_settings_save_through_the_same_rules_as_rest(signed_in, store, client):
    admin = signed_in("admin")
    sent = GENERAL | {"csrf": admin.token, "caller_name": "Chef & <Söhne> \"%callerName%\"", "manager_timeout": "20",
                      "overflow": "voicemail", "overflow_number": "8999", "ring_parallel": "1"}
    sent.pop("show_calls")  # unchecked
    assert admin.post(f"{GROUPS}/{MA}", data=sent, follow_redirects=False).status_code == 303
    group = client.get("/Applications/inbound/MAGroup/rest/groups/getGroups.asp", params={"gr_id": MA}).text
    assert "<callerName>Chef &amp; &lt;Söhne&gt; &quot;%callerName%&quot;</callerName>" in group
    assert "<managerTimeout>20</managerTimeout>" in group and "<overflow>voicemail:8999</overflow>" in group
    assert "<ringParallel>1</ringParallel>" in group and "<showCalls>0</showCalls>" in group
    page = admin.get(f"{GROUPS}/{MA}").text
    assert 'value="Chef &amp; &lt;Söhne&gt; &#34;%callerName%&#34;"' in page and "Saved." not in page


def test_a_new_group_takes_your_type_only_when_you_have_a_phone(signed_in, store):
    tijana, admin = signed_in("Tijana.Vlahovic"), signed_in("admin")
    assert "Type (your own account in the group, number 1047)" in tijana.get(GROUPS).text
    made = tijana.post(GROUPS, data={"csrf": tijana.token, "name": "Vlahović & Söhne", "type": "manager"},
                       follow_redirects=False)
    assert made.status_code == 303
    gid = int(made.headers["location"].rsplit("/", 1)[1])
    with store.read() as conn:
        assert conn.execute(sa.select(group_members.c.type).where(group_members.c.group_id == gid)).scalars().all() \
            == [1]
    assert "Vlahović &amp; Söhne" in tijana.get(GROUPS).text  # she sees it: she is in it
    listing = admin.get(GROUPS).text
    assert "Type (your own" not in listing and "No phone is assigned to your account" in listing
    refused = admin.post(GROUPS, data={"csrf": admin.token, "name": "Admin's", "type": "member"})
    assert refused.status_code == 400 and "so you cannot join the new group" in refused.text
    taken = admin.post(GROUPS, data={"csrf": admin.token, "name": "vlahović & söhne", "type": ""})
    assert taken.status_code == 400 and "already exists" in taken.text
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(groups)).scalar_one() == 3


def test_a_group_without_a_manager_has_one_notification_tone(signed_in, store):
    admin = signed_in("admin")
    page = admin.get(f"{GROUPS}/{SUPPORT}/notifications").text
    assert "Call notification tone Jabber" in page and "Manager call notification tone" not in page
    assert admin.post(f"{GROUPS}/{SUPPORT}/notifications", data={"csrf": admin.token, "tone": "Chime.raw",
                                                                 "tone_j": ""}).status_code == 200
    row = group_row(store, SUPPORT)
    assert (row.mng_call_alarm, row.assist_call_alarm, row.assist_call_alarm_j) == ("Chime.raw", "Chime.raw", "")
    assert "Manager call notification tone" in admin.get(f"{GROUPS}/{MA}/notifications").text
    refused = admin.post(f"{GROUPS}/{SUPPORT}/notifications", data={"csrf": admin.token, "tone": "../x.raw"})
    assert refused.status_code == 400 and group_row(store, SUPPORT) == row


def test_vip_threshold_on_and_off(signed_in, store):
    admin = signed_in("admin")
    vip = f"{GROUPS}/{MA}/vip"
    base = {"csrf": admin.token, "show_vip_call": "2", "vip_calls_routing": "1"}
    admin.post(vip, data=base | {"threshold_on": "1", "vip_threshold": "2"})
    row = group_row(store, MA)
    assert (row.show_vip_call, row.vip_calls_routing, row.vip_threshold) == (2, 1, 2)
    admin.post(vip, data=base | {"vip_threshold": "2"})  # unchecked: no directory user is VIP by stars
    assert group_row(store, MA).vip_threshold == 6
    page = admin.get(vip).text
    assert " checked" not in page.split('id="f-threshold_on"')[1][:60]
    refused = admin.post(vip, data=base | {"threshold_on": "1", "vip_threshold": "9"})
    assert refused.status_code == 400 and "Choose 0 to 5 stars" in refused.text
    assert group_row(store, MA).vip_threshold == 6


def test_the_mp3_upload_checks_the_file_as_rest_does(signed_in, settings, client):
    admin = signed_in("admin")
    url = f"{GROUPS}/{MA}/notifications/mp3"
    refused = admin.post(url, data={"csrf": admin.token}, files={"upload": ("fake.mp3", b"not audio", "audio/mpeg")})
    assert refused.status_code == 400 and "is not a MP3 file" in refused.text
    folder = settings.audio_dir(settings.ma_instance, "mp3")
    assert not (folder / "fake.mp3").exists()
    name = "Glöckchen & Co.mp3"
    done = admin.post(url, data={"csrf": admin.token}, files={"upload": (name, b"ID3\x03\x00tone", "audio/mpeg")},
                      follow_redirects=False)
    assert done.status_code == 303 and (folder / name).read_bytes().startswith(b"ID3")
    assert "Glöckchen &amp; Co.mp3" in admin.get(f"{GROUPS}/{MA}/notifications").text
    assert "Glöckchen &amp; Co.mp3" in client.get("/Applications/inbound/MAGroup/rest/files/getMP3s.asp").text
