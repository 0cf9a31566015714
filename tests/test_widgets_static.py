"""What an explorer shows on a page without a kernel: its still picture and one line of text."""

from __future__ import annotations

import base64
import io

from PIL import Image

from course_lib.widgets.base import STATIC_NOTE
from course_lib.widgets.drawing import DrawingPad, HandwritingExplorer
from course_lib.widgets.welcome import WaveExplorer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _png(data: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(data, validate=True)))
    image.load()
    return image


def test_an_explorer_bundle_carries_the_widget_a_decodable_png_and_a_line_of_text():
    explorer = WaveExplorer.example()
    bundle = explorer._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.widget.model_id  # live front ends
    image = _png(bundle["image/png"])
    assert image.format == "PNG"
    assert image.size == (
        int(explorer.figsize[0] * explorer.dpi),
        int(explorer.figsize[1] * explorer.dpi),
    )
    assert base64.b64decode(bundle["image/png"]) == explorer.image.value  # the picture shown
    assert STATIC_NOTE in bundle["text/plain"] and explorer.title in bundle["text/plain"]
    html = bundle["text/html"]
    assert html.count("<img") == 1 and bundle["image/png"] in html
    assert STATIC_NOTE in html and explorer.readout_text in html


def test_the_still_picture_is_the_state_at_display():
    explorer = WaveExplorer.example()
    first = explorer._repr_mimebundle_()["image/png"]
    explorer.set(frequency=explorer.controls["frequency"].max)
    assert explorer._repr_mimebundle_()["image/png"] != first


def test_the_handwriting_explorer_says_to_draw_and_the_pad_alone_is_one_line():
    explorer = HandwritingExplorer.example()
    bundle = explorer._repr_mimebundle_()
    assert _png(bundle["image/png"]).format == "PNG"
    assert "draw a digit" in bundle["text/plain"]
    data, _ = DrawingPad()._repr_mimebundle_()
    assert WIDGET_VIEW in data
    assert data["text/plain"].count("\n") == 0 and "open this notebook" in data["text/plain"]
