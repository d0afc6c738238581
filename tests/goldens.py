"""Golden images: `golden(name, image)` compares decoded pixels with golden/<name>.png.

Loaded as a plugin (`-p tests.goldens` in pyproject's addopts) so that `--update-goldens` is known
wherever pytest starts. A missing golden fails; a differing one fails and leaves the actual picture and
a diff (differing pixels in red on a faded copy of the golden) under pytest's temporary directory.
Goldens are written only with `--update-goldens`, and only when their pixels change: look at every
picture written before committing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="write golden images (golden/*.png, docs/images/*.png) from the current renderer")


def _png_bytes(image: Image.Image) -> bytes:
    from phonesvc.display.render import png

    return png(image)


def diff_image(expected: Image.Image, actual: Image.Image) -> Image.Image:
    """Differing pixels in red over a faded grey copy of the expected picture."""
    if expected.size != actual.size:
        return actual.convert("RGB")
    mask = ImageChops.difference(expected, actual).convert("L").point(lambda v: 255 if v else 0)
    base = Image.blend(ImageOps.grayscale(expected).convert("RGB"), Image.new("RGB", expected.size, "white"), 0.6)
    base.paste((255, 0, 0), mask=mask)
    return base


def compare(path: Path, image: Image.Image, update: bool, failures: Path) -> None:
    """Fail unless `image` has exactly the pixels of the PNG at `path` (write it when updating)."""
    actual = image.convert("RGB")
    expected = None
    if path.exists():
        with Image.open(path) as stored:
            expected = stored.convert("RGB")
    same = expected is not None and expected.size == actual.size and \
        ImageChops.difference(expected, actual).getbbox() is None
    if same:
        return
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_png_bytes(actual))
        return
    if expected is None:
        pytest.fail(f"golden {path} is missing: run pytest with --update-goldens, then look at the picture")
    failures.mkdir(parents=True, exist_ok=True)
    actual_path = failures / f"{path.stem}.actual.png"
    diff_path = failures / f"{path.stem}.diff.png"
    actual_path.write_bytes(_png_bytes(actual))
    diff_path.write_bytes(_png_bytes(diff_image(expected, actual)))
    if expected.size != actual.size:
        detail = f"size {actual.size} instead of {expected.size}"
    else:
        mask = ImageChops.difference(expected, actual).convert("L").point(lambda v: 255 if v else 0)
        detail = f"{mask.histogram()[255]} pixels differ in {mask.getbbox()}"
    pytest.fail(f"{path.name}: {detail}; actual picture {actual_path}, diff {diff_path} "
                f"(run with --update-goldens once the new picture is right)")


@pytest.fixture
def golden(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., None]:
    """golden(name, image[, directory]): compare with <directory or golden/>/<name>.png."""
    update = bool(request.config.getoption("--update-goldens"))
    failures = tmp_path_factory.getbasetemp() / "golden-failures"

    def check(name: str, image: Image.Image, directory: Path = GOLDEN_DIR) -> None:
        if not _NAME.fullmatch(name):
            raise ValueError(f"golden name {name!r}: letters, digits, '_', '.', '-'")
        compare(directory / f"{name}.png", image, update, failures)

    return check
