"""The MNIST-1D page, as built: the CNN beats an MLP of similar size, as in the paper."""

import re

from conftest import exercises_and_solutions

PAGE = "mnist1d"


def results_table(page):
    """{model: (parameters, test accuracy, paper's text)} from the printed table."""
    text = page.get_text()
    assert re.search(r"model\s+parameters\s+test accuracy\s+paper \(Greydanus 2020\)", text)
    rows = {}
    for name in ["CNN", "MLP"]:
        match = re.search(rf"^{name}\s+([\d,]+)\s+(0\.\d+)\s+(about 0\.\d+)\s*$", text, re.M)
        assert match, f"no printed result for the {name}"
        rows[name] = (int(match[1].replace(",", "")), float(match[2]), match[3])
    return rows


def test_cnn_beats_the_mlp_by_20_points(page):
    rows = results_table(page)
    cnn_accuracy, mlp_accuracy = rows["CNN"][1], rows["MLP"][1]
    assert cnn_accuracy >= 0.94
    assert cnn_accuracy - mlp_accuracy >= 0.20


def test_paper_numbers_are_printed_beside(page):
    rows = results_table(page)
    assert rows["CNN"][2] == "about 0.94"
    assert rows["MLP"][2] == "about 0.68"


def test_parameter_counts_are_similar(page):
    rows = results_table(page)
    cnn_params, mlp_params = rows["CNN"][0], rows["MLP"][0]
    assert 1 / 1.5 <= cnn_params / mlp_params <= 1.5


def test_figures_have_captions_and_alt_text(page):
    for label in ["fig-mnist1d-samples", "fig-mnist1d-curves",
                  "fig-mnist1d-shift"]:
        figure = page.find(id=label)
        assert figure is not None and figure.name == "figure", label
        assert re.search(r"Fig\. \d+", figure.find("figcaption").get_text())
        img = figure.find("img")
        assert img is not None and len(img["alt"].split()) >= 5
        assert page.select(f'a.reference.internal[href="#{label}"]'), f"{label} not referenced"


def test_equivariance_is_explained(page):
    section = page.find(id="why-equivariance")
    assert section is not None
    assert "equivariant" in section.get_text()


def test_exercises_with_hidden_executed_solutions(page):
    exercises, solutions = exercises_and_solutions(page)
    assert len(exercises) >= 3
    assert len(solutions) >= 3
    text = page.get_text()
    assert re.search(r"CNN: \[240, 8040, 8040, 410\] total 16730 keras 16730", text)
    assert re.search(r"MLP on permuted samples, 10 epochs: test accuracy 0\.\d+", text)


def test_references_cite_greydanus(page):
    section = page.find(id="references")
    entries = section.select("div.citation")
    assert len(entries) == 1
    assert "scaling down deep learning" in entries[0].get_text(" ", strip=True).lower()
    assert "??" not in page.get_text()
    assert not page.select(".xref.missing, span.problematic")
