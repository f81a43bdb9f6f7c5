"""The LeNet you can draw for (notebook_utils.lenet_drawing_widget, widgets/lenet.*):
the exported network in Python, and the widget of the built page in Chromium."""

import base64
import io
import json

import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image

import notebook_utils as nu
from conftest import REPO_ROOT
from test_browser import ARTEFACTS, Visit, browser, site  # noqa: F401 (fixtures)

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
    assert small_widget.n_bytes < 110_000


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
    assert scripts == [(REPO_ROOT / "widgets" / "lenet.js").read_text()]
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
    blank = widget.get_attribute("data-probabilities")
    # A vertical stroke with the mouse, down the middle of the square: a 1.
    box = page.locator(".course-lenet-pad").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.85, steps=12)
    page.mouse.up()
    drawn = widget.get_attribute("data-probabilities")
    assert drawn != blank
    assert status.text_content().startswith("LeNet reads a ")
    widget.screenshot(path=str(ARTEFACTS / "lenet-widget-drawn.png"))
    # The keyboard: Delete clears, Shift with the arrows paints along.
    page.locator(".course-lenet-pad").focus()
    page.keyboard.press("Delete")
    assert widget.get_attribute("data-probabilities") == blank
    for _ in range(8):
        page.keyboard.press("Shift+ArrowDown")
    assert widget.get_attribute("data-probabilities") != blank
    assert "probability" in status.text_content()
    assert lenet_page.errors == []
