"""The LeNet-on-digits page, as built: accuracy, figures, MNIST snippet, exercises."""

import re

import pytest

from conftest import exercises_and_solutions

PAGE = "lenet_digits"


def test_test_accuracy_is_at_least_98_percent(page):
    match = re.search(r"test accuracy: (\d+\.\d+)%", page.get_text())
    assert match, "the test accuracy is not printed"
    assert float(match[1]) / 100 >= 0.98


@pytest.mark.parametrize("label", ["fig-digits-curves", "fig-digits-confusion",
                                   "fig-digits-errors", "fig-digits-filters",
                                   "fig-digits-feature-maps"])
def test_figure_is_an_image_with_caption_and_alt(page, html_dir, label):
    figure = page.find(id=label)
    assert figure is not None and figure.name == "figure", label
    assert figure.find("figcaption").get_text(strip=True)
    img = figure.find("img")
    assert img is not None and len(img.get("alt", "").split()) >= 5
    assert (html_dir / "book" / img["src"]).resolve().is_file()


def test_mnist_switch_is_shown_but_not_executed(page):
    blocks = [b for b in page.select("div.highlight-python pre") if "mnist" in b.get_text()]
    assert blocks, "the MNIST lines are missing"
    assert not any(b.find_parent("div", class_="cell") for b in blocks)
    assert "keras.datasets.mnist.load_data()" in blocks[0].get_text()


def test_exercises_with_hidden_executed_solutions(page):
    exercises, solutions = exercises_and_solutions(page)
    assert len(exercises) >= 3
    assert len(solutions) >= 3
    executed = [s for s in solutions if s.select(".cell_output")]
    assert len(executed) >= 3


def test_reference_to_lenet_paper(page):
    section = page.find(id="references")
    text = section.get_text(" ", strip=True).lower()
    assert "gradient-based learning applied to document recognition" in text
    assert "??" not in page.get_text()
    assert not page.select(".xref.missing, span.problematic")
