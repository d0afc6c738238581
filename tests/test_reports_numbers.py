"""Every cell of each report type for a known month of calls (tests/reportkit.py), built through the simulator
and the router, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from phonesvc.reports import callcount, details, duration
from phonesvc.reports.period import month, months_with_data
from phonesvc.reports.scope import Scope
from phonesvc.store import Store
from phonesvc.store.schema import metadata
from tests.reportkit import ABROAD, AGNES, ARADHANA, LEONARD, OUTSIDE, RAFAEL, TIJANA, VIP, ZOE, at, build
from tests.routingkit import Rig
from tests.test_postgres import pg_url

__all__ = ["pg_url"]  # fixture
AUGUST = month(2024, 8)
TIJANA_N, RAFAEL_N, ARADHANA_N = "Tijana Vlahović", "Rafael Núñez", "Aradhana D'Aubigné"
LEONARD_N, ZOE_N, AGNES_N = "Léonard Saligny & <Co>", "Zoë Ødegård", "Ágnes Kovačević"


@pytest.fixture(params=["sqlite", "postgresql"])
def built(request, store):
    if request.param == "postgresql":
        store = Store(request.getfixturevalue("pg_url"))
        store.migrate()
        with store.write() as conn:  # an empty site, whatever an earlier test left
            for table in reversed(metadata.sorted_tables):
                if table.name not in ("schema_version", "config_version"):
                    conn.execute(table.delete())
    ids = build(Rig(store))
    yield store, ids
    if request.param == "postgresql":
        store.dispose()


def rows(report) -> list[list[tuple]]:
    return [s.rows for s in report.sections]


def test_call_count_of_one_group_lists_the_manager_first(built):
    store, ids = built
    with store.read() as conn:
        report, _ = callcount.report(conn, store.snapshot(), AUGUST, Scope((ids["ma"],)))
        assert [c.title for c in report.columns] == ["Number", "Member", "Missed calls", "Connected", "Calls"]
        assert [s.title for s in report.sections] == ["MA Group"]
        # c2 rang Tijana, Rafael and Aradhana: missed for two, connected for Aradhana; c4: Tijana took it and
        # handed it to Rafael (connected for both); July's call and the outbound calls are not in
        assert rows(report) == [[(TIJANA, TIJANA_N, 3, 3, 6), (RAFAEL, RAFAEL_N, 3, 1, 4),
                                 (ARADHANA, ARADHANA_N, 2, 1, 3), (LEONARD, LEONARD_N, 2, 0, 2)]]
        report, _ = callcount.report(conn, store.snapshot(), AUGUST, Scope((ids["ma"],), outbound=True))
        assert [c.title for c in report.columns] == ["Number", "Member", "Missed calls", "Connected",
                                                     "Inbound calls", "Outbound calls", "Calls"]
        assert rows(report) == [[(TIJANA, TIJANA_N, 3, 3, 6, 0, 6), (RAFAEL, RAFAEL_N, 3, 2, 4, 1, 5),
                                 (ARADHANA, ARADHANA_N, 2, 1, 3, 1, 4), (LEONARD, LEONARD_N, 2, 0, 2, 0, 2)]]


def test_call_count_for_all_has_every_group_and_its_graph_opens_each(built):
    store, ids = built
    with store.read() as conn:
        report, groups = callcount.report(conn, store.snapshot(), AUGUST, Scope(None, outbound=True))
        graph = callcount.graph(groups, Scope(None, outbound=True))
    assert [s.title for s in report.sections] == ["MA Group", "Support & <Co>"]
    assert rows(report)[1] == [(ZOE, ZOE_N, 0, 1, 1, 0, 1), (AGNES, AGNES_N, 0, 0, 0, 0, 0)]
    assert graph["series"] == ["connected", "missed", "not_connected"]
    assert [(b["label"], b["values"]) for b in graph["bars"]] == [("MA Group", [6, 10, 1]),
                                                                 ("Support & <Co>", [1, 0, 0])]
    ma = graph["drill"][graph["bars"][0]["key"]]
    assert [(b["label"], b["values"]) for b in ma] == [
        (f"{TIJANA_N} ({TIJANA})", [3, 3, 0]), (f"{RAFAEL_N} ({RAFAEL})", [2, 3, 0]),
        (f"{ARADHANA_N} ({ARADHANA})", [1, 2, 1]), (f"{LEONARD_N} ({LEONARD})", [0, 2, 0])]
    with store.read() as conn:
        _, one = callcount.report(conn, store.snapshot(), AUGUST, Scope((ids["support"],)))
    single = callcount.graph(one, Scope((ids["support"],)))
    assert "drill" not in single and [b["values"] for b in single["bars"]] == [[1, 0], [0, 0]]


def test_call_duration_counts_greeting_and_waiting(built):
    store, ids = built
    with store.read() as conn:
        report, groups = duration.report(conn, store.snapshot(), AUGUST, Scope((ids["ma"],)))
        assert [c.title for c in report.columns] == ["Number", "Member", "Call duration", "∅ Call duration"]
        # Tijana: c1 70 s + c4 85 s + c5 33 s from the first ring to the end
        assert rows(report) == [[(TIJANA, TIJANA_N, 188, 188 / 3), (RAFAEL, RAFAEL_N, 85, 85),
                                 (ARADHANA, ARADHANA_N, 110, 110), (LEONARD, LEONARD_N, 0, 0)]]
        assert [b["values"] for b in duration.graph(groups, Scope((ids["ma"],)))["bars"]] == [[188], [85], [110], [0]]
        both = Scope((ids["ma"],), outbound=True)
        report, groups = duration.report(conn, store.snapshot(), AUGUST, both)
        assert [c.title for c in report.columns][4:] == ["Outbound call duration", "∅ Outbound call duration",
                                                         "Inbound call duration", "∅ Inbound call duration"]
        assert rows(report) == [[(TIJANA, TIJANA_N, 188, 188 / 3, 0, 0, 188, 188 / 3),
                                 (RAFAEL, RAFAEL_N, 179, 89.5, 94, 94, 85, 85),
                                 (ARADHANA, ARADHANA_N, 110, 110, 0, 0, 110, 110),  # her call was not answered
                                 (LEONARD, LEONARD_N, 0, 0, 0, 0, 0, 0)]]
        graph = duration.graph(groups, both)
        assert graph["series"] == ["inbound", "outbound"]
        assert [b["values"] for b in graph["bars"]] == [[188, 0], [85, 94], [110, 0], [0, 0]]


def test_details_in_time_order_with_names_or_external(built):
    store, ids = built
    snap = store.snapshot()
    with store.read() as conn:
        report = details.page(conn, snap, AUGUST, Scope((ids["ma"],)), 0, 50)
        assert [c.title for c in report.columns] == ["Date/Time", "Caller", "Caller name", "Called", "Called name",
                                                     "Duration"]
        assert rows(report) == [[
            (datetime(2024, 8, 5, 9), OUTSIDE, "Ada Caller", "8973", "MA Group", 70),
            (datetime(2024, 8, 5, 10), OUTSIDE, "Ada Caller", "8973", "MA Group", 110),
            (datetime(2024, 8, 5, 11), OUTSIDE, "Ada Caller", "8973", "MA Group", 75),
            (datetime(2024, 8, 6, 9), OUTSIDE, "Ada Caller", "8973", "MA Group", 85),
            (datetime(2024, 8, 6, 14), VIP, "Ada Caller", "8973", "MA Group", 33),
            (datetime(2024, 8, 7, 16), ABROAD, "External", "8973", "MA Group", 75)]]
        assert details.count(conn, AUGUST, Scope((ids["ma"],))) == 6
        out = details.page(conn, snap, AUGUST, Scope((ids["ma"],), outbound=True), 6, 50)
        assert rows(out) == [[(datetime(2024, 8, 7, 16, 30), RAFAEL, RAFAEL_N, ABROAD, "External", 94),
                              (datetime(2024, 8, 7, 17), ARADHANA, ARADHANA_N, LEONARD, LEONARD_N, 20)]]
        assert details.count(conn, AUGUST, Scope(None)) == 7 and details.count(conn, AUGUST, Scope(None, "", True)) == 9
        # one member: the calls that rang at him or that he took (and his own with outbound calls)
        rafael = details.page(conn, snap, AUGUST, Scope((ids["ma"],), RAFAEL, True), 0, 50)
        assert [r[0].day * 100 + r[0].hour for r in rows(rafael)[0]] == [510, 511, 609, 716, 716]
        assert details.count(conn, AUGUST, Scope((ids["ma"],), ZOE)) == 0
        assert details.count(conn, AUGUST, Scope(())) == 0  # a user of no group sees nothing


def test_details_graph_per_hour_and_day_of_week(built):
    store, _ = built
    with store.read() as conn:
        graph = details.graph(conn, AUGUST, Scope(None))
    hours, days = graph["tabs"]
    assert [t["title"] for t in graph["tabs"]] == ["Calls per Hour", "Calls per Day of Week"]
    assert {b["label"]: b["values"][0] for b in hours["bars"] if b["values"][0]} == {"09": 3, "10": 1, "11": 1,
                                                                                    "14": 1, "16": 1}
    assert [b["values"][0] for b in days["bars"]] == [3, 2, 1, 1, 0, 0, 0]  # 5 August 2024 was a Monday


def test_the_month_list_has_the_current_month_and_earlier_ones_with_calls(built):
    store, _ = built
    with store.read() as conn:
        months = months_with_data(conn, datetime(2024, 10, 3))
    assert [p.label for p in months] == ["October 2024", "August 2024", "July 2024"]
    assert months[1] == AUGUST and AUGUST.since == at(1, 0)
