"""The statistics helpers of book/generalisation.md (notebook_utils): the paired
difference of two accuracies with its standard error, and the logistic regression
with standard errors of its coefficients."""

import numpy as np
import pytest

import notebook_utils as nu


# paired_difference_se


def test_paired_difference_by_hand():
    a, b = [1, 0, 1, 1], [0, 0, 1, 0]  # differences 1, 0, 0, 1
    difference, se = nu.paired_difference_se(a, b)
    assert difference == pytest.approx(0.5)
    assert se == pytest.approx(np.std([1, 0, 0, 1], ddof=1) / 2)


def test_paired_difference_is_antisymmetric_and_takes_booleans():
    rng = np.random.default_rng(0)
    a, b = rng.random(500) < 0.7, rng.random(500) < 0.6
    forward, backward = nu.paired_difference_se(a, b), nu.paired_difference_se(b, a)
    assert forward[0] == pytest.approx(a.mean() - b.mean())
    assert backward[0] == pytest.approx(-forward[0])
    assert backward[1] == pytest.approx(forward[1])
    assert nu.paired_difference_se(a, a) == (0.0, 0.0)


def test_paired_difference_takes_scores_between_0_and_1():
    # e.g. the share of a map's peaks on the object, per image
    a, b = [0.5, 1.0, 0.0, 0.25], [0.5, 0.0, 0.0, 0.75]  # differences 0, 1, 0, -0.5
    difference, se = nu.paired_difference_se(a, b)
    assert difference == pytest.approx(0.125)
    assert se == pytest.approx(np.std([0, 1, 0, -0.5], ddof=1) / 2)


def test_pairing_is_smaller_than_independent_errors_when_classifiers_agree():
    # Two classifiers right on mostly the same examples: the paired standard error is
    # far smaller than that of two independent accuracies.
    rng = np.random.default_rng(1)
    easy = rng.random(5000) < 0.6
    a = easy ^ (rng.random(5000) < 0.05)
    b = easy ^ (rng.random(5000) < 0.05)
    _, paired = nu.paired_difference_se(a, b)
    independent = np.sqrt(a.var() / len(a) + b.var() / len(b))
    assert paired < 0.5 * independent


def test_paired_standard_error_has_its_nominal_coverage():
    # Over many draws of the examples, the difference lies within 1.96 standard errors
    # of the true one about 95% of the time.
    rng = np.random.default_rng(2)
    n, repeats, inside = 400, 2000, 0
    true_difference = 0.8 - 0.7
    for _ in range(repeats):
        u = rng.random(n)  # shared difficulty: the two are correlated
        a = u < 0.8
        b = u < 0.7  # right on a subset of a's examples
        difference, se = nu.paired_difference_se(a, b)
        inside += abs(difference - true_difference) < 1.96 * se
    assert 0.93 < inside / repeats < 0.97


@pytest.mark.parametrize("a, b, message", [
    ([1, 0, 1], [1, 0], "same length"),
    ([[1, 0]], [[1, 0]], "1-D"),
    ([1], [0], "at least two"),
    ([1, np.nan], [0, 1], "finite"),
])
def test_paired_difference_rejects_bad_input(a, b, message):
    with pytest.raises(ValueError, match=message):
        nu.paired_difference_se(a, b)


# logistic_regression


def simulate(n, coefficients, seed):
    rng = np.random.default_rng(seed)
    features = rng.standard_normal((n, len(coefficients) - 1))
    log_odds = coefficients[0] + features @ np.asarray(coefficients[1:])
    outcome = rng.random(n) < 1 / (1 + np.exp(-log_odds))
    return features, outcome


def test_logistic_regression_recovers_known_coefficients():
    truth = np.array([-1.0, 0.8, -0.3, 0.0])
    features, outcome = simulate(20_000, truth, seed=3)
    coefficients, standard_errors = nu.logistic_regression(features, outcome)
    assert coefficients.shape == standard_errors.shape == (4,)
    assert np.all(np.abs(coefficients - truth) < 4 * standard_errors)
    assert np.all(standard_errors < 0.05)  # 20,000 examples pin them down
    # The coefficient of the feature with no effect is within noise, the others far
    # from zero.
    z = coefficients / standard_errors
    assert abs(z[3]) < 4 and abs(z[1]) > 20 and abs(z[2]) > 10


def test_logistic_regression_is_the_maximum_likelihood():
    features, outcome = simulate(3000, [0.5, 1.0, -2.0], seed=4)
    coefficients, _ = nu.logistic_regression(features, outcome)
    design = np.column_stack([np.ones(len(features)), features])
    p = 1 / (1 + np.exp(-design @ coefficients))
    # The score (gradient of the log-likelihood) vanishes at the fit ...
    assert np.max(np.abs(design.T @ (outcome - p))) < 1e-6
    # ... and any other coefficients have a lower likelihood.

    def log_likelihood(b):
        q = 1 / (1 + np.exp(-design @ b))
        return np.sum(np.where(outcome, np.log(q), np.log(1 - q)))

    best = log_likelihood(coefficients)
    for nudge in np.eye(3) * 0.01:
        assert log_likelihood(coefficients + nudge) < best
        assert log_likelihood(coefficients - nudge) < best


def test_logistic_standard_errors_match_the_spread_over_draws():
    # The standard error is what it claims: the spread of the coefficient from one
    # draw of the examples to another.
    estimates, errors = [], []
    for seed in range(200):
        features, outcome = simulate(1000, [0.0, 0.7], seed=100 + seed)
        coefficients, standard_errors = nu.logistic_regression(features, outcome)
        estimates.append(coefficients[1])
        errors.append(standard_errors[1])
    assert np.std(estimates) == pytest.approx(np.mean(errors), rel=0.15)
    assert np.mean(estimates) == pytest.approx(0.7, abs=0.03)


def test_logistic_regression_agrees_with_scikit_learn_without_penalty():
    sklearn = pytest.importorskip("sklearn.linear_model")
    features, outcome = simulate(2000, [0.3, -0.6, 1.2], seed=5)
    coefficients, _ = nu.logistic_regression(features, outcome)
    reference = sklearn.LogisticRegression(C=1e12, tol=1e-12, max_iter=10_000)
    reference.fit(features, outcome)
    np.testing.assert_allclose(coefficients[1:], reference.coef_[0], atol=1e-4)
    assert coefficients[0] == pytest.approx(reference.intercept_[0], abs=1e-4)


def test_logistic_regression_takes_one_feature_as_a_vector():
    features, outcome = simulate(1000, [0.0, 1.0], seed=6)
    one = nu.logistic_regression(features[:, 0], outcome)
    two = nu.logistic_regression(features, outcome)
    np.testing.assert_allclose(one[0], two[0])
    np.testing.assert_allclose(one[1], two[1])


def test_logistic_regression_rejects_what_it_cannot_fit():
    x = np.arange(10.0)
    with pytest.raises(ValueError, match="constant"):
        nu.logistic_regression(x, np.zeros(10))
    with pytest.raises(ValueError, match="booleans"):
        nu.logistic_regression(x, np.linspace(0, 1, 10))
    with pytest.raises(ValueError, match="shapes"):
        nu.logistic_regression(x, np.zeros(9))
    with pytest.raises(RuntimeError, match="separate"):  # no finite maximum
        nu.logistic_regression(x, x >= 5)
