"""Draw a status-display `Grid` for a phone model: a pure, deterministic function to a Pillow image.

`plan(grid, model)` decides the geometry (rows and columns, tile boxes, what each tile shows);
`render(grid, model)` draws that plan; `png(image)` encodes it with fixed settings. The same grid and
model give the same pixels on any machine: the fonts ship in `fonts/`, text uses Pillow's BASIC layout
engine, and Pillow (with the FreeType it bundles) is pinned.

A tile: the left part shows the member's index on the colour of the member's presence (the manager's
index white, the others' black); the right part shows the call-state symbol and the short name on the
colour of the phone status. As tiles narrow, information goes in the manual's order: the index shows only
when every tile has room for everything (without it a narrow presence strip stays); then, tile by tile,
the symbol goes; last, a short name that still does not fit is cut to 3 characters.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from phonesvc.display.grid import Grid, Tile, layout
from phonesvc.domain.linestate import LineState
from phonesvc.domain.presence import Presence
from phonesvc.phonemodels import PhoneModel

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR_FONT = "DejaVuSans.ttf"
BOLD_FONT = "DejaVuSans-Bold.ttf"

Colour = tuple[int, int, int]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1, inclusive (as ImageDraw.rectangle and Cisco's TouchArea)

# Every colour is a multiple of 0x11 per channel, so the 12-bit 7970/7971 show it exactly; on 16-bit and
# greyscale displays (reduce_depth) the colours of each part stay distinct (tests/test_display_depth.py).
# Left part, saturated: the member's presence.
PRESENCE_COLOURS: dict[Presence, Colour] = {
    Presence.AVAILABLE: (0x22, 0xBB, 0x33),  # green
    Presence.AWAY: (0xFF, 0xBB, 0x00),  # amber
    Presence.BUSY: (0xEE, 0x33, 0x22),  # red
    Presence.DND: (0xBB, 0x55, 0xEE),  # violet
    Presence.OFFLINE: (0x99, 0x99, 0x99),  # grey ("Unavailable")
}
# Right part, pale (black text and blue symbols read on each): the phone status.
STATUS_COLOURS: dict[LineState, Colour] = {
    LineState.IDLE: (0xDD, 0xFF, 0xDD),  # pale green
    LineState.RINGING: (0xFF, 0xEE, 0x44),  # yellow
    LineState.BUSY: (0xFF, 0xAA, 0x99),  # salmon
    LineState.OUT_OF_SERVICE: (0x88, 0x88, 0x88),  # grey
    LineState.FORWARDING: (0xAA, 0xDD, 0xFF),  # pale blue
    LineState.APP_FORWARDING: (0xAA, 0xDD, 0xFF),
}
BACKGROUND: Colour = (0x22, 0x22, 0x22)
TITLE_BACKGROUND: Colour = (0x11, 0x33, 0x66)
TITLE_TEXT: Colour = (0xFF, 0xFF, 0xFF)
MORE_TEXT: Colour = (0xBB, 0xCC, 0xDD)
NAME_TEXT: Colour = (0x00, 0x00, 0x00)
MEMBER_INDEX: Colour = (0x00, 0x00, 0x00)
MANAGER_INDEX: Colour = (0xFF, 0xFF, 0xFF)  # with a black outline, so it reads on every presence colour
SYMBOL: Colour = (0x00, 0x00, 0x00)
SYMBOL_EXTERNAL: Colour = (0x00, 0x33, 0xEE)  # blue: an external call
CALL_TEXT: Colour = (0xFF, 0xEE, 0x44)  # "Show call information" lines, yellow as a ringing tile

LEVEL_ALL, LEVEL_NO_INDEX, LEVEL_NO_SYMBOL, LEVEL_CUT = 0, 1, 2, 3
MIN_WIDTH, MIN_HEIGHT, MIN_PX = 100, 60, 8  # smaller services areas get an empty picture
CUT_LENGTH = 3  # the manual: the short name "might be shortened to the first three characters"


@dataclass(frozen=True)
class Metrics:
    """Sizes in pixels for one services area."""

    px: int  # tile text (short name, index)
    title_px: int
    call_px: int
    margin: int
    gap: int  # between tiles, and between the title, the grid and the call lines
    title_h: int
    strip: int  # presence strip when the index is hidden


def metrics(width: int) -> Metrics:
    if width < 400:  # 79xx, IP Communicator: 298 pixels
        return Metrics(px=14, title_px=12, call_px=11, margin=2, gap=2, title_h=17, strip=5)
    return Metrics(px=18, title_px=16, call_px=15, margin=3, gap=3, title_h=23, strip=7)  # 88xx/89xx/99xx


@dataclass(frozen=True)
class TilePlan:
    tile: Tile
    box: Box  # the whole tile
    split: int  # first x of the right part (status colour); the left part (presence colour) is before it
    index: str  # as drawn; "" when hidden
    symbol: str  # as drawn; "" when hidden
    symbol_box: Box | None
    name: str  # as drawn (possibly cut)
    name_box: Box  # ink extent of the name
    level: int  # LEVEL_ALL (index shown), LEVEL_NO_INDEX, LEVEL_NO_SYMBOL (symbol dropped), LEVEL_CUT (name cut)

    @property
    def touch_area(self) -> Box:
        return self.box


@dataclass(frozen=True)
class Plan:
    width: int
    height: int
    rows: int
    cols: int
    px: int  # tile font size
    level: int  # the highest tile level: LEVEL_ALL, LEVEL_NO_INDEX, LEVEL_NO_SYMBOL or LEVEL_CUT
    title: str  # as drawn (ellipsised when too long)
    more: str  # "+6" when members beyond rows x columns are not shown, else ""
    tiles: tuple[TilePlan, ...]
    calls: tuple[str, ...]  # call lines as drawn
    call_boxes: tuple[Box, ...]

    @property
    def show_index(self) -> bool:
        return self.level == LEVEL_ALL


@functools.cache
def font(px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / (BOLD_FONT if bold else REGULAR_FONT)), px,
                              layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=16384)
def _extent(text: str, px: int, bold: bool = False, stroke: int = 0) -> tuple[int, int]:
    """(shift, width): draw at x + shift (anchor 'l') and the ink covers exactly x .. x + width - 1."""
    if not text:
        return 0, 0
    left, _, right, _ = font(px, bold).getbbox(text, anchor="lm", stroke_width=stroke)  # covers the advance too
    left = min(left, 0)
    return -left, right - left


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _cut(text: str, n: int) -> str:
    """The first n characters, keeping combining marks with their letter."""
    count, end = 0, 0
    for i, ch in enumerate(text):
        if not unicodedata.combining(ch):
            if count == n:
                break
            count += 1
        end = i + 1
    return text[:end]


def _fit(text: str, px: int, bold: bool, room: int, ellipsis: str = "") -> str:
    """The longest prefix of text (plus ellipsis when cut) whose ink fits in room pixels."""
    if _extent(text, px, bold)[1] <= room:
        return text
    lo, hi = 0, len(text)  # a prefix of length lo fits, hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _extent(text[:mid].rstrip() + ellipsis, px, bold)[1] <= room:
            lo = mid
        else:
            hi = mid
    cut = text[:lo].rstrip()
    if ellipsis:
        cut = cut.rstrip(" -–—,;:/&")
    if cut and ellipsis:
        return cut + ellipsis
    return cut if _extent(cut, px, bold)[1] <= room else ""


def _symbol_size(px: int) -> int:
    return max(8, round(px * 0.8))


def _symbol_width(symbol: str, px: int) -> int:
    if not symbol:
        return 0
    s = _symbol_size(px)
    if symbol.startswith("fwd:"):
        return s + 1 + _extent(symbol[4:], px, True)[1]
    return s


def plan(grid: Grid, model: PhoneModel) -> Plan:
    """Where everything goes for this grid on this model (pure; no drawing)."""
    m = metrics(model.width)
    width, height = model.width, model.height
    limit = model.rows * model.columns
    if width < MIN_WIDTH or height < MIN_HEIGHT:  # an implausible services area: only the background
        return Plan(width, height, 0, 0, m.px, LEVEL_ALL, "", "", (), (), ())
    shown = grid.tiles[:limit]
    rows, cols = layout(len(shown), model.rows, model.columns)
    more = f"+{len(grid.tiles) - limit}" if len(grid.tiles) > limit else ""

    more_w = _extent(more, m.title_px, True)[1] + m.gap * 2 if more else 0
    title = _fit(_nfc(grid.title), m.title_px, True, width - 2 * (m.margin + 2) - more_w, "…")

    body_top = m.title_h + m.gap
    body_h = height - m.margin - body_top
    body_w = width - 2 * m.margin
    row_h = (body_h - (model.rows - 1) * m.gap) // model.rows

    calls: tuple[str, ...] = ()
    call_boxes: tuple[Box, ...] = ()
    if grid.calls:
        line_h = m.call_px + 4
        min_row = m.px + 8
        room = body_h - rows * min_row - max(rows - 1, 0) * m.gap - (m.gap if rows else 0)
        fit_lines = max(1, room // line_h)
        lines = [_nfc(c) for c in grid.calls]
        if len(lines) > fit_lines:
            rest = len(lines) - (fit_lines - 1)
            lines = lines[: fit_lines - 1] + [f"+{rest} more calls"]
        band = len(lines) * line_h
        if rows:
            row_h = min(row_h, (body_h - band - m.gap - (rows - 1) * m.gap) // rows)
        y = body_top + (rows * row_h + (rows - 1) * m.gap + m.gap if rows else 0)
        boxes = []
        for i, line in enumerate(lines):
            lines[i] = _fit(line, m.call_px, False, body_w - 4, "…")
            boxes.append((m.margin, y + i * line_h, width - m.margin - 1, y + (i + 1) * line_h - 1))
        calls, call_boxes = tuple(lines), tuple(boxes)

    row_h = max(row_h, 1)
    px = max(MIN_PX, min(m.px, row_h - 6))
    pad = max(2, px // 4)
    xs = [m.margin + (c * (body_w + m.gap)) // cols for c in range(cols + 1)] if cols else [m.margin]
    tile_w = min((xs[c + 1] - m.gap - xs[c] for c in range(cols)), default=0)

    names = [_nfc(t.short_name) for t in shown]
    name_ws = [_extent(n, px)[1] for n in names]
    symbol_ws = [_symbol_width(t.symbol, px) for t in shown]
    index_w = max((_extent(t.index, px, True, 1 if t.manager else 0)[1] for t in shown), default=0) \
        + 2 * max(3, px // 3)

    def need(left: int, symbol_w: int, name_w: int) -> int:
        return left + pad + (symbol_w + pad if symbol_w else 0) + name_w + pad

    # The index shows only when every tile has room for everything; then, tile by tile, the symbol goes
    # before the name is cut.
    show_index = all(need(index_w, sw, nw) <= tile_w for sw, nw in zip(symbol_ws, name_ws, strict=True))
    left_w = index_w if show_index else m.strip
    tiles = []
    for i, (tile, name) in enumerate(zip(shown, names, strict=True)):
        r, c = divmod(i, cols)
        x0, x1 = xs[c], xs[c + 1] - m.gap - 1
        y0 = body_top + r * (row_h + m.gap)
        y1 = y0 + row_h - 1
        split = min(x0 + left_w, x1)
        x = split + pad
        room = x1 - pad - x + 1  # for the symbol and the name
        symbol_w, name_w = symbol_ws[i], name_ws[i]
        symbol, symbol_box = "", None
        if symbol_w and symbol_w + pad + name_w <= room:
            s = _symbol_size(px)
            cy = (y0 + y1 + 1) // 2
            symbol, symbol_box = tile.symbol, (x, cy - s // 2, x + symbol_w - 1, cy - s // 2 + s - 1)
            x += symbol_w + pad
            room -= symbol_w + pad
        elif name_w > room:
            name = _fit(_cut(name, CUT_LENGTH), px, False, room)
            name_w = _extent(name, px)[1]
        if show_index:
            level = LEVEL_ALL
        elif name != names[i]:
            level = LEVEL_CUT
        elif symbol_w and not symbol:
            level = LEVEL_NO_SYMBOL
        else:
            level = LEVEL_NO_INDEX
        tiles.append(TilePlan(tile, (x0, y0, x1, y1), split, tile.index if show_index else "", symbol, symbol_box,
                              name, (x, y0, x + name_w - 1, y1), level))
    level = max((t.level for t in tiles), default=LEVEL_ALL)
    return Plan(width, height, rows, cols, px, level, title, more, tuple(tiles), calls, call_boxes)


def _draw_symbol(draw: ImageDraw.ImageDraw, symbol: str, box: Box, px: int) -> None:
    """Vector call-state symbols: incoming (down-left arrow), outgoing (up-right arrow), forwarding
    (right arrow, then the destination's index); call arrows are blue for an external call."""
    x0, y0 = box[0], box[1]
    s = _symbol_size(px)
    x1, y1 = x0 + s - 1, y0 + s - 1
    lw = max(2, round(s / 5))
    head = max(4, round(s * 0.6))
    colour = SYMBOL_EXTERNAL if symbol.endswith("_ext") else SYMBOL
    if symbol.startswith("in"):  # tip at the bottom left
        draw.line((x1, y0, x0 + head // 3, y1 - head // 3), fill=colour, width=lw)
        draw.polygon(((x0, y1), (x0, y1 - head), (x0 + head, y1)), fill=colour)
    elif symbol.startswith("out"):  # tip at the top right
        draw.line((x0, y1, x1 - head // 3, y0 + head // 3), fill=colour, width=lw)
        draw.polygon(((x1, y0), (x1 - head, y0), (x1, y0 + head)), fill=colour)
    else:  # forwarding
        cy = (y0 + y1) // 2
        half = max(3, round(head * 0.55))
        draw.rectangle((x0, cy - lw // 2, x1 - head // 2, cy - lw // 2 + lw - 1), fill=colour)
        draw.polygon(((x1, cy), (x1 - head + 1, cy - half), (x1 - head + 1, cy + half)), fill=colour)
        if symbol.startswith("fwd:"):
            target = symbol[4:]
            shift, _ = _extent(target, px, True)
            draw.text((x1 + 2 + shift, cy), target, font=font(px, True), fill=colour, anchor="lm")


def channel_levels(bits: int) -> list[int]:
    """For each 8-bit value, the nearest of the 2**bits levels of a `bits`-bit channel, as 8-bit again
    (4 bits: 0x00, 0x11, ..., 0xFF; 5 bits: 0, 8, 16, ... 255)."""
    top = (1 << bits) - 1
    return [round(round(v * top / 255) * 255 / top) for v in range(256)]


def colour_bits(depth: int) -> tuple[int, int, int]:
    """Bits per channel (red, green, blue) of a colour display of `depth` bits: 16 is RGB565 (green has
    the extra bit, as in every 16-bit display), 12 is 4 bits each; at least 1 bit, at most 8."""
    base = min(max(depth // 3, 1), 8)
    return base, min(max(depth - 2 * base, 1), 8), base


@functools.cache
def _depth_table(depth: int, grey: bool) -> list[int] | None:
    """The Image.point table that reduces a picture to the display's depth; None: nothing to reduce."""
    if grey:
        return None if depth >= 8 else channel_levels(max(depth, 1))
    if depth >= 24:
        return None
    red, green, blue = colour_bits(depth)
    return channel_levels(red) + channel_levels(green) + channel_levels(blue)


def reduce_depth(image: Image.Image, model: PhoneModel) -> Image.Image:
    """`image` (RGB) with only the colours the model's display shows, rounded to the nearest, as an RGB
    picture: RGB565 on 16-bit models, 16 levels per channel on the 12-bit 7970G/7971G-GE, the grey
    levels of its depth on a greyscale display (luminance, ITU-R 601), unchanged at 24 bits. Cisco: a
    picture with more colours "will be dithered by the phone and yield less than desirable results";
    rounded here, the tile colours stay flat and the goldens show what the phone shows."""
    table = _depth_table(model.color_bits, model.grey)
    if model.grey:
        grey = image.convert("L")
        return (grey.point(table) if table else grey).convert("RGB")
    return image.point(table) if table else image


def render(grid: Grid, model: PhoneModel) -> Image.Image:
    """The status display of `grid` as an RGB image of the model's services-area size."""
    p = plan(grid, model)
    m = metrics(model.width)
    image = Image.new("RGB", (p.width, p.height), BACKGROUND)
    draw = ImageDraw.Draw(image)

    if p.width < MIN_WIDTH or p.height < MIN_HEIGHT:
        return image
    draw.rectangle((0, 0, p.width - 1, m.title_h - 1), fill=TITLE_BACKGROUND)
    title_font = font(m.title_px, True)
    if p.title:
        draw.text((m.margin + 2 + _extent(p.title, m.title_px, True)[0], m.title_h // 2), p.title, font=title_font,
                  fill=TITLE_TEXT, anchor="lm")
    if p.more:
        draw.text((p.width - m.margin - 2, m.title_h // 2), p.more, font=title_font, fill=MORE_TEXT, anchor="rm")

    if not p.tiles:
        draw.text((p.width // 2, (m.title_h + p.height) // 2), "No members", font=font(m.px), fill=MORE_TEXT,
                  anchor="mm")
    tile_font, index_font = font(p.px), font(p.px, True)
    for t in p.tiles:
        x0, y0, x1, y1 = t.box
        cy = (y0 + y1 + 1) // 2
        draw.rectangle((x0, y0, t.split - 1, y1), fill=PRESENCE_COLOURS[t.tile.presence])
        draw.rectangle((t.split, y0, x1, y1), fill=STATUS_COLOURS[t.tile.line_state])
        if t.index:
            if t.tile.manager:
                draw.text(((x0 + t.split) // 2, cy), t.index, font=index_font, fill=MANAGER_INDEX, anchor="mm",
                          stroke_width=1, stroke_fill=MEMBER_INDEX)
            else:
                draw.text(((x0 + t.split) // 2, cy), t.index, font=index_font, fill=MEMBER_INDEX, anchor="mm")
        if t.symbol_box:
            _draw_symbol(draw, t.symbol, t.symbol_box, p.px)
        if t.name:
            draw.text((t.name_box[0] + _extent(t.name, p.px)[0], cy), t.name, font=tile_font, fill=NAME_TEXT,
                      anchor="lm")

    call_font = font(m.call_px)
    for line, (bx0, by0, _, by1) in zip(p.calls, p.call_boxes, strict=True):
        draw.text((bx0 + 2 + _extent(line, m.call_px)[0], (by0 + by1 + 1) // 2), line, font=call_font, fill=CALL_TEXT,
                  anchor="lm")

    return reduce_depth(image, model)


def png(image: Image.Image) -> bytes:
    """PNG bytes with fixed settings and no metadata (no time, no text chunks)."""
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def legend(width: int = 600) -> Image.Image:
    """The palette and the symbols, labelled, in two columns: for the documentation."""
    m = metrics(width)
    px = m.px
    row_h = px + 10
    label_font, head_font = font(m.call_px), font(m.call_px, True)
    presence = ("Left part: presence", [(p.label, PRESENCE_COLOURS[p]) for p in Presence])
    status = ("Right part: phone status", [
        ("Idle", STATUS_COLOURS[LineState.IDLE]), ("Ringing", STATUS_COLOURS[LineState.RINGING]),
        ("Busy", STATUS_COLOURS[LineState.BUSY]), ("Forwarding", STATUS_COLOURS[LineState.FORWARDING]),
        ("Out of service", STATUS_COLOURS[LineState.OUT_OF_SERVICE])])
    symbols = ("Call-state symbols", [
        ("Incoming call, internal", "in"), ("Incoming call, external", "in_ext"),
        ("Outgoing call, internal", "out"), ("Outgoing call, external", "out_ext"),
        ("Forwarding to member 3", "fwd:3"), ("Forwarding, not to a member", "fwd")])
    index = ("Index", [("Manager", "manager"), ("Other members", "member")])
    columns = ((presence, index), (status, symbols))

    def column_height(sections: tuple) -> int:
        return sum(row_h + len(items) * row_h + 6 for _, items in sections)

    height = max(column_height(c) for c in columns) + 4
    image = Image.new("RGB", (width, height), (0xFF, 0xFF, 0xFF))
    draw = ImageDraw.Draw(image)
    swatch_w = 2 * px + 8
    for col, sections in enumerate(columns):
        left = 4 + col * (width // 2)
        y = 4
        for heading, items in sections:
            draw.text((left, y + row_h // 2), heading, font=head_font, fill=(0, 0, 0), anchor="lm")
            y += row_h
            for label, what in items:
                box = (left + 4, y + 2, left + 4 + swatch_w - 1, y + row_h - 3)
                cx, cy = (box[0] + box[2] + 1) // 2, (box[1] + box[3] + 1) // 2
                if isinstance(what, tuple):
                    draw.rectangle(box, fill=what, outline=(0x66, 0x66, 0x66))
                elif what in ("manager", "member"):
                    draw.rectangle(box, fill=PRESENCE_COLOURS[Presence.AWAY], outline=(0x66, 0x66, 0x66))
                    if what == "manager":
                        draw.text((cx, cy), "1", font=font(px, True), fill=MANAGER_INDEX, anchor="mm", stroke_width=1,
                                  stroke_fill=MEMBER_INDEX)
                    else:
                        draw.text((cx, cy), "2", font=font(px, True), fill=MEMBER_INDEX, anchor="mm")
                else:
                    draw.rectangle(box, fill=STATUS_COLOURS[LineState.IDLE], outline=(0x66, 0x66, 0x66))
                    s = _symbol_size(px)
                    w = _symbol_width(str(what), px)
                    _draw_symbol(draw, str(what), (cx - w // 2, cy - s // 2, 0, 0), px)
                draw.text((box[2] + 10, y + row_h // 2), label, font=label_font, fill=(0, 0, 0), anchor="lm")
                y += row_h
            y += 6
    return image
