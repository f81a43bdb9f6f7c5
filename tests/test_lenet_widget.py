"""The LeNet you can draw for (notebook_utils.lenet_drawing_widget, widgets/lenet.*):
the exported network in Python, and the widget of the built page in Chromium."""

import base64
import io
import json
import re

import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image

import notebook_utils as nu
from conftest import REPO_ROOT
from test_browser import ARTEFACTS, PHONE, Visit, browser, site  # noqa: F401 (fixtures)

nu.setup()

import keras  # noqa: E402
from scipy.ndimage import zoom  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402


def as_inputs(levels):
    """The page's preparation of 8x8 grey levels (0-16) for LeNet."""
    enlarged = np.stack([zoom(grid, 3, order=1) for grid in levels / 16.0])
    return np.pad(enlarged, ((0, 0), (4, 4), (4, 4)))[..., np.newaxis].astype("float32")


@pytest.fixture(scope="module")
def small_widget():
    digits = load_digits()
    levels, labels = digits.images[:12], digits.target[:12]
    return nu.lenet_drawing_widget(nu.build_lenet(), levels, as_inputs(levels), labels)


def widget_data(html):
    soup = BeautifulSoup(html, "html.parser")
    return soup, json.loads(soup.select_one("script.course-lenet-data").string)


def test_quantise_int8_rounds_to_the_nearest_level():
    weights = np.array([-0.5, 0.0, 0.1, 0.25], dtype=np.float32)
    q, scale = nu.quantise_int8(weights)
    assert q.dtype == np.int8 and scale.dtype == np.float32
    assert q.min() == -127 and np.isclose(scale, 0.5 / 127)
    assert np.abs(q * scale - weights).max() <= scale / 2 + 1e-9


def test_the_exported_weights_are_the_keras_copy_s(small_widget):
    _, data = widget_data(small_widget.html)
    assert [layer["name"] for layer in data["layers"]] == nu.LENET_WIDGET_LAYERS
    for layer in data["layers"]:
        kernel, bias = small_widget.quantised_model.get_layer(layer["name"]).get_weights()
        for part, keras_array in [("kernel", kernel), ("bias", bias)]:
            entry = layer[part]
            q = np.frombuffer(base64.b64decode(entry["data"]), dtype=np.int8)
            assert entry["shape"] == list(keras_array.shape)
            assert np.array_equal(q.astype(np.float32) * np.float32(entry["scale"]),
                                  keras_array.ravel())
    # 61,706 weights, one byte each before base64: the widget stays light.
    assert sum(len(base64.b64decode(layer[part]["data"])) for layer in data["layers"]
               for part in ("kernel", "bias")) == 61_706
    assert small_widget.n_bytes < 115_000  # with the runtime every widget shares


def test_the_widget_embeds_the_digits_and_keras_probabilities(small_widget):
    soup, data = widget_data(small_widget.html)
    digits = load_digits()
    assert len(data["digits"]) == small_widget.n_digits == 12
    for digit, grid, label in zip(data["digits"], digits.images, digits.target):
        assert [int(c, 17) for c in digit["levels"]] == grid.ravel().astype(int).tolist()
        assert digit["label"] == label
    expected = keras.ops.convert_to_numpy(small_widget.quantised_model(as_inputs(digits.images[:12])))
    assert np.allclose(data["keras"], expected, atol=1e-7)
    assert np.allclose(small_widget.keras_probabilities, expected, atol=1e-7)
    assert soup.find("style").string == (REPO_ROOT / "widgets" / "lenet.css").read_text()
    scripts = [s.string for s in soup.find_all("script") if not s.get("type")]
    assert scripts == [(REPO_ROOT / "widgets" / "runtime.js").read_text() + "\n"
                       + (REPO_ROOT / "widgets" / "lenet.js").read_text()]
    status = soup.select_one(".course-lenet-status")
    assert status["aria-live"] == "polite"
    pad = soup.select_one("canvas.course-lenet-pad")
    assert pad["tabindex"] == "0" and pad["aria-label"] and pad["aria-describedby"]


def test_the_widget_is_deterministic_and_has_a_still(small_widget):
    digits = load_digits()
    levels = digits.images[:12]
    again = nu.lenet_drawing_widget(small_widget.quantised_model, levels, as_inputs(levels),
                                    digits.target[:12])
    assert again.html == small_widget.html  # the quantised weights quantise to themselves
    assert repr(small_widget) == "<LeNet drawing widget, 12 test digits>"
    assert small_widget._repr_html_() == small_widget.html
    still = Image.open(io.BytesIO(small_widget._repr_png_()))
    assert still.format == "PNG" and still.size == (640, 300)


def test_the_widget_rejects_what_it_cannot_show():
    digits = load_digits()
    levels, labels = digits.images[:3], digits.target[:3]
    lenet = nu.build_lenet()
    with pytest.raises(ValueError, match="build_lenet"):
        nu.lenet_drawing_widget(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]),
                                levels, as_inputs(levels), labels)
    with pytest.raises(ValueError, match=r"\(n, 8, 8\)"):
        nu.lenet_drawing_widget(lenet, levels[:, :4], as_inputs(levels), labels)
    with pytest.raises(ValueError, match="0 to 16"):
        nu.lenet_drawing_widget(lenet, levels / 16, as_inputs(levels), labels)
    with pytest.raises(ValueError, match="test_inputs"):
        nu.lenet_drawing_widget(lenet, levels, as_inputs(levels)[:2], labels)
    with pytest.raises(ValueError, match="test_labels"):
        nu.lenet_drawing_widget(lenet, levels, as_inputs(levels), labels + 10)


@pytest.fixture(scope="module")
def lenet_page(browser, site):  # noqa: F811
    visit = Visit(browser, f"{site}/book/lenet_digits.html")
    visit.page.wait_for_selector(".course-lenet[data-ready]")
    yield visit
    visit.close()


def test_javascript_reads_the_test_digits_as_keras_does(lenet_page):
    """Each embedded test digit, loaded into the widget: its probabilities in JavaScript
    equal those of Keras's predict (exported by the page) within 1e-4, same class."""
    page = lenet_page.page
    widget = page.locator(".course-lenet")
    data = json.loads(page.locator("script.course-lenet-data").text_content())
    assert len(data["digits"]) >= 20
    differences = []
    for n, keras_probabilities in enumerate(data["keras"]):
        page.select_option(".course-lenet select", str(n))
        page.click(".course-lenet [data-action=load]")
        assert widget.get_attribute("data-loaded") == str(n)
        browser_probabilities = json.loads(widget.get_attribute("data-probabilities"))
        differences.append(np.abs(np.subtract(browser_probabilities, keras_probabilities)).max())
        assert int(widget.get_attribute("data-predicted")) == int(np.argmax(keras_probabilities))
    print(f"largest JS-vs-Keras difference over {len(differences)} digits: {max(differences):.2e}")
    assert max(differences) < 1e-4
    # The network reads most of them right: the weights arrived intact.
    labels = [digit["label"] for digit in data["digits"]]
    assert np.mean(np.argmax(data["keras"], axis=1) == labels) > 0.9
    widget.scroll_into_view_if_needed()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    widget.screenshot(path=str(ARTEFACTS / "lenet-widget-test-digit.png"))
    assert lenet_page.errors == [] and lenet_page.external == []


def test_drawing_with_the_mouse_and_the_keyboard(lenet_page):
    page = lenet_page.page
    widget = page.locator(".course-lenet")
    status = page.locator(".course-lenet-status")
    page.click(".course-lenet [data-action=clear]")
    # An empty square gets no verdict: no probabilities, no digit read.
    assert widget.get_attribute("data-probabilities") is None
    assert widget.get_attribute("data-predicted") is None
    assert status.text_content() == "The square is empty: draw a digit."
    assert page.locator(".course-lenet-value").all_text_contents() == ["\u2013"] * 10
    blank = widget.get_attribute("data-probabilities")
    # A vertical stroke with the mouse, down the middle of the square: a 1.
    box = page.locator(".course-lenet-pad").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.85, steps=12)
    page.mouse.up()
    drawn = widget.get_attribute("data-probabilities")
    assert drawn != blank
    assert re.fullmatch(r"LeNet reads an? \d, probability \d+\.\d%\.", status.text_content())
    widget.screenshot(path=str(ARTEFACTS / "lenet-widget-drawn.png"))
    # Drawn with the mouse, the pad shows no keyboard cursor (its orange square).
    assert page.evaluate(ORANGE_PIXELS) == 0
    # Each feature map has a grey frame (a map white all over still shows on the page).
    assert page.evaluate("""() => Array.from(document.querySelectorAll(
        '.course-lenet-c1, .course-lenet-c3'), (canvas) => Array.from(
        canvas.getContext('2d').getImageData(0, 0, 1, 1).data.slice(0, 3)))""") == [[118] * 3] * 2
    # The keyboard: Delete clears, Shift with the arrows paints along.
    page.locator(".course-lenet-pad").focus()
    page.keyboard.press("Delete")
    assert widget.get_attribute("data-probabilities") == blank
    assert widget.get_attribute("data-probabilities") == blank
    for _ in range(8):
        page.keyboard.press("Shift+ArrowDown")
    assert widget.get_attribute("data-probabilities") != blank
    assert "probability" in status.text_content()
    assert page.evaluate(ORANGE_PIXELS) > 0  # the keyboard's cursor shows
    assert lenet_page.errors == []


# How many pixels of the pad are the keyboard cursor's orange (#e69f00).
ORANGE_PIXELS = """() => {
  const pad = document.querySelector('.course-lenet-pad');
  const pixels = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
  let count = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] === 0xe6 && pixels[i + 1] === 0x9f && pixels[i + 2] === 0x00) { count += 1; }
  }
  return count;
}"""

# The bottom of the theme's sticky header (the bar with the page's buttons).
HEADER_BOTTOM = "() => document.querySelector('.bd-header-article').getBoundingClientRect().bottom"

# The pad's pixel (0-31 across and down) under a point of the page, and whether it is inked.
INK_AT = """([x, y]) => {
  const pad = document.querySelector('.course-lenet-pad');
  const box = pad.getBoundingClientRect();
  const column = Math.floor((x - box.left) / box.width * 32);
  const row = Math.floor((y - box.top) / box.height * 32);
  const scale = pad.width / 32;
  const pixel = pad.getContext('2d').getImageData((column + 0.5) * scale, (row + 0.5) * scale, 1, 1).data;
  return pixel[0] === 255 && pixel[1] === 255 && pixel[2] === 255;
}"""


def test_a_test_digit_read_as_an_eight_says_an(lenet_page):
    page = lenet_page.page
    data = json.loads(page.locator("script.course-lenet-data").text_content())
    eights = [n for n, p in enumerate(data["keras"]) if int(np.argmax(p)) == 8]
    assert eights, "no embedded test digit is read as an 8"
    page.select_option(".course-lenet select", str(eights[0]))
    page.click(".course-lenet [data-action=load]")
    assert page.locator(".course-lenet-status").text_content().startswith("LeNet reads an 8, ")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_ink_lands_under_the_pointer_on_a_pad_partly_under_the_header(browser, site, device):  # noqa: F811
    """The first touch focuses the pad; focusing must not scroll the page, or the rest of
    the stroke lands away from the pointer."""
    visit = Visit(browser, f"{site}/book/lenet_digits.html", **({"device": PHONE} if device == "phone" else {}))
    page = visit.page
    try:
        page.wait_for_selector(".course-lenet[data-ready]")
        page.click(".course-lenet [data-action=clear]")
        header = page.evaluate(HEADER_BOTTOM)
        assert header > 30, "the page has no sticky header to hide the pad under"
        # Scroll so that the pad's top 40% sits under the header.
        page.evaluate("""(header) => {
          const box = document.querySelector('.course-lenet-pad').getBoundingClientRect();
          window.scrollBy(0, box.top - header + 0.4 * box.height);
        }""", header)
        box = page.locator(".course-lenet-pad").bounding_box()
        assert box["y"] < header < box["y"] + box["height"] / 2
        scroll_before = page.evaluate("() => window.scrollY")
        x = box["x"] + box["width"] * 0.3
        points = [(x, box["y"] + box["height"] * f) for f in (0.55, 0.7, 0.85)]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=5)
        page.mouse.up()
        assert page.evaluate("() => window.scrollY") == scroll_before
        assert all(page.evaluate(INK_AT, list(point)) for point in points)
    finally:
        visit.close()


def test_on_a_phone_the_verdict_is_in_sight_while_drawing(browser, site):  # noqa: F811
    """While drawing on a phone, LeNet's answer must be in sight: with the whole pad on
    the screen, just under the page's header, the status and every bar are on it too."""
    visit = Visit(browser, f"{site}/book/lenet_digits.html", device=PHONE)
    page = visit.page
    try:
        page.wait_for_selector(".course-lenet[data-ready]")
        header = page.evaluate(HEADER_BOTTOM)
        page.evaluate("""(header) => {
          const box = document.querySelector('.course-lenet-pad').getBoundingClientRect();
          window.scrollBy(0, box.top - header);
        }""", header)
        pad = page.locator(".course-lenet-pad").bounding_box()
        assert abs(pad["y"] - header) < 2
        for part in (".course-lenet-status", ".course-lenet-probabilities"):
            box = page.locator(part).bounding_box()
            assert box["y"] + box["height"] <= PHONE["viewport"]["height"], (part, box)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "lenet-widget-phone.png"))
    finally:
        visit.close()
