"""Golden screenshots of the phone preview: the main screens (main menu, status display, a form) on one model
of each family (7965, 7970, 8865, 9971), photographed by the Camera of `phonesvc preview-shot` on a fresh demo
database and compared pixel by pixel with golden/preview-*.png (a missing golden fails; --update-goldens
writes them). docs/phone-services.md shows them. And the command itself, as an administrator runs it."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from PIL import Image

from phonesvc.config import load_settings
from phonesvc.preview_shot import Camera
from phonesvc.store import demo
from phonesvc.store.prepare import prepare

SRC = "/Applications/inbound/MAGroup/src"
MODELS = {"7965": "CP-7965G", "7970": "CP-7970G", "8865": "CP-8865", "9971": "CP-9971"}
SCREENS = {  # name: (device, URL); the demo's manager Tijana, assistant Rafael (member 2), member San
    "menu": ("SEP000000001047", f"{SRC}/PhoneMenu.asp?device=SEP000000001047"),
    "status": ("SEP000000001072", f"{SRC}/StatusDisplay.asp?device=SEP000000001072"),
    "form": ("SEP000000001175", f"{SRC}/IndependentServices.asp?action=forwardNumber&mb=2&device=SEP000000001175"),
}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("shots") / "data"
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(data_dir)})
    store = prepare(settings)
    with store.write() as conn:
        demo.load(conn, {k: settings.audio_dir(settings.ma_instance, k) for k in ("mp3", "PCM")})
    store.dispose()
    return data_dir


@pytest.fixture(scope="module")
def camera(demo_dir, browser):
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(demo_dir)})
    store = prepare(settings)
    with Camera(settings, store, browser=browser) as cam:
        yield cam
    store.dispose()


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("screen", SCREENS)
def test_main_screens_look_as_their_goldens(camera, golden, model, screen):
    device, url = SCREENS[screen]
    image = Image.open(io.BytesIO(camera.shot(device, MODELS[model], url)))
    golden(f"preview-{model}-{screen}", image)


def test_the_command_writes_a_png_and_names_an_unknown_device(demo_dir, tmp_path):
    env = {"PHONESVC_DATA_DIR": str(demo_dir), "PATH": "/usr/bin:/bin"}
    out = tmp_path / "menu.png"
    done = subprocess.run([sys.executable, "-m", "phonesvc", "preview-shot", "--device", "SEP000000001047",
                           "--model", "CP-8865", "--out", str(out)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with Image.open(out) as image:
        assert image.format == "PNG" and image.width >= 559  # the 8865's services area, and its frame
    unknown = subprocess.run([sys.executable, "-m", "phonesvc", "preview-shot", "--device", "SEP0000DEADBEEF",
                              "--out", str(tmp_path / "x.png")], env=env, capture_output=True, text=True)
    assert unknown.returncode == 2 and "no device SEP0000DEADBEEF" in unknown.stderr
    assert not (tmp_path / "x.png").exists()
