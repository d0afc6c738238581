"""The Reports tab over plain HTTP: the custom report's checks and the scope a user without Admin may choose."""

from __future__ import annotations

from tests.webkit import ADMIN, demo_clients

__all__ = ["demo_clients"]  # fixture
RUN = "/Applications/inbound/MAGroup/reports/run"


def test_custom_period_goes_to_the_choice_and_bad_input_names_the_field(demo_clients):
    admin = demo_clients(ADMIN[0])
    ok = admin.get(RUN, params={"start": "2024-08-21T00:00", "end": "2024-08-31T00:00", "type": "details",
                                "output": "screen"})
    assert ok.status_code == 200 and "Run report" in ok.text
    bad = admin.get(RUN, params={"start": "2024-08-21T00:00", "end": "2024-08-20T00:00", "type": "nonsense",
                                 "output": "screen"})
    assert bad.status_code == 400
    assert "The end must come after the start." in bad.text
    assert "Choose Details, Call count or Call duration." in bad.text
    assert f'action="{RUN}"' in bad.text  # shown again at reports/run, the form still posts to the tab's run path
    assert admin.get(RUN, params={"month": "2024-13", "type": "count", "output": "screen"}).status_code == 400


def test_without_admin_only_own_groups(demo_clients, store):
    from phonesvc.domain.privileges import MAGROUP
    from phonesvc.store.users import find_user, set_privileges
    with store.write() as conn:
        set_privileges(conn, find_user(conn, "Tamara.Farrow").id, [(MAGROUP, "Reports")], grant=True)
        set_privileges(conn, find_user(conn, "Tijana.Vlahovic").id, [(MAGROUP, "Reports")], grant=True)
    tijana = demo_clients("Tijana.Vlahovic")  # in MA Group (45), not in Support Team (64)
    month = {"month": "2024-08", "type": "count", "output": "screen"}
    assert tijana.get(RUN, params={**month, "group": "45"}).status_code == 200
    refused = tijana.get(RUN, params={**month, "group": "64"})
    assert refused.status_code == 403 and "Support Team" not in refused.text
    everything = tijana.get(RUN, params={**month, "group": "all"}).text
    assert "MA Group" in everything and "Support Team" not in everything
    assert tijana.get(RUN, params={**month, "type": "details", "group": "45", "member": "9999"}).status_code == 403
