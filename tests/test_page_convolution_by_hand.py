"""The convolution-by-hand page: its checks, printed in the built HTML, hold."""

import re

from conftest import exercises_and_solutions

PAGE = "convolution_by_hand"


def printed(page, pattern):
    return [float(value) for value in re.findall(pattern, page.get_text())]


def test_numpy_convolutions_match_numpy_scipy_and_keras(page):
    errors = printed(page, r"max abs error(?: vs [\w.]+(?: \w+)?)?:? ([0-9.]+e[-+]\d+)")
    # 2 vs np.correlate, 3 vs Conv1D, 1 vs correlate2d, 3 vs Conv2D, 2 vs pooling, 1 dilation
    assert len(errors) == 12
    assert max(errors) < 1e-5


def test_lenet_parameters_by_hand_match_keras(page):
    assert "by hand: 61,706 parameters; Keras count_params(): 61,706" in page.get_text()
    table = page.get_text()
    for row in ["C1 28x28x6 5x5 156", "C3 10x10x16 14x14 2,416", "F5 120 whole image 48,120"]:
        assert row in " ".join(table.split())


def test_equivariance_is_exact_away_from_the_border(page):
    differences = printed(page, r"max abs difference away from the border ([0-9.]+e[-+]\d+)")
    assert len(differences) == 3 and max(differences) == 0.0


def test_gradient_descent_recovers_the_gaussian_filter(page):
    (difference,) = printed(page, r"max abs difference: ([0-9.]+e[-+]\d+)")
    assert difference < 1e-4
    assert page.find(id="fig-learned-filter") is not None
    assert page.find(id="fig-invariance").find("img") is not None


def test_three_exercises_with_hidden_executed_solutions(page):
    exercises, solutions = exercises_and_solutions(page)
    assert len(exercises) >= 3
    assert len(solutions) >= 3
    assert all(solution.select(".cell_output") for solution in solutions)
