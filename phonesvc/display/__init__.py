"""The phone status display: a group's members as a grid of tiles, rendered to a PNG per phone model.

`grid` describes what to draw (no I/O); `render` draws it with Pillow, deterministically.
"""

from phonesvc.display.grid import Grid, Tile, layout

__all__ = ["Grid", "Tile", "layout"]
