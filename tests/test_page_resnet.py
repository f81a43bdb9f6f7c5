"""The ResNet page, as built: the residual blocks, the degradation of the deep plain
network, the figures, the exercises."""

import re

import pytest

from conftest import exercises_and_solutions

PAGE = "resnet"


@pytest.fixture(scope="module")
def results(page):
    """{network: (training loss, training accuracy, validation accuracy, test accuracy)}"""
    text = page.get_text()
    assert re.search(r"network\s+training loss\s+training acc\.\s+validation acc\.\s+test acc\.", text)
    rows = {}
    for name in ["ResNet-32", "plain-32", "plain-8"]:
        match = re.search(rf"^{name}\s+(\d\.\d{{4}})\s+(\d\.\d{{3}})\s+(\d\.\d{{3}})\s+(\d\.\d{{3}})\s*$",
                          text, re.M)
        assert match, f"no printed result for {name}"
        rows[name] = tuple(float(value) for value in match.groups())
    return rows


def test_blocks_have_the_parameters_counted_by_hand(page):
    text = page.get_text()
    assert "identity_block    (None, 40, 12) -> (None, 40, 12): 960 parameters, 912 trained" in text
    assert "projection_block  (None, 40, 12) -> (None, 20, 24): 3,168 parameters, 3,024 trained" in text


def test_networks_have_the_stated_depths(page):
    text = page.get_text()
    for name, layers in [("ResNet-32", 32), ("plain-32", 32), ("plain-8", 8)]:
        assert re.search(rf"{name}: {layers} layers, [\d,]+ parameters", text), name


def test_the_deep_plain_network_degrades(results):
    """What the page's reading says: the 32-layer plain network fits its own training set
    worse than the 8-layer one, and worse than the ResNet of the same depth."""
    resnet, plain_deep, plain_shallow = results["ResNet-32"], results["plain-32"], results["plain-8"]
    assert plain_deep[0] > 5 * plain_shallow[0]  # training loss
    assert plain_deep[1] < plain_shallow[1] - 0.05  # training accuracy
    assert resnet[1] >= 0.99 and resnet[0] < 2 * plain_shallow[0]
    assert resnet[3] >= plain_deep[3] + 0.10  # test accuracy


def test_depth_buys_little_on_this_small_data_set(results):
    assert abs(results["ResNet-32"][3] - results["plain-8"][3]) <= 0.02
    assert results["ResNet-32"][3] >= 0.95


def figure_with_label(page, label):
    """The figure element: MyST puts the label on it, the TikZ directive on an empty span
    at the start of it."""
    element = page.find(id=label)
    assert element is not None, label
    return element if element.name == "figure" else element.find_parent("div", class_="figure")


@pytest.mark.parametrize("label", ["fig-resnet-curves", "fig-residual-block"])
def test_figures_are_rendered_with_caption_and_alt_text(page, html_dir, label):
    figure = figure_with_label(page, label)
    img = figure.find("img")
    assert img is not None and len(img.get("alt", "").split()) >= 10
    assert (html_dir / "book" / img["src"]).resolve().is_file()
    assert re.match(r"Fig\. \d+", figure.select_one("span.caption-number").get_text())
    assert figure.select_one("span.caption-text").get_text(strip=True)
    assert page.select(f'a.reference.internal[href="#{label}"]'), f"{label} is not referenced"


def test_tikz_block_diagram_is_an_svg_drawn_by_latex(page, html_dir):
    img = figure_with_label(page, "fig-residual-block").find("img")
    assert re.search(r"tikz-[0-9a-f]+\.svg$", img["src"])
    svg = (html_dir / "book" / img["src"]).resolve().read_text()
    assert svg.count("<path") > 20  # boxes, arrows and the glyphs of their labels


def test_equations_are_numbered_and_referenced(page):
    for label in ["eq-residual", "eq-projection"]:
        assert page.find(id=f"equation-{label}") is not None
    assert page.select('a[href="#equation-eq-residual"]')


def test_exercises_with_hidden_executed_solutions(page):
    exercises, solutions = exercises_and_solutions(page)
    assert len(exercises) >= 3
    assert len(solutions) >= 3 and all(s.select(".cell_output") for s in solutions)
    text = page.get_text()
    assert "longest path: 137 samples" in text
    assert "through the shortcuts only: 3 samples" in text
    assert "max |block(x) - x| = 0.0" in text
    assert "Add() refuses: Inputs have incompatible shapes" in text


def test_references(page):
    text = page.find(id="references").get_text(" ", strip=True).lower()
    for title in ["deep residual learning for image recognition", "batch normalization",
                  "scaling down deep learning"]:
        assert title in text
    assert not page.select(".xref.missing, span.problematic")
