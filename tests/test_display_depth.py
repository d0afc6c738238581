"""The status display reduced to the colour depth of the phone's display (Cisco's Application Development
Notes, table of services areas: 7945G/7965G/7975G 16-bit colour, 7970G/7971G 12-bit, IP Communicator and
the 88xx/89xx/99xx 24-bit, 7941G/7942G/7961G/7962G 4-bit grey): every pixel is a colour the display has,
and the presence and phone-status colours stay distinguishable after the reduction."""

from __future__ import annotations

import pytest
from PIL import Image

from phonesvc.display import render as r
from phonesvc.domain.linestate import LineState as L
from phonesvc.domain.presence import Presence as P
from phonesvc.phonemodels import find, load
from tests.test_display_render import SCENARIOS

LEVELS_4, LEVELS_5, LEVELS_6 = (set(r.channel_levels(bits)) for bits in (4, 5, 6))
GREY_7961 = "298,144,4,G"  # what a 7961G announces in x-CiscoIPPhoneDisplay: 4-bit greyscale
# Displays by what they show: a known model, or an unknown one by its x-CiscoIPPhoneDisplay header.
DISPLAYS = {"16-bit": find("7965G"), "12-bit": find("7970G"), "24-bit": find("8865"),
            "4-bit grey": find("CP-7961G", GREY_7961)}


def pixels(image: Image.Image) -> set[tuple[int, int, int]]:
    rgb = image.convert("RGB")
    return {colour for _, colour in rgb.getcolors(rgb.width * rgb.height)}


def shown(colour: tuple[int, int, int], display: str) -> tuple[int, int, int]:
    """A palette colour as the display shows it."""
    return r.reduce_depth(Image.new("RGB", (1, 1), colour), DISPLAYS[display]).getpixel((0, 0))


def test_the_levels_of_a_channel():
    assert r.channel_levels(4) == [round(v / 17) * 17 for v in range(256)]
    assert sorted(LEVELS_5) == [round(i * 255 / 31) for i in range(32)]
    assert len(LEVELS_6) == 64 and min(LEVELS_6) == 0 and max(LEVELS_6) == 255
    assert r.colour_bits(16) == (5, 6, 5) and r.colour_bits(12) == (4, 4, 4) and r.colour_bits(2) == (1, 1, 1)


@pytest.mark.parametrize("name", ["7945G", "7965G", "7975G"])
def test_16_bit_models_get_rgb565(name):
    model = find(name)
    assert (model.color_bits, model.grey) == (16, False)
    colours = pixels(r.render(SCENARIOS["24-members-calls"], model))
    assert all(red in LEVELS_5 and green in LEVELS_6 and blue in LEVELS_5 for red, green, blue in colours)
    assert len(colours) > 20  # anti-aliased text keeps its in-between shades, in the display's steps


@pytest.mark.parametrize("name", ["7970G", "7971G-GE"])
def test_12_bit_models_get_16_levels_per_channel(name):
    colours = pixels(r.render(SCENARIOS["24-members"], find(name)))
    assert all(set(colour) <= LEVELS_4 for colour in colours)


def test_24_bit_models_are_untouched():
    for model in {m.name: m for m in load()[0].values()}.values():
        if model.color_bits == 24:
            image = r.render(SCENARIOS["24-members"], model)
            assert r.reduce_depth(image, model) is image
    colours = pixels(r.render(SCENARIOS["24-members"], find("IP Communicator")))  # same size as a 7975G
    assert not all(red in LEVELS_5 and green in LEVELS_6 and blue in LEVELS_5 for red, green, blue in colours)


@pytest.mark.parametrize(("display", "levels"), [(GREY_7961, 16), ("133,65,2,G", 4), ("298,144,1,G", 2),
                                                 ("298,144,8,G", 256)])
def test_a_greyscale_phone_gets_the_grey_levels_of_its_depth(display, levels):
    model = find("CP-7961G", display)
    assert model.grey
    colours = pixels(r.render(SCENARIOS["24-members-calls"], model))
    greys = {red for red, green, blue in colours if red == green == blue}
    assert len(greys) == len(colours)  # grey only
    assert greys <= set(r.channel_levels({16: 4, 4: 2, 2: 1, 256: 8}[levels]))
    assert len(greys) >= min(levels, 3)


def test_a_colour_phone_announced_by_its_header_gets_its_depth():
    model = find("CP-9999", "559,265,16,C")
    assert (model.color_bits, model.grey) == (16, False)
    colours = pixels(r.render(SCENARIOS["8-calls-on"], model))
    assert all(red in LEVELS_5 and green in LEVELS_6 and blue in LEVELS_5 for red, green, blue in colours)


@pytest.mark.parametrize("display", DISPLAYS)
def test_presence_and_phone_status_stay_distinguishable(display):
    """Each part's colours stay apart once reduced (on the 4-bit grey display, by at least one of its 16
    grey levels), and the tiles of a picture show exactly those colours."""
    presence = {p: shown(r.PRESENCE_COLOURS[p], display) for p in P}
    status = {s: shown(r.STATUS_COLOURS[s], display) for s in L if s != L.APP_FORWARDING}  # drawn as FORWARDING
    assert len(set(presence.values())) == len(presence)
    assert len(set(status.values())) == len(status)
    assert shown(r.SYMBOL_EXTERNAL, display) != shown(r.SYMBOL, display)  # an external call's arrow
    if display == "4-bit grey":
        for colours in (presence.values(), status.values()):
            greys = sorted(red for red, _, _ in colours)
            assert min(b - a for a, b in zip(greys, greys[1:], strict=False)) >= 17
    # Every presence and every phone status in one picture: sample the middle of each tile's parts.
    model = DISPLAYS[display]
    grid = SCENARIOS["6-every-state"]
    image = r.render(grid, model)
    for t in r.plan(grid, model).tiles:
        x0, y0, x1, y1 = t.box
        assert image.getpixel((x0 + 1, y0 + 1)) == presence[t.tile.presence]
        line_state = L.FORWARDING if t.tile.line_state == L.APP_FORWARDING else t.tile.line_state
        assert image.getpixel((x1 - 1, y1 - 1)) == status[line_state]


@pytest.mark.parametrize("scenario", ["6-every-state", "24-members-calls"])
def test_golden_on_a_4_bit_grey_display(golden, scenario):
    golden(f"grey4-{scenario}", r.render(SCENARIOS[scenario], DISPLAYS["4-bit grey"]))
