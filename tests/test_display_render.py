"""The phone status display renderer: layout, the drop order on narrow tiles, no overflow, determinism,
sizes and colour depth per model, and golden images per model family (golden/, see tests/goldens.py)."""

from __future__ import annotations

import dataclasses
import random
import time
from pathlib import Path

import pytest
from PIL import Image

from phonesvc.display import render as r
from phonesvc.display.grid import Grid, Tile, layout
from phonesvc.domain.linestate import LineState as L
from phonesvc.domain.members import member_index
from phonesvc.domain.presence import Presence as P
from phonesvc.phonemodels import PhoneModel, find, load

DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"

# One model per family: services area 298x156 (16-bit), 298x168 (12-bit), 559x265, 498x289.
FAMILIES = ("7965G", "7970G", "8865", "9971")

NAMES = ("Anna", "Léonard", "Chloé", "Vlahović", "A&B<C>", "Bartholomew", "Gina", "Hugo", "Ines", "Jonas",
         "Karin", "Mia", "Noah", "Olga", "Paul", "Quinn", "Rosa", "Sven", "Tara", "Ute", "Willi", "Xenia",
         "Yusuf", "Zoë", "Ada", "Bea", "Carl", "Dora", "Emil", "Fritz")

PRESENCES = (P.AVAILABLE, P.AVAILABLE, P.AWAY, P.BUSY, P.AVAILABLE, P.DND, P.OFFLINE, P.AVAILABLE)
# (line state, symbol) cycled over the members of the larger groups.
STATES = ((L.IDLE, ""), (L.RINGING, "in"), (L.BUSY, "out_ext"), (L.IDLE, ""), (L.FORWARDING, "fwd:1"),
          (L.BUSY, "in_ext"), (L.OUT_OF_SERVICE, ""), (L.RINGING, "in_ext"), (L.IDLE, ""), (L.BUSY, "out"),
          (L.APP_FORWARDING, "fwd"), (L.IDLE, ""))


def tile(i: int, name: str, presence: P = P.AVAILABLE, state: L = L.IDLE, symbol: str = "",
         manager: bool = False) -> Tile:
    return Tile(member_index(i), name, manager, presence, state, symbol)


def members(n: int) -> tuple[Tile, ...]:
    return tuple(tile(i, NAMES[i - 1], PRESENCES[(i - 1) % len(PRESENCES)], *STATES[(i - 1) % len(STATES)],
                      manager=i == 1) for i in range(1, n + 1))


def every_state() -> tuple[Tile, ...]:
    """Every presence and every phone status; the manager first."""
    return (tile(1, "Anna", P.AVAILABLE, L.IDLE, manager=True),
            tile(2, "Ben", P.AWAY, L.RINGING, "in"),
            tile(3, "Chloé", P.BUSY, L.BUSY, "out"),
            tile(4, "Dmitri", P.DND, L.FORWARDING, "fwd:1"),
            tile(5, "Eva", P.OFFLINE, L.OUT_OF_SERVICE),
            tile(6, "Frank", P.AVAILABLE, L.APP_FORWARDING, "fwd"))


def calls_tiles() -> tuple[Tile, ...]:
    """Ringing internal and external calls in and out, forwarding to a member and to an outside number."""
    return (tile(1, "Anna", P.AVAILABLE, L.RINGING, "in", manager=True),
            tile(2, "Ben", P.AVAILABLE, L.RINGING, "in_ext"),
            tile(3, "Chloé", P.BUSY, L.RINGING, "out"),
            tile(4, "Dmitri", P.AWAY, L.RINGING, "out_ext"),
            tile(5, "Eva", P.DND, L.FORWARDING, "fwd:1"),
            tile(6, "Frank", P.AWAY, L.FORWARDING, "fwd"),
            tile(7, "Gina", P.AVAILABLE, L.BUSY, "in_ext"),
            tile(8, "Hugo", P.AVAILABLE, L.IDLE))


CALL_LINES = ("Anna ← Ben (2)", "Ben ← Müller & Söhne GmbH 0301234567")

SCENARIOS: dict[str, Grid] = {
    "empty": Grid("Empty group", ()),
    "1-member": Grid("Front desk", (tile(1, "Anna", P.AVAILABLE, L.IDLE, manager=True),)),
    "6-every-state": Grid("Sales", every_state()),
    "8-calls-on": Grid("Sales", calls_tiles(), CALL_LINES),
    "8-calls-off": Grid("Sales", calls_tiles()),
    "names": Grid("Geschäftsleitung & Assistenz <Zürich> – Empfang", (
        tile(1, "Léonard", P.AVAILABLE, L.IDLE, manager=True),
        tile(2, "Vlahović", P.AWAY, L.RINGING, "in_ext"),
        tile(3, "A&B<C>", P.BUSY, L.BUSY, "out"),
        tile(4, "Bartholomew", P.AVAILABLE, L.FORWARDING, "fwd:2"))),
    "18-members": Grid("Support", members(18)),
    "24-members": Grid("Support", members(24)),
    "24-members-calls": Grid("Support", members(24), (
        "Léonard ← Ben (2)", "Ines ← +41 44 123 45 67 Zürich Versicherungen AG, Abteilung Schadenfälle",
        "Olga ← 0301234567", "Willi ← 0897654321")),
    "30-members": Grid("Whole office", members(30)),
}


def model_like(base: str, width: int, rows: int = 1, columns: int = 6) -> PhoneModel:
    return dataclasses.replace(find(base), name=f"test-{width}", width=width, rows=rows, columns=columns)


# -- layout ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "rows_max", "cols_max", "expected"), [
    (0, 4, 6, (0, 0)), (1, 4, 6, (1, 1)), (2, 4, 6, (2, 1)), (4, 4, 6, (4, 1)), (5, 4, 6, (3, 2)),
    (6, 4, 6, (3, 2)), (7, 4, 6, (4, 2)), (9, 4, 6, (3, 3)), (13, 4, 6, (4, 4)), (18, 4, 6, (4, 5)),
    (24, 4, 6, (4, 6)), (30, 4, 6, (4, 6)), (3, 3, 6, (3, 1)), (4, 3, 6, (2, 2)), (6, 3, 6, (3, 2)),
    (10, 3, 6, (3, 4)), (18, 3, 6, (3, 6)), (24, 3, 6, (3, 6)),
])
def test_layout_fewest_columns_within_limits(n, rows_max, cols_max, expected):
    rows, cols = layout(n, rows_max, cols_max)
    assert (rows, cols) == expected
    if n:
        assert rows <= rows_max and cols <= cols_max
        assert rows * cols >= min(n, rows_max * cols_max) > (rows - 1) * cols  # no empty row


def test_layout_rejects_an_empty_model():
    with pytest.raises(ValueError):
        layout(3, 0, 6)


@pytest.mark.parametrize("symbol", ["x", "fwd:", "fwd:0", "fwd:ab", "in ", "ext"])
def test_tile_rejects_unknown_symbols(symbol):
    with pytest.raises(ValueError):
        Tile("1", "Anna", False, P.AVAILABLE, L.IDLE, symbol)


def test_tile_symbol_properties():
    assert Tile("1", "A", False, P.AVAILABLE, L.FORWARDING, "fwd:B").forward_to == "B"
    assert Tile("1", "A", False, P.AVAILABLE, L.FORWARDING, "fwd").forward_to == ""
    assert Tile("1", "A", False, P.AVAILABLE, L.BUSY, "in").forward_to is None
    assert Tile("1", "A", False, P.AVAILABLE, L.BUSY, "out_ext").external
    with pytest.raises(ValueError):
        Tile("0", "A", False, P.AVAILABLE, L.IDLE)


def test_members_beyond_the_limit_are_not_shown():
    for name, limit in (("7965G", 18), ("8865", 24)):
        p = r.plan(SCENARIOS["30-members"], find(name))
        assert [t.tile.index for t in p.tiles] == [member_index(i) for i in range(1, limit + 1)]
        assert p.more == f"+{30 - limit}"
    assert r.plan(SCENARIOS["24-members"], find("8865")).more == ""


def test_tiles_fill_rows_in_member_order_without_overlap():
    p = r.plan(SCENARIOS["18-members"], find("8865"))
    assert (p.rows, p.cols) == (4, 5)
    boxes = [t.box for t in p.tiles]
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert (a[1], a[0]) < (b[1], b[0])  # row by row, left to right
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


# -- drop order and overflow ---------------------------------------------------------------------------------

DROP_GRID = Grid("Drop", (
    tile(1, "Bartholomew", P.AVAILABLE, L.FORWARDING, "fwd:2", manager=True),
    tile(2, "Léonard", P.AWAY, L.RINGING, "in_ext"),
    tile(3, "Mia", P.BUSY, L.BUSY, "out"),
    tile(4, "Vlahović", P.DND, L.IDLE),
    tile(5, "A&B<C>", P.OFFLINE, L.OUT_OF_SERVICE),
    tile(6, "Zoë", P.AVAILABLE, L.BUSY, "in")))


def _gap_columns_untouched(image: Image.Image, p: r.Plan, model: PhoneModel) -> bool:
    """Nothing is drawn in the gaps between tiles (text never spills out of its tile): they keep the
    background colour as the model's display shows it."""
    rgb = image.convert("RGB")
    background = r.reduce_depth(Image.new("RGB", (1, 1), r.BACKGROUND), model).getpixel((0, 0))
    for a, b in zip(p.tiles, p.tiles[1:], strict=False):
        if a.box[1] != b.box[1]:
            continue
        for x in range(a.box[2] + 1, b.box[0]):
            for y in range(a.box[1], a.box[3] + 1):
                if rgb.getpixel((x, y)) != background:
                    return False
    return True


@pytest.mark.parametrize(("base", "widths"), [("7965G", range(399, 100, -3)), ("8865", range(1400, 400, -6))])
def test_information_is_dropped_in_the_manuals_order_as_tiles_narrow(base, widths):
    """Six tiles narrowed a few pixels at a time (in one family's sizes, so the font stays the same)."""
    seen_levels = set()
    previous = None
    for width in widths:
        p = r.plan(DROP_GRID, model_like(base, width, *((3, 2) if base == "7965G" else (1, 6))))
        levels = [t.level for t in p.tiles]
        seen_levels.update(levels)
        # The index shows only when every tile shows everything.
        assert p.show_index == all(t.index for t in p.tiles) == (set(levels) == {r.LEVEL_ALL})
        if p.show_index:
            assert all(t.symbol == t.tile.symbol and t.name == t.tile.short_name for t in p.tiles)
        for t in p.tiles:
            if t.level == r.LEVEL_NO_INDEX:  # symbol (if any) and the whole name
                assert t.symbol == t.tile.symbol and t.name == t.tile.short_name and not t.index
            if t.level == r.LEVEL_NO_SYMBOL:
                assert t.tile.symbol and not t.symbol and t.name == t.tile.short_name
            if t.level == r.LEVEL_CUT:  # the symbol went first; the name is cut to 3 characters when they fit
                assert not t.symbol
                assert t.name == t.tile.short_name[: len(t.name)] and len(t.name) <= 3
                if t.box[2] - t.split > 60:
                    assert len(t.name) == 3
        if previous:  # narrower tiles never show more
            assert all(now >= before for now, before in zip(levels, previous, strict=True))
        previous = levels
    assert seen_levels == {r.LEVEL_ALL, r.LEVEL_NO_INDEX, r.LEVEL_NO_SYMBOL, r.LEVEL_CUT}


@pytest.mark.parametrize("base", ["7965G", "8865"])
@pytest.mark.parametrize("width", [120, 200, 260, 298, 330, 400, 498, 559, 700])
def test_text_never_overflows_its_tile(base, width):
    model = model_like(base, width)
    p = r.plan(DROP_GRID, model)
    for t in p.tiles:
        x0, y0, x1, y1 = t.box
        assert t.split <= t.name_box[0] and t.name_box[2] <= x1, t
        if t.symbol_box:
            assert t.split <= t.symbol_box[0] and t.symbol_box[2] < t.name_box[0]
            assert y0 <= t.symbol_box[1] and t.symbol_box[3] <= y1
        if t.index:  # the index is centred in the left part
            assert r._extent(t.index, p.px, True, 1)[1] <= t.split - x0
    assert _gap_columns_untouched(r.render(DROP_GRID, model), p, model)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("scenario", ["24-members", "24-members-calls", "names"])
def test_scenarios_stay_inside_their_boxes(family, scenario):
    model = find(family)
    grid = SCENARIOS[scenario]
    p = r.plan(grid, model)
    for t in p.tiles:
        assert t.name_box[2] <= t.box[2] and t.box[2] < model.width and t.box[3] < model.height
    metrics = r.metrics(model.width)
    more_w = r._extent(p.more, metrics.title_px, True)[1] if p.more else 0
    assert r._extent(p.title, metrics.title_px, True)[1] + more_w < model.width
    for line, box in zip(p.calls, p.call_boxes, strict=True):
        assert r._extent(line, metrics.call_px)[1] <= box[2] - box[0] and box[3] < model.height
        assert not p.tiles or box[1] > p.tiles[-1].box[3]
    assert _gap_columns_untouched(r.render(grid, model), p, model)


def test_long_names_are_cut_and_long_titles_ellipsised():
    p = r.plan(SCENARIOS["24-members"], find("7965G"))
    by_index = {t.tile.index: t for t in p.tiles}
    assert by_index["6"].name == "Bar" and by_index["2"].name == "Léo" and by_index["4"].name == "Vla"
    assert by_index["5"].name == "A&B"
    p = r.plan(SCENARIOS["names"], find("8865"))
    assert [t.name for t in p.tiles] == ["Léonard", "Vlahović", "A&B<C>", "Bartholomew"]
    assert p.title == "Geschäftsleitung & Assistenz <Zürich> – Empfang"
    p = r.plan(SCENARIOS["names"], find("7965G"))
    assert p.title.startswith("Geschäftsleitung & Assistenz") and p.title.endswith("…")


def test_cut_keeps_combining_marks_with_their_letter():
    assert r._cut("Le\u0301onard", 3) == "Le\u0301o"
    grid = Grid("T", (tile(1, "Zoe\u0308"),))
    assert r.plan(grid, find("8865")).tiles[0].name == "Zoë"  # shown in NFC


def test_many_calls_end_with_a_count():
    calls = tuple(f"Member {i} ← 030123456{i}" for i in range(10))
    p = r.plan(Grid("Calls", members(18), calls), find("7965G"))
    assert 1 < len(p.calls) < 10 and p.calls[-1] == f"+{10 - len(p.calls) + 1} more calls"
    assert p.call_boxes[-1][3] < 156
    assert r.plan(Grid("Calls", members(18)), find("7965G")).calls == ()


# -- output per model -----------------------------------------------------------------------------------------

def test_every_model_gets_its_services_area_size():
    models = {m.name: m for m in load()[0].values()}
    assert len(models) == 24
    for model in models.values():
        image = r.render(SCENARIOS["24-members-calls"], model)
        assert image.mode == "RGB" and image.size == (model.width, model.height)
        with Image.open(__import__("io").BytesIO(r.png(image))) as decoded:
            assert decoded.format == "PNG" and decoded.size == (model.width, model.height)


def test_palette_survives_posterisation():
    for colour in (*r.PRESENCE_COLOURS.values(), *r.STATUS_COLOURS.values(), r.BACKGROUND, r.SYMBOL_EXTERNAL):
        assert all(v % 17 == 0 for v in colour)
    assert len(set(r.PRESENCE_COLOURS.values())) == len(r.PRESENCE_COLOURS)
    assert len({r.STATUS_COLOURS[s] for s in L if s != L.APP_FORWARDING}) == 5


def test_rendering_is_deterministic():
    grid, model = SCENARIOS["8-calls-on"], find("8865")
    first = r.png(r.render(grid, model))
    assert r.png(r.render(grid, model)) == first
    r.font.cache_clear()
    r._extent.cache_clear()
    assert r.png(r.render(grid, model)) == first
    assert b"tIME" not in first and b"tEXt" not in first and b"iTXt" not in first


def test_fonts_ship_with_their_licence():
    for name in (r.REGULAR_FONT, r.BOLD_FONT):
        assert (r.FONT_DIR / name).is_file()
    assert "Bitstream" in (r.FONT_DIR / "LICENSE").read_text(encoding="utf-8")
    assert r.font(12).layout_engine == r.ImageFont.Layout.BASIC


def test_cold_render_of_24_tiles_is_fast():
    """The target is 3 ms at 559x265 (fonts loaded, text measurements not cached); allow a slow machine 5x."""
    grid, model = SCENARIOS["24-members"], find("8865")
    r.render(grid, model)
    best = float("inf")
    for _ in range(15):
        r._extent.cache_clear()
        start = time.perf_counter()
        r.render(grid, model)
        best = min(best, time.perf_counter() - start)
    assert best < 0.015


# -- golden images --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s != "empty"])
def test_golden(golden, family, scenario):
    golden(f"{family}-{scenario}", r.render(SCENARIOS[scenario], find(family)))


def test_golden_empty_group(golden):
    golden("8865-empty", r.render(SCENARIOS["empty"], find("8865")))


def test_legend_image_for_the_docs(golden):
    """docs/status-display.md shows docs/images/legend.png (and, as examples, goldens from golden/)."""
    golden("legend", r.legend(), DOCS_IMAGES)


def test_golden_fixture_fails_on_missing_and_different_pictures(tmp_path):
    from tests.goldens import compare

    image = Image.new("RGB", (4, 3), (1, 2, 3))
    with pytest.raises(pytest.fail.Exception, match="missing"):
        compare(tmp_path / "a.png", image, False, tmp_path / "failures")
    compare(tmp_path / "a.png", image, True, tmp_path / "failures")  # --update-goldens writes it
    compare(tmp_path / "a.png", image, False, tmp_path / "failures")
    other = image.copy()
    other.putpixel((1, 1), (255, 255, 255))
    with pytest.raises(pytest.fail.Exception, match="1 pixels differ"):
        compare(tmp_path / "a.png", other, False, tmp_path / "failures")
    assert (tmp_path / "failures" / "a.actual.png").is_file() and (tmp_path / "failures" / "a.diff.png").is_file()
    with Image.open(tmp_path / "failures" / "a.diff.png") as diff:
        assert diff.convert("RGB").getpixel((1, 1)) == (255, 0, 0)


def test_random_groups_on_every_model_stay_inside_the_picture():
    rnd = random.Random(4)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèöüćčßØ&<>\"' -.WMmw0123456789"
    symbols = ["", "in", "out", "in_ext", "out_ext", "fwd", "fwd:1", "fwd:Z"]
    models = sorted({m.name: m for m in load()[0].values()}.values(), key=lambda m: m.name)
    for _ in range(60):
        n = rnd.randint(0, 35)
        tiles = tuple(Tile(member_index(i), "".join(rnd.choices(alphabet, k=rnd.randint(1, 12))), rnd.random() < .2,
                           rnd.choice(list(P)), rnd.choice(list(L)), rnd.choice(symbols)) for i in range(1, n + 1))
        calls = tuple("".join(rnd.choices(alphabet, k=rnd.randint(1, 90))) for _ in range(rnd.choice([0, 0, 1, 3, 9])))
        grid = Grid("".join(rnd.choices(alphabet, k=rnd.randint(0, 60))), tiles, calls)
        model = rnd.choice(models)
        p = r.plan(grid, model)
        assert len(p.tiles) == min(n, model.rows * model.columns)
        for t in p.tiles:
            assert t.box[0] >= 0 and t.box[2] < model.width and t.box[1] > 0 and t.box[3] < model.height
            assert t.split <= t.name_box[0] and t.name_box[2] <= t.box[2] and t.name
            assert r._extent(t.name, p.px)[1] <= t.box[2] - t.split
        for box in p.call_boxes:
            assert box[3] < model.height
        image = r.render(grid, model)
        assert image.size == (model.width, model.height)
        assert _gap_columns_untouched(image, p, model)


@pytest.mark.parametrize("display", ["1,1,24,C", "99,200,24,C", "133,65,2,G", "200,60,24,C", "600,61,12,C"])
def test_odd_display_headers_still_give_a_picture_of_their_size(display):
    model = find("CP-9999", display)
    for grid in (SCENARIOS["24-members-calls"], SCENARIOS["names"], SCENARIOS["empty"]):
        image = r.render(grid, model)
        assert image.size == (model.width, model.height)


def test_docs_state_the_palette_the_code_draws():
    text = (Path(__file__).resolve().parent.parent / "docs" / "status-display.md").read_text(encoding="utf-8")
    for colour in (*r.PRESENCE_COLOURS.values(), *r.STATUS_COLOURS.values()):
        assert "`#{:02X}{:02X}{:02X}`".format(*colour) in text
    assert "images/legend.png" in text
    for image in ("8865-8-calls-on", "8865-24-members", "9971-6-every-state", "7965G-names", "7970G-24-members-calls"):
        assert f"../golden/{image}.png" in text and (r.FONT_DIR.parents[2] / "golden" / f"{image}.png").is_file()
