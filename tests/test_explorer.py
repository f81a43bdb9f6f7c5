"""The convolution explorer: a component (widgets/explorer.*) inlined by
notebook_utils.convolution_explorer, and checked in Chromium against the course's
Python arithmetic (the by-hand page's functions, of which notebook_utils holds copies
that the page checks)."""

import io
import itertools
import json

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from PIL import Image

import notebook_utils as nu
from conftest import REPO_ROOT
from test_accessibility import AXE_OPTIONS
from test_browser import ARTEFACTS, Visit, browser, site  # noqa: F401 (fixtures)

PAGE = "book/convolution_by_hand.html"
CONTROLS = ["n", "k", "stride", "zeros", "dilation"]


def explorer_parts(html):
    soup = BeautifulSoup(html, "html.parser")
    return soup, json.loads(soup.select_one("script.course-explorer-data").string)


# ---- the Python side ----

def test_keras_same_rule_with_strides_even_kernels_and_dilation():
    """Equation (same padding) on cases worked out by hand; the extra zero goes at the end."""
    assert nu.same_padding(224, 7, stride=2) == (2, 3)  # 5 zeros, not 3 + 3
    assert nu.same_padding(8, 4) == (1, 2)  # an even kernel: the odd zero at the end
    assert nu.same_padding(7, 3, stride=3) == (1, 1)  # (3 - 1) x 3 + 3 - 7 = 2 zeros
    assert nu.same_padding(8, 3, stride=2) == (0, 1)
    assert nu.same_padding(7, 3, dilation=2) == (2, 2)  # spans 5 cells, like a kernel of 5
    assert nu.same_padding(6, 1, stride=3) == (0, 0)
    assert nu.output_size(7, 3, "same", stride=2) == 4 == -(-7 // 2)
    assert nu.output_size(7, 3, 2, stride=3, dilation=2) == 3  # (7 + 4 - 5) // 3 + 1
    assert nu.output_size(4, 3, "valid", dilation=2) == 0  # spans 5 > 4 cells: no output


def test_conv2d_with_dilation_matches_a_direct_sum():
    rng = np.random.default_rng(3)
    x, f = rng.integers(0, 9, size=(9, 9, 1)), rng.integers(-2, 3, size=(3, 3, 1, 1))
    out = nu.conv2d(x, f, np.zeros(1), "valid", stride=2, dilation=2)
    assert out.shape == (3, 3, 1)
    # output (1, 2) reads rows 2, 4, 6 and columns 4, 6, 8
    assert out[1, 2, 0] == np.sum(x[2:7:2, 4:9:2, 0] * f[:, :, 0, 0])
    assert nu.conv2d(x, f, np.zeros(1), "valid", dilation=5).shape == (0, 0, 1)


def test_arithmetic_rejects_bad_input():
    with pytest.raises(ValueError, match="padding must be"):
        nu.output_size(7, 3, "full")
    with pytest.raises(ValueError, match="stride must be an integer >= 1"):
        nu.output_size(7, 3, stride=0)
    with pytest.raises(ValueError, match="dilation must be"):
        nu.same_padding(7, 3, dilation=1.5)
    with pytest.raises(ValueError, match=r"x must be \(H, W, C_in\)"):
        nu.conv2d(np.zeros((5, 5)), np.zeros((3, 3, 1, 1)), np.zeros(1))


def test_explorer_inlines_the_component_with_its_data_and_labelled_controls():
    explorer = nu.convolution_explorer(n=6, k=4, stride=2, padding=1, dilation=1, position=2)
    soup, data = explorer_parts(explorer._repr_html_())
    scripts = [s.string for s in soup.find_all("script") if not s.get("type")]
    assert scripts == [(REPO_ROOT / "widgets" / "runtime.js").read_text() + "\n"
                       + (REPO_ROOT / "widgets" / "explorer.js").read_text()]
    assert soup.find("style").string == (REPO_ROOT / "widgets" / "explorer.css").read_text()
    assert "src=" not in explorer.html and "href=" not in explorer.html  # no external request
    assert data["start"] == {"n": 6, "k": 4, "stride": 2, "dilation": 1, "padding": 1, "position": 2}
    image, kernel = nu.explorer_grids(0)
    assert data["image"] == image.tolist() and data["kernel"] == kernel.tolist()
    assert data["limits"] == {name: list(v) for name, v in nu.EXPLORER_LIMITS.items()}
    for control in soup.select("input, select"):
        assert control.find_parent("label") is not None, f"{control} has no label"
    assert {b["data-action"] for b in soup.select("button")} == {"first", "back", "forward", "last", "all"}
    assert soup.select_one("[aria-live=polite]") is not None
    assert soup.select_one("svg")["role"] == "img"
    assert repr(explorer) == ("<convolution explorer: 6x6 input, 4x4 kernel, stride 2, "
                              "padding 1, dilation 1>")


def test_explorer_grids_are_small_integers_and_deterministic():
    image, kernel = nu.explorer_grids(0)
    assert image.shape == (8, 8) and kernel.shape == (5, 5)
    assert image.min() >= 0 and image.max() <= 9 and kernel.min() >= -2 and kernel.max() <= 2
    assert np.any(kernel < 0) and np.any(kernel > 0)
    assert nu.convolution_explorer().html == nu.convolution_explorer().html
    assert nu.convolution_explorer().still_png == nu.convolution_explorer().still_png
    assert nu.convolution_explorer(seed=1).html != nu.convolution_explorer().html


def test_still_for_print_grows_with_the_grids():
    small = Image.open(io.BytesIO(nu.convolution_explorer(n=3, k=1)._repr_png_()))
    large = Image.open(io.BytesIO(nu.convolution_explorer(n=8, k=3, padding=2)._repr_png_()))
    assert small.format == large.format == "PNG"
    assert large.size[0] > small.size[0] and large.size[1] > small.size[1]
    # the still is drawn: more than the background colour
    assert len(np.unique(np.asarray(large.convert("RGB")).reshape(-1, 3), axis=0)) > 10


def test_explorer_rejects_settings_it_cannot_show():
    with pytest.raises(ValueError, match="n must be an integer from 3 to 8"):
        nu.convolution_explorer(n=9)
    with pytest.raises(ValueError, match="padding must be an integer from 0 to 2"):
        nu.convolution_explorer(padding=5)
    with pytest.raises(ValueError, match="padding must be"):
        nu.convolution_explorer(padding="full")
    with pytest.raises(ValueError, match="position must be from 0 to 24"):
        nu.convolution_explorer(n=7, k=3, position=25)
    with pytest.raises(ValueError, match="position must be from 0 to 0"):
        nu.convolution_explorer(n=4, k=3, dilation=3, position=1)  # spans 7 > 4 cells


# ---- the widget in Chromium, in the built page ----

# Input sizes odd and even (4: some dilated kernels do not fit), kernels odd and even,
# strides 1 to 3, padding valid, same and a number, dilations 1 and 2.
GRID = list(itertools.product((4, 7, 8), (2, 3, 4), (1, 2, 3),
                              ("valid", "same", 1, 2), (1, 2)))

SET_AND_READ = """([root, grid]) => {
  // Only the settings that differ from the previous cell of the grid: each change
  // redraws the widget.
  const set = (name, value) => {
    const control = root.querySelector(`[name=${name}]`);
    if (control.value === String(value)) { return; }
    control.value = value;
    control.dispatchEvent(new Event(control.tagName === "SELECT" ? "change" : "input"));
  };
  const all = root.querySelector("[data-action=all]");
  if (all.getAttribute("aria-pressed") !== "true") { all.click(); }
  return grid.map(([n, k, stride, padding, dilation]) => {
    set("n", n); set("k", k); set("stride", stride); set("dilation", dilation);
    set("padding", typeof padding === "number" ? "number" : padding);
    if (typeof padding === "number") { set("zeros", padding); }
    const values = {};
    root.querySelectorAll("svg text.out").forEach((t) => {
      values[t.dataset.row + "," + t.dataset.col] = t.textContent;
    });
    return { rows: Number(root.dataset.rows), cols: Number(root.dataset.cols), values: values,
             formula: root.querySelector(".course-explorer-formula").textContent };
  });
}"""


@pytest.fixture(scope="module")
def explorer_visit(browser, site):  # noqa: F811
    visit = Visit(browser, f"{site}/{PAGE}")
    root = visit.page.locator(".course-explorer")
    root.scroll_into_view_if_needed()
    assert root.get_attribute("data-ready") == "true"
    yield visit
    visit.close()


def test_widget_agrees_with_python_over_a_grid_of_settings(explorer_visit):
    page = explorer_visit.page
    root = page.locator(".course-explorer")
    data = json.loads(root.locator("script.course-explorer-data").text_content())
    image, kernel = np.array(data["image"]), np.array(data["kernel"])
    results = page.evaluate(SET_AND_READ, [root.element_handle(), GRID])
    assert len(results) == len(GRID) == 216
    empty = 0
    for (n, k, stride, padding, dilation), shown in zip(GRID, results):
        where = f"n={n} k={k} stride={stride} padding={padding!r} dilation={dilation}"
        side = nu.output_size(n, k, padding, stride, dilation)
        expected = nu.conv2d(image[:n, :n, None], kernel[:k, :k, None, None], np.zeros(1),
                             padding, stride, dilation)[..., 0]
        assert expected.shape == (side, side)
        assert (shown["rows"], shown["cols"]) == expected.shape, where
        assert f"Output shape: {side} \u00d7 {side}." in shown["formula"], where
        values = {key: int(text.replace("\u2212", "-")) for key, text in shown["values"].items()}
        assert values == {f"{i},{j}": int(expected[i, j]) for i in range(side) for j in range(side)}, where
        empty += side == 0
    assert 0 < empty < len(GRID)  # the grid includes kernels that do not fit, and mostly ones that do
    page.screenshot(path=str(ARTEFACTS / "explorer-grid-last.png"))
    assert explorer_visit.errors == []


def test_widget_steps_with_buttons_and_keys_and_announces(explorer_visit):
    page = explorer_visit.page
    root = page.locator(".course-explorer")
    page.select_option(".course-explorer select[name=padding]", "same")
    for name, value in [("n", "7"), ("k", "3"), ("stride", "2"), ("dilation", "1")]:
        root.locator(f"input[name={name}]").fill(value)
    assert root.locator("input[name=zeros]").is_disabled()  # only for a number of zeros
    root.locator("[data-action=first]").click()
    assert root.get_attribute("data-position") == "0"
    assert root.locator("[data-action=all]").get_attribute("aria-pressed") == "false"
    forward = root.locator("[data-action=forward]")
    forward.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert root.get_attribute("data-position") == "2"
    status = root.locator("[role=status]")
    assert status.get_attribute("aria-live") == "polite"
    image, kernel = nu.explorer_grids(0)
    expected = nu.conv2d(image[:7, :7, None], kernel[:3, :3, None, None], np.zeros(1), "same", 2)
    value = f"{expected[0, 2, 0]:.0f}".replace("-", "\u2212")
    assert status.text_content() == (f"Position 3 of 16: output row 1, column 3 is {value}. "
                                     "Output shape 4 \u00d7 4.")
    assert root.locator(".course-explorer-sum").text_content().endswith(f"= {value}.")
    assert root.locator("svg").get_attribute("aria-label").endswith(status.text_content())
    page.keyboard.press("End")
    assert root.get_attribute("data-position") == "15"
    page.keyboard.press("ArrowRight")  # wraps around
    assert root.get_attribute("data-position") == "0"
    # Focus is visible: the focused button gets the course's outline.
    outline = forward.evaluate("b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth")
    assert outline == "solid 2px"
    page.select_option(".course-explorer select[name=padding]", "number")
    assert not root.locator("input[name=zeros]").is_disabled()
    root.locator("input[name=k]").fill("5")
    root.locator("input[name=dilation]").fill("2")
    root.locator("input[name=zeros]").fill("0")
    root.locator("input[name=n]").fill("8")
    assert root.get_attribute("data-rows") == "0"
    assert "no position fits" in status.text_content()
    root.locator("input[name=zeros]").fill("2")
    root.locator("input[name=stride]").fill("1")
    assert root.get_attribute("data-rows") == "4"  # (8 + 4 - 9) // 1 + 1
    page.keyboard.press("Tab")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    root.locator("[data-action=forward]").click()
    root.screenshot(path=str(ARTEFACTS / "explorer.png"))
    root.locator("[data-action=all]").click()
    root.screenshot(path=str(ARTEFACTS / "explorer-all-positions.png"))
    assert explorer_visit.errors == []


def test_widget_out_of_range_entries_are_clamped(explorer_visit):
    root = explorer_visit.page.locator(".course-explorer")
    root.locator("input[name=n]").fill("50")
    root.locator("input[name=n]").blur()
    assert root.locator("input[name=n]").input_value() == "8"
    root.locator("input[name=k]").fill("")  # half-typed: nothing changes, nothing breaks
    assert explorer_visit.errors == []


def test_axe_finds_no_violation_in_every_mode_of_the_widget(explorer_visit):
    page = explorer_visit.page
    root = page.locator(".course-explorer")
    for mode in ["step", "all"]:
        pressed = root.locator("[data-action=all]").get_attribute("aria-pressed") == "true"
        if (mode == "all") != pressed:
            root.locator("[data-action=all]").click()
        results = Axe().run(page, context=".course-explorer", options=AXE_OPTIONS).response
        assert results["passes"], "axe ran no check at all"
        assert results["violations"] == [], (mode, [v["id"] for v in results["violations"]])
